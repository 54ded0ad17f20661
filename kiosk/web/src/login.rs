//! Signing in with a PIN: the person picks their name (as on the kiosk's staff screen) and types their PIN.
//! booking-core counts wrong PINs in the database, so the web and the front door share one growing wait and one
//! lock; a locked account is unlocked by another staff member at the kiosk.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use booking_core::{PersonId, Pin, PinOutcome, Role, Store};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::Lang;
use super::page::{Visitor, cookie, set_cookie};
use super::sign_ins::{IDLE, SIGN_IN_COOKIE, SignedIn};
use super::{Failure, WebState, on_hub, on_reader, unavailable};

/// Hosts and staff who can sign in, by name.
pub fn people_with_pins(store: &Store) -> Result<Vec<(PersonId, String)>, Failure> {
    let mut people = store.people(Some(Role::Staff))?;
    people.extend(store.people(Some(Role::Host))?);
    people.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(people.into_iter().map(|person| (person.id, person.display_name)).collect())
}

/// A sign-in that did not let the person in: the HTTP status, a stable word for the API, and the sentence.
pub struct Refused {
    pub status: StatusCode,
    pub code: &'static str,
    pub reason: String,
}

/// Checks `pin` for `person` (counting a wrong one), and opens a session when it is right.
pub async fn attempt(state: &WebState, lang: Lang, person: PersonId, pin: &str) -> Result<(String, SignedIn), Refused> {
    let Ok(pin) = pin.parse::<Pin>() else {
        return Err(Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            reason: lang.tr("A PIN is 4 to 8 digits."),
        });
    };
    let outcome = on_hub(state, move |hub, now| Ok(hub.store.check_pin(person, &pin, now)?)).await;
    let refused = |status, code, reason| Err(Refused { status, code, reason });
    match outcome {
        Ok(PinOutcome::Accepted(found)) => {
            let login = SignedIn { person: found.id, name: found.display_name, role: found.role };
            Ok((state.sign_ins.start(login.clone()), login))
        }
        Ok(PinOutcome::Wrong { attempts_left, wait_seconds: 0 }) => refused(
            StatusCode::UNAUTHORIZED,
            "wrong_pin",
            lang.trf("That PIN is not right. {} more tries before this account locks.", &[&attempts_left]),
        ),
        Ok(PinOutcome::Wrong { attempts_left, wait_seconds }) => refused(
            StatusCode::UNAUTHORIZED,
            "wrong_pin",
            lang.trf(
                "That PIN is not right. Please wait {} seconds before the next try. {} more tries before this account locks.",
                &[&wait_seconds, &attempts_left],
            ),
        ),
        Ok(PinOutcome::Wait { seconds }) => refused(
            StatusCode::TOO_MANY_REQUESTS,
            "wait",
            lang.trf("Too many wrong PINs. Please wait {} seconds, then try again.", &[&seconds]),
        ),
        Ok(PinOutcome::Locked) => refused(
            StatusCode::LOCKED,
            "locked",
            lang.tr(
                "This account is locked after too many wrong PINs. Another staff member can unlock it at the kiosk.",
            ),
        ),
        Err(Failure::Invalid(message)) => refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
        // Said like a wrong PIN, so sign-in does not tell a stranger who exists.
        Err(Failure::NotFound(_)) => refused(StatusCode::UNAUTHORIZED, "wrong_pin", lang.tr("That PIN is not right.")),
        Err(Failure::Broken(_)) => refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            lang.tr("The hub's information cannot be read right now. Please try again in a minute."),
        ),
    }
}

/// The session cookie for a new session.
pub fn session_cookie(token: &str) -> (header::HeaderName, HeaderValue) {
    set_cookie(SIGN_IN_COOKIE, token, IDLE.as_secs())
}

fn render(visitor: &Visitor, people: &[(PersonId, String)], chosen: Option<PersonId>, problem: Option<&str>) -> Markup {
    let lang = visitor.lang;
    html! {
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
        h1 { (lang.tr("Sign in for hosts and staff")) }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        form method="post" action="/login" {
            (visitor.csrf_field())
            label for="person" { (lang.tr("Your name")) }
            select #person name="person" {
                @for (id, name) in people {
                    option value=(id) selected[chosen == Some(*id)] { (name) }
                }
            }
            label for="pin" { (lang.tr("PIN")) span.hint { (lang.tr("The same PIN as at the kiosk.")) } }
            input #pin type="password" name="pin" inputmode="numeric" autocomplete="current-password" maxlength="8";
            button type="submit" { (lang.tr("Sign in")) }
        }
    }
}

/// Where a signed-in person starts.
fn home(login: &SignedIn) -> &'static str {
    if login.is_staff() { "/staff" } else { "/host" }
}

pub async fn login_page(State(state): State<WebState>, visitor: Visitor) -> Response {
    if let Some(login) = &visitor.login {
        return Redirect::to(home(login)).into_response();
    }
    match on_reader(&state, |store, _| people_with_pins(store)).await {
        Ok(people) => visitor.page(StatusCode::OK, &visitor.lang.tr("Sign in"), render(&visitor, &people, None, None)),
        Err(_) => unavailable(visitor.lang),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    person: Option<i64>,
    #[serde(default)]
    pin: String,
}

pub async fn sign_in(State(state): State<WebState>, visitor: Visitor, Form(form): Form<SignInForm>) -> Response {
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let person = form.person.map(PersonId);
    let outcome = match person {
        Some(person) => attempt(&state, visitor.lang, person, &form.pin).await,
        None => Err(Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            reason: visitor.lang.tr("Please choose your name."),
        }),
    };
    match outcome {
        Ok((token, login)) => {
            let mut response = Redirect::to(home(&login)).into_response();
            let (name, value) = session_cookie(&token);
            response.headers_mut().append(name, value);
            response
        }
        Err(refused) => match on_reader(&state, |store, _| people_with_pins(store)).await {
            Ok(people) => {
                let body = render(&visitor, &people, person, Some(&refused.reason));
                visitor.page(refused.status, &visitor.lang.tr("Sign in"), body)
            }
            Err(_) => unavailable(visitor.lang),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session and forgets the cookie.
pub async fn sign_out(
    State(state): State<WebState>,
    visitor: Visitor,
    headers: axum::http::HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    if let Some(token) = cookie(&headers, SIGN_IN_COOKIE) {
        state.sign_ins.end(token);
    }
    let mut response = Redirect::to("/").into_response();
    let (name, value) = set_cookie(SIGN_IN_COOKIE, "", 0);
    response.headers_mut().append(name, value);
    response
}
