//! The displays: `/display/room/<id>` on a tablet beside a room's door, `/display/lobby` on a TV. Large type for
//! reading across a corridor, colour and words together (free, in use, closed), and no personal data: titles only
//! of public bookings, session topics, and queue numbers.
//!
//! Each page keeps itself current through `<page>/live`, a stream of server-sent events carrying the board's new
//! HTML whenever the hub changes (from [`BoardFeed`](crate::BoardFeed), within a second) and each minute for the
//! clock. A browser without JavaScript or `EventSource` (old tablets, e-ink readers) reloads every 30 seconds.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use booking_core::{BoardEntry, Boards, RoomBoard, RoomId, RoomState, Slot};
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use kiosk_runtime::times::{hm, range};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::WebState;
use super::i18n::Lang;
use super::page::{Visitor, site_address};

/// Seconds between reloads for a browser that cannot follow the live stream.
const RELOAD_SECONDS: u32 = 30;

pub async fn room(
    State(state): State<WebState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (lang, link) = (visitor.lang, booking_link(&headers, id));
    let boards = state.boards.latest();
    let title = match boards.as_deref().map(|boards| boards.room(RoomId(id))) {
        Some(Some(room)) => room.name.clone(),
        Some(None) => return no_such_room(lang),
        None => lang.tr("Rooms now"),
    };
    page(lang, &title, room_board(lang, boards.as_deref(), RoomId(id), &link))
}

pub async fn room_live(
    State(state): State<WebState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (lang, link) = (visitor.lang, booking_link(&headers, id));
    live(&state, move |boards| room_board(lang, boards, RoomId(id), &link))
}

pub async fn lobby(State(state): State<WebState>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    let boards = state.boards.latest();
    let title = boards.as_ref().map_or_else(|| lang.tr("Rooms now"), |boards| boards.hub_name.clone());
    page(lang, &title, lobby_board(lang, boards.as_deref()))
}

pub async fn lobby_live(State(state): State<WebState>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    live(&state, move |boards| lobby_board(lang, boards))
}

/// The address a phone opens from the room's QR code: this server, as the display reached it, so it works on the
/// hub's own network under whatever name the display was set up with.
fn booking_link(headers: &HeaderMap, room: i64) -> String {
    format!("{}/rooms/{room}", site_address(headers))
}

/// A stream of the board's HTML: now, then after every change that alters it, until the server stops.
fn live(state: &WebState, render: impl Fn(Option<&Boards>) -> Markup + Send + Sync + 'static) -> Response {
    let render = Arc::new(render);
    live_html(state, move |boards| std::future::ready(Some(render(boards.as_deref()))))
}

/// A stream of server-sent events carrying `render`'s HTML: now, then after every change to the hub (the boards'
/// feed), each time it differs from the last, until the server stops. `None` from `render` sends nothing then.
pub(crate) fn live_html<F, Fut>(state: &WebState, render: F) -> Response
where
    F: Fn(Option<Arc<Boards>>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<Markup>> + Send,
{
    let mut boards = state.boards.subscribe();
    boards.mark_changed();
    let closing = state.closing.subscribe();
    let render = Arc::new(render);
    let updates = stream::unfold((boards, closing, String::new()), move |(mut boards, mut closing, last)| {
        let render = render.clone();
        async move {
            loop {
                tokio::select! {
                    changed = boards.changed() => changed.ok()?,
                    _ = closing.wait_for(|closing| *closing) => return None,
                }
                let latest: Option<Arc<Boards>> = boards.borrow_and_update().clone();
                let Some(html) = render(latest).await.map(Markup::into_string) else { continue };
                if html != last {
                    return Some((Event::default().data(&html), (boards, closing, html)));
                }
            }
        }
    });
    let events = updates.map(Ok::<_, Infallible>);
    let mut response = Sse::new(events).keep_alive(KeepAlive::default()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The whole page around a board.
fn page(lang: Lang, title: &str, board: Markup) -> Response {
    let html = html! {
        (DOCTYPE)
        html lang=(lang.0) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                noscript { meta http-equiv="refresh" content=(RELOAD_SECONDS); }
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                div #live { (board) }
                p #lost hidden { (lang.tr("Reconnecting… What you see may be out of date.")) }
                script { (PreEscaped(live_script(Some(RELOAD_SECONDS)))) }
            }
        }
    };
    let mut response = (StatusCode::OK, html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn no_such_room(lang: Lang) -> Response {
    let body = html! { div.board.closed { h1 { (lang.tr("There is no such room")) } } };
    let mut response = page(lang, &lang.tr("There is no such room"), body);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// What a display shows when the hub cannot be read (yet).
fn unreadable(lang: Lang) -> Markup {
    let words = lang.tr("The hub's information cannot be read right now. Please try again in a minute.");
    html! { div.board.closed { p.state { (words) } } }
}

fn room_board(lang: Lang, boards: Option<&Boards>, id: RoomId, link: &str) -> Markup {
    let Some(boards) = boards else { return unreadable(lang) };
    let Some(room) = boards.room(id) else {
        return html! { div.board.closed { h1 { (lang.tr("There is no such room")) } } };
    };
    let zone = boards.time_zone;
    let state = state_words(lang, room, boards);
    // Markup the qrcode crate draws from our own address: nothing in it comes from a person.
    let qr = kiosk_runtime::qr::link_svg(link).unwrap_or_default();
    html! {
        div.board.room.(state.class) {
            header {
                h1 { (room.name) }
                p.clock { (hm(boards.at, zone)) }
            }
            section.now aria-live="polite" {
                p.state { (state.word) }
                @if let Some(until) = &state.until { p.detail { (until) } }
                @if let Some(title) = &state.title { p.detail { (title) } }
            }
            section.next {
                h2 { (lang.tr("Next")) }
                @if room.next.is_empty() {
                    p { (lang.tr("Nothing else is booked this week.")) }
                } @else {
                    ol { @for entry in &room.next { li { (entry_line(lang, boards, entry)) } } }
                }
            }
            @if room.bookable {
                aside.scan {
                    div.qr role="img" aria-label=(lang.tr("QR code to book this room or check in")) { (PreEscaped(qr)) }
                    p { (lang.tr("Scan with your phone to book this room now or to check in to your booking.")) }
                }
            }
            footer { (boards.hub_name) " · " (lang.trf("for {} people", &[&room.capacity])) }
        }
    }
}

/// A room's state in words: its colour class, its one big word, until when, and a public title.
struct StateWords {
    class: &'static str,
    word: String,
    until: Option<String>,
    title: Option<String>,
}

fn state_words(lang: Lang, room: &RoomBoard, boards: &Boards) -> StateWords {
    let until = |instant| Some(lang.trf("until {}", &[&when(lang, boards, instant)]));
    match &room.state {
        RoomState::Free { until: end } => {
            StateWords { class: "free", word: lang.tr("Free"), until: until(*end), title: None }
        }
        RoomState::Busy { until: end, title } => {
            StateWords { class: "busy", word: lang.tr("In use"), until: until(*end), title: title.clone() }
        }
        RoomState::Closed { opens } => StateWords {
            class: "closed",
            word: lang.tr("Closed"),
            until: opens.map(|opens| lang.trf("Opens {}", &[&when(lang, boards, opens)])),
            title: None,
        },
    }
}

/// "14:00" today, "Wednesday 09:00" on another day.
fn when(lang: Lang, boards: &Boards, instant: DateTime<Utc>) -> String {
    let zone = boards.time_zone;
    let local = instant.with_timezone(&zone);
    if local.date_naive() == boards.at.with_timezone(&zone).date_naive() {
        hm(instant, zone)
    } else {
        format!("{} {}", local.format_localized("%A", lang.locale()), hm(instant, zone))
    }
}

/// "14:00–15:00 · Podcast", with the day when it is not today; "Booked" for a private booking.
fn entry_line(lang: Lang, boards: &Boards, entry: &BoardEntry) -> Markup {
    let zone = boards.time_zone;
    let local = entry.slot.start().with_timezone(&zone);
    let other_day = local.date_naive() != boards.at.with_timezone(&zone).date_naive();
    html! {
        span.time {
            @if other_day { (local.format_localized("%A", lang.locale())) " " }
            (range(entry.slot.start(), entry.slot.end(), zone))
        }
        " "
        span.what { (entry.title.clone().unwrap_or_else(|| lang.tr("Booked"))) }
    }
}

fn lobby_board(lang: Lang, boards: Option<&Boards>) -> Markup {
    let Some(boards) = boards else { return unreadable(lang) };
    let zone = boards.time_zone;
    html! {
        div.board.lobby {
            header {
                h1 { (boards.hub_name) }
                p.clock { (hm(boards.at, zone)) }
            }
            @if !boards.calling.is_empty() {
                section.calling aria-live="polite" {
                    h2 { (lang.tr("Now calling")) }
                    ul { @for called in &boards.calling {
                        li { span.number { (called.number) } " " (called.topic) " · " (called.place) }
                    } }
                }
            }
            section.rooms {
                h2 { (lang.tr("Rooms now")) }
                ul { @for room in &boards.rooms {
                    @let state = state_words(lang, room, boards);
                    li.(state.class) {
                        span.name { (room.name) }
                        span.now {
                            span.word { (state.word) }
                            @if let Some(until) = &state.until { " " (until) }
                        }
                        @if let Some(title) = &state.title { span.title { (title) } }
                        @if let Some(next) = room.next.first() {
                            span.then { (lang.tr("Next")) ": " (entry_line(lang, boards, next)) }
                        }
                    }
                } }
            }
            @for day in &boards.unconferences {
                @if let Some(block) = day.blocks.iter().position(|block| block.end() > boards.at) {
                    section.unconference {
                        h2 { (day.title) " · " (range(day.blocks[block].start(), day.blocks[block].end(), zone)) }
                        ul { @for (position, room) in day.rooms.iter().enumerate() {
                            @let there = day.at(booking_core::Cell { room: position, block });
                            li.(if there.is_some() { "busy" } else { "free" }) {
                                span.name { (room.name) } " "
                                span.what { (there.map_or_else(|| lang.tr("Open"), |line| line.title.clone())) }
                            }
                        } }
                        p { (lang.tr("Propose a session or vote at the kiosk, or on the hub's web page on your phone.")) }
                    }
                }
            }
            @if !boards.events.is_empty() {
                section.events {
                    h2 { (lang.tr("Events today")) }
                    ul { @for event in &boards.events {
                        @let full = lang.tr("Full: waiting list open");
                        @let places = places_left(lang, event.cancelled, event.free_places, full);
                        (gathering(boards, event.time, &event.title, &event.room, places))
                    } }
                }
            }
            section.sessions {
                h2 { (lang.tr("Drop-in help today")) }
                @if boards.sessions.is_empty() {
                    p { (lang.tr("No more drop-in sessions today.")) }
                } @else {
                    ul { @for session in &boards.sessions {
                        @let places = places_left(lang, session.cancelled, session.free_places, lang.tr("Full"));
                        (gathering(boards, session.time, &session.topic, &session.place, places))
                    } }
                }
            }
        }
    }
}

/// One of the lobby's events or drop-in sessions: its time, what and where, and how many places are left.
fn gathering(boards: &Boards, time: Slot, what: &str, place: &str, places: Markup) -> Markup {
    html! {
        li {
            span.time { (range(time.start(), time.end(), boards.time_zone)) }
            " " span.what { (what) } " · " (place) " — " (places)
        }
    }
}

/// "Called off", `full` when no place is left, or how many are free.
fn places_left(lang: Lang, cancelled: bool, free_places: u32, full: String) -> Markup {
    html! {
        @if cancelled {
            span.off { (lang.tr("Called off")) }
        } @else {
            (match free_places {
                0 => full,
                1 => lang.tr("1 place free"),
                free => lang.trf("{} places free", &[&free]),
            })
        }
    }
}

/// Follows the live stream at `<page>/live` into `#live`; without `EventSource`, a display reloads now and then
/// (`reload_seconds`), a page with forms stays as it is. The stream's own reconnection shows the "reconnecting" line
/// while it is away, so a stale screen says so.
pub(crate) fn live_script(reload_seconds: Option<u32>) -> String {
    let without = match reload_seconds {
        Some(seconds) => format!("setTimeout(function () {{ location.reload(); }}, {seconds} * 1000);"),
        None => String::new(),
    };
    format!(
        "(function () {{
  var live = document.getElementById('live'), lost = document.getElementById('lost');
  if (!window.EventSource) {{ {without} return; }}
  var source = new EventSource(location.pathname + '/live' + location.search);
  source.onmessage = function (event) {{ live.innerHTML = event.data; lost.hidden = true; }};
  source.onerror = function () {{ lost.hidden = false; }};
}})();"
    )
}

/// Sized by the screen (vmin), so a phone-sized tablet and a TV both read from across a room: dark text on light
/// colours above 7:1 contrast, and the state in words as well as colour.
const STYLE: &str = "
html, body { margin: 0; }
body { font-family: system-ui, sans-serif; background: #f4f1ea; color: #1b1b1f; line-height: 1.3; }
.board { min-height: 100vh; box-sizing: border-box; padding: 3vmin 4vmin; display: grid; gap: 2vmin 5vmin;
         align-content: start; font-size: 4vmin; }
.board header { display: flex; justify-content: space-between; align-items: baseline; gap: 3vmin; }
h1 { font-size: 7.5vmin; margin: 0; overflow-wrap: anywhere; } h2 { font-size: 4.5vmin; margin: 0 0 1vmin; }
.clock { font-size: 6vmin; font-weight: 700; margin: 0; font-variant-numeric: tabular-nums; }
ol, ul { margin: 0; padding: 0; list-style: none; } li { margin: 0.8vmin 0; overflow-wrap: anywhere; }
.time { font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; }
.room { grid-template-columns: 1fr auto; grid-template-areas: 'head head' 'now scan' 'next scan' 'foot foot'; }
.room header { grid-area: head; } .room .now { grid-area: now; } .room .next { grid-area: next; }
.room .scan { grid-area: scan; text-align: center; max-width: 42vmin; } .room footer { grid-area: foot; }
.room .state { font-size: 17vmin; font-weight: 800; margin: 0; line-height: 1; }
.room .detail { font-size: 7vmin; font-weight: 700; margin: 1vmin 0 0; overflow-wrap: anywhere; }
.room .next li { font-size: 4.4vmin; }
.free { background: #dcf3e5; } .free .state, .free .word { color: #14532d; }
.busy { background: #fadedb; } .busy .state, .busy .word { color: #8a1c1c; }
.closed { background: #e4e4e7; } .closed .state, .closed .word { color: #27272a; }
.qr svg { width: 38vmin; height: 38vmin; background: #fff; padding: 1vmin; }
.scan p { margin: 1vmin 0 0; font-size: 3.2vmin; }
footer { font-size: 3.2vmin; }
.lobby { grid-template-columns: 1.2fr 1fr; grid-template-areas: 'head head' 'call call' 'rooms events' 'rooms sessions';
         grid-template-rows: auto auto auto 1fr; font-size: 3vmin; }
.lobby .events { grid-area: events; } .lobby .unconference { grid-column: 1 / -1; }
.lobby .unconference ul { display: grid; grid-template-columns: repeat(auto-fill, minmax(38vmin, 1fr)); gap: 1vmin; }
.lobby header { grid-area: head; } .lobby .calling { grid-area: call; } .lobby .rooms { grid-area: rooms; }
.lobby .sessions { grid-area: sessions; }
.lobby li { padding: 0.8vmin 1.4vmin; border-left: 1.4vmin solid #71717a; background: #fff; }
.lobby li.free { border-color: #15803d; } .lobby li.busy { border-color: #b91c1c; }
.lobby .rooms ul { display: grid; grid-template-columns: repeat(auto-fill, minmax(38vmin, 1fr)); gap: 1vmin; }
.lobby .rooms li { margin: 0; } .lobby .rooms li > span { display: block; }
.lobby .name { font-weight: 800; } .lobby .word { font-weight: 800; } .lobby .then { font-size: 2.5vmin; }
.calling li { display: inline-block; margin-right: 2vmin; font-size: 3.6vmin; border-color: #1d4ed8; }
.calling .number { font-size: 8vmin; font-weight: 800; vertical-align: middle; }
.off { color: #8a1c1c; font-weight: 800; }
#lost { position: fixed; bottom: 0; left: 0; right: 0; margin: 0; padding: 1vmin 4vmin; font-size: 3.2vmin;
        background: #8a1c1c; color: #fff; }
#lost[hidden] { display: none; }
@media (orientation: portrait) {
  .room { grid-template-columns: 1fr; grid-template-areas: 'head' 'now' 'next' 'scan' 'foot'; }
  .room .scan { max-width: none; }
  .lobby { grid-template-columns: 1fr; grid-template-areas: 'head' 'call' 'rooms' 'events' 'sessions';
           grid-template-rows: none; }
}
";
