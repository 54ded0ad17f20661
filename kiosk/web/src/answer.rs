//! The JSON API's answers when something is refused or fails — `{"refused": code, "reason": sentence}`, with the
//! status that says what kind of refusal it is — and its extractors, which answer malformed input the same way.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::Failure;
use super::words::capitalised;

pub fn refusal(status: StatusCode, code: &str, reason: &str) -> Response {
    (status, Json(json!({ "refused": code, "reason": reason }))).into_response()
}

pub fn failed(failure: Failure) -> Response {
    match failure {
        Failure::Invalid(message) => refusal(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &capitalised(&message)),
        Failure::NotFound(message) => refusal(StatusCode::NOT_FOUND, "not_found", &capitalised(&message)),
        Failure::Broken(_) => refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The hub's information cannot be read right now. Please try again in a minute.",
        ),
    }
}

pub fn needs_login() -> Response {
    refusal(StatusCode::UNAUTHORIZED, "sign_in", "Please sign in with your PIN first.")
}

/// A JSON request body, or a plain JSON refusal when it is not one: 415 without `Content-Type: application/json`,
/// 400 when it is not JSON at all, 422 when its fields are missing or of the wrong kind.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(body)) => Ok(Body(body)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(refusal(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_json",
                "Please send the request as JSON, with the header Content-Type: application/json.",
            )),
            Err(JsonRejection::JsonDataError(_)) => Err(refusal(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Some of the request's fields are missing or of the wrong kind. docs/openapi.yaml lists them.",
            )),
            Err(_) => Err(refusal(StatusCode::BAD_REQUEST, "malformed", "The request's body is not valid JSON.")),
        }
    }
}

/// A number in the address (`/sessions/12`), or a plain JSON 404 when it is not one.
#[derive(Debug)]
pub struct Number(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Number {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Path::<i64>::from_request_parts(parts, state).await {
            Ok(Path(number)) if number > 0 => Ok(Number(number)),
            _ => Err(not_found()),
        }
    }
}

/// The API's answer for an address it does not have.
pub fn not_found() -> Response {
    refusal(StatusCode::NOT_FOUND, "not_found", "There is nothing at this address.")
}

/// The API's answer for a method an address does not take (the `Allow` header says which it does).
pub fn method_not_allowed() -> Response {
    refusal(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "This address does not take that kind of request.")
}
