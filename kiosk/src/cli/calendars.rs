//! `kiosk calendar`: room calendars kept elsewhere — a file imported, the configuration's feeds fetched now — and
//! what staff need to see of them: when each was last read, why a fetch failed, and blocks landing on bookings.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use booking_core::{CalendarRead, CalendarStatus, Collision, StoreError};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kiosk_runtime::times;
use serde_json::json;

use super::Invocation;
use super::device::{self, Device};
use super::input::bad_input;
use super::report::{Report, local, plural};
use crate::calendar_feeds;

/// Reads `file` into `room`'s blocks.
pub fn import(cx: &mut Invocation<'_>, file: &Path, room: &str, name: Option<&str>) -> Result<Report> {
    let bytes = fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| bad_input(format!("{} is not a calendar: it is not UTF-8 text", file.display())))?;
    let room = cx.hub.store.room_by_name(room)?;
    let name = name.map_or_else(|| file.file_name().unwrap_or_default().to_string_lossy().into_owned(), str::to_owned);
    let read = match cx.hub.store.import_calendar(&name, room.id, &text, cx.now) {
        Err(StoreError::Invalid(reason)) => {
            return Err(bad_input(format!("{} was not imported, and nothing changed: {reason}", file.display())));
        }
        read => read?,
    };
    let zone = cx.zone()?;
    let text = format!("{name} for {}: {}", room.name, summary(&read, zone));
    Ok(Report::done(text, json!({ "name": name, "room": room.name, "read": read })))
}

/// Takes the configuration's `[[calendars]]`, then fetches every feed now.
pub fn refresh(cx: &mut Invocation<'_>, device: Option<&Device>) -> Result<Report> {
    let mut lines = match device {
        Some(device) => device::reconcile_calendars(&mut cx.hub.store, &device.config, cx.now)?,
        None => Vec::new(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let fetcher = calendar_feeds::Fetcher::new(calendar_feeds::FETCH_TIMEOUT);
    let zone = cx.zone()?;
    let mut fetched = Vec::new();
    // Every subscription, whenever it was last fetched.
    for feed in cx.hub.store.feeds_due(DateTime::<Utc>::MAX_UTC)? {
        let outcome = runtime.block_on(fetcher.fetch(&feed));
        let read = cx.hub.store.feed_fetched(&feed.url, outcome, cx.now)?;
        let line = match &read {
            Ok(read) => format!("{}: {}", feed.url, summary(read, zone)),
            Err(reason) => format!("{}: not read ({reason}). {}", feed.url, kept(cx, &feed.url, zone)?),
        };
        lines.push(line);
        fetched.push(json!({ "url": feed.url, "read": read.as_ref().ok(), "failure": read.err() }));
    }
    if lines.is_empty() {
        lines.push("No calendars to fetch: add [[calendars]] to the configuration file (kiosk config example).".into());
    }
    Ok(Report::done(lines.join("\n"), json!({ "fetched": fetched })))
}

/// Every calendar's health and collisions.
pub fn status(cx: &mut Invocation<'_>) -> Result<Report> {
    let (calendars, zone) = (cx.hub.store.room_calendars(cx.now)?, cx.zone()?);
    if calendars.is_empty() {
        return Ok(Report::done(
            "No room calendars. Import one with `kiosk calendar import FILE --room NAME`, or subscribe in the \
             configuration file ([[calendars]]).",
            json!({ "calendars": calendars }),
        ));
    }
    let text: Vec<String> = calendars.iter().map(|calendar| describe(calendar, zone)).collect();
    Ok(Report::done(text.join("\n"), json!({ "calendars": calendars })))
}

pub fn remove(cx: &mut Invocation<'_>, name: &str) -> Result<Report> {
    if cx.hub.store.remove_calendar(name)? {
        Ok(Report::done(format!("Removed {name} and the times it blocked."), json!({ "removed": name })))
    } else {
        Ok(Report::refused(
            format!("There is no calendar called {name}: `kiosk calendar status` lists them."),
            json!({}),
        ))
    }
}

/// What stands after a failed fetch: the last good copy, or nothing yet.
fn kept(cx: &Invocation<'_>, name: &str, zone: Tz) -> Result<String> {
    let calendars = cx.hub.store.room_calendars(cx.now)?;
    let read_at = calendars.iter().find(|calendar| calendar.name == name).and_then(|calendar| calendar.read_at);
    Ok(match read_at {
        Some(at) => format!("The last good copy, read {}, stays.", local(at, zone)),
        None => "Nothing has been read from it yet.".to_owned(),
    })
}

fn summary(read: &CalendarRead, zone: Tz) -> String {
    let mut text = format!("{}, {}.", plural(read.events as u64, "event"), plural(read.blocks as u64, "busy time"));
    if !read.collisions.is_empty() {
        text += &match read.collisions.len() {
            1 => " One of them lands on a booking made here first; both stay until one of them moves:".to_owned(),
            n => format!(" {n} of them land on bookings made here first; both stay until one of them moves:"),
        };
        for collision in &read.collisions {
            text += &format!("\n  {}", clash(collision, zone));
        }
    }
    text
}

fn describe(calendar: &CalendarStatus, zone: Tz) -> String {
    let kind = if calendar.subscribed {
        format!("a feed, fetched every {} minutes", calendar.refresh_minutes)
    } else {
        "imported".into()
    };
    let read =
        calendar.read_at.map_or_else(|| "never read yet".to_owned(), |at| format!("last read {}", local(at, zone)));
    let ahead = plural(u64::from(calendar.blocks), "busy time");
    let mut text = format!("{} for {} ({kind}): {read}, {ahead} ahead.", calendar.name, calendar.room);
    if let (Some(failure), Some(at)) = (&calendar.failure, calendar.failed_at) {
        let kept = if calendar.read_at.is_some() { " The last good copy stays." } else { "" };
        text += &format!("\n  The last try, {}, failed: {failure}.{kept}", local(at, zone));
    }
    for collision in &calendar.collisions {
        text += &format!("\n  {}", clash(collision, zone));
    }
    text
}

/// One collision in a line staff can act on.
fn clash(collision: &Collision, zone: Tz) -> String {
    let (block, booking) = (collision.block, collision.booking_slot);
    format!(
        "“{}” {}–{} lands on booking #{} “{}” ({}–{})",
        collision.summary,
        local(block.start(), zone),
        times::hm(block.end(), zone),
        collision.booking.0,
        collision.booking_title,
        local(booking.start(), zone),
        times::hm(booking.end(), zone),
    )
}
