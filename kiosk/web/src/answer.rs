//! The JSON API's answers when something is refused or fails: `{"refused": code, "reason": sentence}`, with the
//! status that says what kind of refusal it is.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Failure;
use super::words::capitalised;

pub fn refusal(status: StatusCode, code: &str, reason: &str) -> Response {
    (status, Json(json!({ "refused": code, "reason": reason }))).into_response()
}

pub fn failed(failure: Failure) -> Response {
    match failure {
        Failure::Invalid(message) => refusal(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &capitalised(&message)),
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
