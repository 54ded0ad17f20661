//! `/rooms/<id>`: the page a phone opens from the QR code on a room's display. Standing at the door, a person
//! books the room from now (with their pass code, or just a name), or checks in to the booking they hold so the
//! room is not released as a no-show.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use booking_core::{Booker, BookingRequest, NO_SHOW_GRACE, RoomBoard, RoomId, RoomState, Slot, Store};
use chrono::{DateTime, Duration, DurationRound, Utc};
use chrono_tz::Tz;
use kiosk_runtime::hub::Hub;
use kiosk_runtime::times::hm;
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::Lang;
use super::page::{Posted, Visitor, pass_qr};
use super::words::capitalised;
use super::{Failure, WebState, on_hub, on_reader, unavailable};

/// The title a booking made at the door gets; only the room's own displays could show it, and it is not public.
const DOOR_TITLE: &str = "Booked at the door";
/// The lengths offered, besides "until the room's next booking".
const LENGTHS: [i64; 3] = [30, 60, 120];

/// The room as the page shows it, read on the database thread.
struct Door {
    board: RoomBoard,
    zone: Tz,
    /// Ends a booking from now may have, earliest first (empty: it cannot be booked now).
    ends: Vec<DateTime<Utc>>,
}

fn door(store: &Store, id: RoomId, now: DateTime<Utc>) -> Result<Door, Failure> {
    let room = store.room(id)?;
    let boards = store.boards(now)?;
    let board = boards.room(id).cloned().ok_or_else(|| Failure::NotFound(format!("there is no room number {id}")))?;
    let start = start_now(now);
    let ends = match board.state {
        RoomState::Free { until } if room.bookable => {
            let latest = (until - Duration::minutes(i64::from(room.buffer_minutes)))
                .min(start + Duration::minutes(i64::from(room.max_minutes)));
            let mut ends: Vec<_> = LENGTHS.iter().map(|minutes| start + Duration::minutes(*minutes)).collect();
            ends.push(latest);
            ends.retain(|end| *end <= latest && *end >= start + Duration::minutes(i64::from(room.min_minutes)));
            ends.sort();
            ends.dedup();
            ends
        }
        _ => Vec::new(),
    };
    Ok(Door { board, zone: boards.time_zone, ends })
}

/// A booking from the door starts at the current minute.
fn start_now(now: DateTime<Utc>) -> DateTime<Utc> {
    now.duration_trunc(Duration::minutes(1)).unwrap_or(now)
}

/// What the door form sends: `book` (with an end, and a pass code or a name) or `check_in` (with a pass code).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DoorForm {
    #[serde(default)]
    action: String,
    /// The chosen end, as Unix seconds.
    #[serde(default)]
    until: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    pass: String,
}

/// What happened, to show above the room.
enum Done {
    Booked { until: DateTime<Utc>, pass: String },
    CheckedIn { until: DateTime<Utc> },
}

pub async fn room_page(State(state): State<WebState>, visitor: Visitor, Path(id): Path<i64>) -> Response {
    let id = RoomId(id);
    match on_reader(&state, move |store, now| door(store, id, now)).await {
        Ok(door) => visitor.page(StatusCode::OK, &door.board.name, render(&visitor, &door, &DoorForm::default(), None)),
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => no_such_room(&visitor),
        Err(Failure::Broken(_)) => unavailable(visitor.lang),
    }
}

pub async fn act(
    State(state): State<WebState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<Posted<DoorForm>>,
) -> Response {
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let (id, lang, asked) = (RoomId(id), visitor.lang, form.fields.clone());
    let result = on_hub(&state, move |hub, now| {
        let outcome = door_action(hub, id, &asked, lang, now)?;
        Ok((outcome, door(&hub.store, id, now)?))
    })
    .await;
    match result {
        Ok((Ok(done), door)) => {
            state.note_change();
            let body = html! {
                (render_done(lang, &done, door.zone))
                p { a href={ "/rooms/" (id) } { (door.board.name) } }
                p { a href="/" { (lang.tr("Back to today at the hub")) } }
            };
            visitor.page(StatusCode::OK, &door.board.name, body)
        }
        Ok((Err(problem), door)) => {
            let body = render(&visitor, &door, &form.fields, Some(&problem));
            visitor.page(StatusCode::UNPROCESSABLE_ENTITY, &door.board.name, body)
        }
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => no_such_room(&visitor),
        Err(Failure::Broken(_)) => unavailable(lang),
    }
}

/// Books or checks in, as the form asks; a refusal comes back in the person's words.
fn door_action(
    hub: &mut Hub,
    id: RoomId,
    form: &DoorForm,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Result<Done, String>, Failure> {
    let (pass, name) = (form.pass.trim(), form.name.trim());
    if form.action == "check_in" {
        if pass.is_empty() {
            return Ok(Err(lang.tr("Please type the code of your pass.")));
        }
        return Ok(match hub.store.check_in_at_room(&hub.key, id, pass, now)? {
            Ok(booking) => Ok(Done::CheckedIn { until: booking.slot.end() }),
            Err(refused) => Err(lang.reason(&refused)),
        });
    }
    let Some(end) = form.until.trim().parse().ok().and_then(|seconds| DateTime::from_timestamp(seconds, 0)) else {
        return Ok(Err(lang.tr("Please choose until when.")));
    };
    let booker = match (pass.is_empty(), name.is_empty()) {
        (false, _) => Booker::Pass(pass),
        (true, false) => Booker::Newcomer(name),
        (true, true) => return Ok(Err(lang.tr("Please write your name, or the code of your pass."))),
    };
    let Ok(slot) = Slot::new(start_now(now), end) else { return Ok(Err(lang.tr("Please choose until when."))) };
    let request =
        BookingRequest { room: id, slot, title: DOOR_TITLE.into(), booked_by: None, booked_for: None, public: false };
    match hub.store.book_room(&hub.key, &request, booker, now) {
        Ok(Ok((booking, pass))) => Ok(Ok(Done::Booked { until: booking.slot.end(), pass: pass.payload })),
        Ok(Err(refused)) => Ok(Err(lang.reason(&refused))),
        Err(booking_core::StoreError::Invalid(message)) => Ok(Err(capitalised(&message))),
        Err(error) => Err(error.into()),
    }
}

fn render_done(lang: Lang, done: &Done, zone: Tz) -> Markup {
    match done {
        Done::Booked { until, pass } => {
            html! {
                div.done role="status" { h1 { (lang.trf("The room is yours until {}.", &[&hm(*until, zone)])) } }
                p { (lang.tr("This is your booking's pass. Keep this page or take a screenshot. The code under it works too:")) }
                (pass_qr(lang, pass))
                p.code { (pass) }
            }
        }
        Done::CheckedIn { until } => html! {
            div.done role="status" { h1 { (lang.trf("You are checked in. The room is yours until {}.", &[&hm(*until, zone)])) } }
        },
    }
}

fn render(visitor: &Visitor, door: &Door, asked: &DoorForm, problem: Option<&str>) -> Markup {
    let (lang, zone, board) = (visitor.lang, door.zone, &door.board);
    let action = format!("/rooms/{}", board.room_id);
    html! {
        h1 { (board.name) }
        p {
            @match &board.state {
                RoomState::Free { until } => span.free { (lang.trf("free until {}", &[&hm(*until, zone)])) },
                RoomState::Busy { until, .. } => span.busy { (lang.trf("busy until {}", &[&hm(*until, zone)])) },
                RoomState::Closed { .. } => span.busy { (lang.tr("The hub is closed now.")) },
            }
        }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        @if !door.ends.is_empty() {
            h2 { (lang.tr("Book this room now")) }
            form method="post" action=(action) {
                (visitor.csrf_field())
                input type="hidden" name="action" value="book";
                fieldset {
                    legend { (lang.tr("Until when?")) }
                    @for (index, end) in door.ends.iter().enumerate() {
                        @let value = end.timestamp().to_string();
                        label {
                            input type="radio" name="until" value=(value)
                                checked[asked.until == value || (asked.until.is_empty() && index == 0)];
                            " " (hm(*end, zone))
                        }
                    }
                }
                label for="name" { (lang.tr("Your name")) span.hint { (lang.tr("Your first name is enough.")) } }
                input #name type="text" name="name" autocomplete="given-name" maxlength="80"
                    value=(if asked.action == "book" { asked.name.as_str() } else { "" });
                label for="book-pass" {
                    (lang.tr("Or the code of your pass"))
                    span.hint { (lang.tr("If you have a hub pass, type the code printed under its QR code instead of your name.")) }
                }
                input #book-pass type="text" name="pass" autocomplete="off" autocapitalize="characters" spellcheck="false"
                    maxlength="200" value=(if asked.action == "book" { asked.pass.as_str() } else { "" });
                button type="submit" { (lang.tr("Book this room now")) }
            }
        } @else if matches!(board.state, RoomState::Free { .. }) && board.bookable {
            p { (lang.tr("This room is not free long enough to book now.")) }
        }
        h2 { (lang.tr("Have you booked this room?")) }
        form method="post" action=(action) {
            (visitor.csrf_field())
            input type="hidden" name="action" value="check_in";
            label for="check-pass" {
                (lang.tr("The code of your booking's pass"))
                span.hint {
                    (lang.trf(
                        "Checking in keeps the room for you: a booking nobody checks in to is freed {} minutes after it starts.",
                        &[&NO_SHOW_GRACE.num_minutes()],
                    ))
                }
            }
            input #check-pass type="text" name="pass" autocomplete="off" autocapitalize="characters" spellcheck="false"
                maxlength="200" value=(if asked.action == "check_in" { asked.pass.as_str() } else { "" });
            button type="submit" { (lang.tr("Check in")) }
        }
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
    }
}

fn no_such_room(visitor: &Visitor) -> Response {
    let lang = visitor.lang;
    let body = html! {
        h1 { (lang.tr("There is no such room")) }
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
    };
    visitor.page(StatusCode::NOT_FOUND, &lang.tr("There is no such room"), body)
}
