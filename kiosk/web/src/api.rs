//! The JSON API under `/api/v1` (docs/openapi.yaml): the same operations and the same plain-language reasons as the
//! pages. Refusals are `{"refused": "<word>", "reason": "<sentence>"}` with a 4xx status. Requests that change
//! something must be `application/json` (a cross-site form cannot send that), and signed-in calls carry the
//! `SameSite=Strict` session cookie from `POST /api/v1/login`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use booking_core::PersonId;
use serde::Deserialize;
use serde_json::json;

use super::answer::{Body, method_not_allowed, not_found, refusal};
use super::login::{attempt, session_cookie};
use super::page::{Visitor, cookie, set_cookie};
use super::sign_ins::SIGN_IN_COOKIE;
use super::{WebState, host, public, staff};

pub fn router() -> Router<WebState> {
    Router::new()
        .route("/today", get(public::json::today))
        .route("/sessions/{id}", get(public::json::session))
        .route("/sessions/{id}/places", post(public::json::book))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/host/sessions", get(host::json::list).post(host::json::create))
        .route("/host/sessions/{id}", get(host::json::detail).post(host::json::change))
        .route("/staff/today", get(staff::json_today))
        .fallback(|| async { not_found() })
        .method_not_allowed_fallback(|| async { method_not_allowed() })
}

#[derive(Debug, Deserialize)]
struct LoginRequest {
    person: i64,
    pin: String,
}

async fn login(State(state): State<WebState>, visitor: Visitor, Body(request): Body<LoginRequest>) -> Response {
    match attempt(&state, visitor.lang, PersonId(request.person), &request.pin).await {
        Ok((token, login)) => {
            let body = json!({ "person": login.person, "name": login.name, "role": login.role.as_str() });
            let mut response = Json(body).into_response();
            let (name, value) = session_cookie(&token);
            response.headers_mut().append(name, value);
            response
        }
        Err(refused) => refusal(refused.status, refused.code, &refused.reason),
    }
}

async fn logout(State(state): State<WebState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SIGN_IN_COOKIE) {
        state.sign_ins.end(token);
    }
    let (name, value) = set_cookie(SIGN_IN_COOKIE, "", 0);
    (StatusCode::NO_CONTENT, [(name, value)]).into_response()
}
