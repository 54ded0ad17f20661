//! `/join`: becoming a member from a phone, when staff have it open (`kiosk site sign-up on`). A person gives their
//! name and e-mail address and agrees to be contacted; the link sent there (`/join/confirm?token=…`) shows a button
//! that confirms, so a mail program that opens links to check them confirms nothing. Confirming makes them a
//! member and shows their pass, which is e-mailed too.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use booking_core::{SIGN_UP_LINK_VALID, SignUpRefusal, Store};
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::Lang;
use super::page::{Posted, Visitor, pass_qr, site_address};
use super::words::capitalised;
use super::{Failure, WebState, on_hub, on_reader, unavailable};

/// What the join form sends.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    /// The box that agrees to be contacted: present ("yes") only when ticked.
    #[serde(default)]
    agree: Option<String>,
}

/// The token from the link (in the address, then in the confirming form).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Token {
    #[serde(default)]
    token: String,
}

/// The hub's name, and whether joining is open.
fn joining(store: &Store, _now: DateTime<Utc>) -> Result<(String, bool), Failure> {
    Ok((store.site()?.name, store.sign_up_is_open()?))
}

pub async fn join_page(State(state): State<WebState>, visitor: Visitor) -> Response {
    match on_reader(&state, joining).await {
        Ok((hub, open)) => visitor.page(
            StatusCode::OK,
            &title(visitor.lang, &hub),
            render_form(&visitor, &hub, open, &JoinForm::default(), None),
        ),
        Err(_) => unavailable(visitor.lang),
    }
}

pub async fn join(
    State(state): State<WebState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<Posted<JoinForm>>,
) -> Response {
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let (lang, asked) = (visitor.lang, form.fields.clone());
    let link_base = format!("{}/join/confirm?token=", site_address(&headers));
    let result = on_hub(&state, move |hub, now| {
        let (name, open) = joining(&hub.store, now)?;
        if asked.agree.is_none() {
            return Ok((
                name,
                open,
                Err(lang.tr("Please tick the box to agree to be contacted: the link and your pass come by e-mail.")),
            ));
        }
        let requested = match hub.store.request_sign_up(&asked.name, &asked.email, Some(lang.0), &link_base, now) {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(refusal)) => Err(lang.reason(&refusal)),
            Err(booking_core::StoreError::Invalid(message)) => Err(capitalised(&message)),
            Err(error) => return Err(error.into()),
        };
        Ok((name, open, requested))
    })
    .await;
    match result {
        Ok((hub, _, Ok(()))) => {
            let body = html! {
                div.done role="status" {
                    h1 { (lang.tr("Please check your e-mail")) }
                    p { (lang.trf("We have sent a link to {}. Open it within {} hours to finish joining.", &[&form.fields.email.trim(), &SIGN_UP_LINK_VALID.num_hours()])) }
                }
                p { (lang.tr("No e-mail after a few minutes? Look in your spam folder, or ask at the desk.")) }
                p { a href="/" { (lang.tr("Back to today at the hub")) } }
            };
            visitor.page(StatusCode::OK, &title(lang, &hub), body)
        }
        Ok((hub, open, Err(problem))) => {
            let body = render_form(&visitor, &hub, open, &form.fields, Some(&problem));
            visitor.page(StatusCode::UNPROCESSABLE_ENTITY, &title(lang, &hub), body)
        }
        Err(_) => unavailable(lang),
    }
}

pub async fn confirm_page(State(state): State<WebState>, visitor: Visitor, Query(token): Query<Token>) -> Response {
    let lang = visitor.lang;
    match on_reader(&state, joining).await {
        Ok((hub, _)) => {
            let body = html! {
                h1 { (title(lang, &hub)) }
                p { (lang.tr("One more step: press the button to confirm your e-mail address and get your member pass.")) }
                form method="post" action="/join/confirm" {
                    (visitor.csrf_field())
                    input type="hidden" name="token" value=(token.token);
                    button type="submit" { (lang.tr("Confirm and get my pass")) }
                }
            };
            visitor.page(StatusCode::OK, &title(lang, &hub), body)
        }
        Err(_) => unavailable(lang),
    }
}

pub async fn confirm(State(state): State<WebState>, visitor: Visitor, Form(form): Form<Posted<Token>>) -> Response {
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let (lang, token) = (visitor.lang, form.fields.token.clone());
    let result = on_hub(&state, move |hub, now| {
        let hub_name = hub.store.site()?.name;
        Ok((hub_name, hub.store.confirm_sign_up(&hub.key, &token, now)?))
    })
    .await;
    match result {
        Ok((hub, Ok(joined))) => {
            state.note_change();
            let body = html! {
                div.done role="status" {
                    h1 { (lang.trf("Welcome, {}!", &[&joined.name])) }
                    p { (lang.trf("You are a member of {} now.", &[&hub])) }
                }
                p { (lang.tr("This is your member pass: show it at the kiosk by the front door each time you come. We have e-mailed it to you too.")) }
                (pass_qr(lang, &joined.pass.payload))
                p { a href="/" { (lang.tr("Back to today at the hub")) } }
            };
            visitor.page(StatusCode::OK, &title(lang, &hub), body)
        }
        Ok((hub, Err(refusal))) => {
            let status = if refusal == SignUpRefusal::AlreadyConfirmed {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let body = html! {
                h1 { (title(lang, &hub)) }
                p.error role="alert" { (lang.reason(&refusal)) }
                p { a href="/join" { (lang.tr("Ask to join again")) } }
                p { a href="/" { (lang.tr("Back to today at the hub")) } }
            };
            visitor.page(status, &title(lang, &hub), body)
        }
        Err(_) => unavailable(lang),
    }
}

fn title(lang: Lang, hub: &str) -> String {
    lang.trf("Join {}", &[&hub])
}

fn render_form(visitor: &Visitor, hub: &str, open: bool, asked: &JoinForm, problem: Option<&str>) -> Markup {
    let lang = visitor.lang;
    html! {
        h1 { (title(lang, hub)) }
        @if !open {
            p { (lang.reason(&SignUpRefusal::Closed)) }
        } @else {
            p { (lang.tr("Members have a pass that checks them in at the front door, and can book rooms and drop-in help.")) }
            @if let Some(problem) = problem {
                p.error role="alert" { (problem) }
            }
            form method="post" action="/join" {
                (visitor.csrf_field())
                label for="name" { (lang.tr("Your name")) span.hint { (lang.tr("As you would like the kiosk to greet you.")) } }
                input #name type="text" name="name" autocomplete="name" maxlength="80" required value=(asked.name);
                label for="email" { (lang.tr("Your e-mail address")) span.hint { (lang.tr("We send a link there to check it is yours, then your pass.")) } }
                input #email type="email" name="email" autocomplete="email" maxlength="254" required value=(asked.email);
                label.agree {
                    input type="checkbox" name="agree" value="yes" checked[asked.agree.is_some()];
                    " " (lang.trf("I agree that {} may e-mail me about my visits and bookings. I can ask the staff to stop at any time.", &[&hub]))
                }
                button type="submit" { (lang.tr("Send me the link")) }
            }
        }
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
    }
}
