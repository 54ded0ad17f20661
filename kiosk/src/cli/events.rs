//! `kiosk event`: gatherings with places. Each command is one booking-core use-case.

use anyhow::Result;
use booking_core::{
    BookingRefusal, EventId, EventPlaceId, NewEvent, PlaceStatus, SeriesRequest, Slot, WhenFull, local_day,
};
use chrono::Duration;
use kiosk_runtime::times::hm;
use serde_json::json;

use super::Invocation;
use super::args::{EventAddArgs, EventCommand};
use super::commands::{repeat_rule, time_range};
use super::input::parse_date;
use super::report::{Report, local};

pub fn event(cx: &mut Invocation<'_>, command: &EventCommand) -> Result<Report> {
    let zone = cx.zone()?;
    match command {
        EventCommand::Add(args) => add(cx, args),
        EventCommand::List { date, week } => {
            let date = parse_date(date, zone, cx.now)?;
            let days = if *week { 7 } else { 1 };
            let range =
                Slot::new(local_day(zone, date).start(), local_day(zone, date + Duration::days(days - 1)).end())?;
            let events = cx.hub.store.events_overlapping(range)?;
            let mut text = String::new();
            for event in &events {
                let places = if event.cancelled {
                    "called off".to_owned()
                } else {
                    let waiting =
                        if event.waiting > 0 { format!(", {} waiting", event.waiting) } else { String::new() };
                    format!("{} of {} places free{waiting}", event.free(), event.capacity)
                };
                text += &format!(
                    "#{} {} — {}, {}–{}: {places}\n",
                    event.id,
                    event.title,
                    event.room,
                    local(event.time.start(), zone),
                    hm(event.time.end(), zone)
                );
            }
            if events.is_empty() {
                text = "No events then.".into();
            }
            Ok(Report::done(text.trim_end(), &events))
        }
        EventCommand::Register { event, who, wait } => {
            let booker = cx.booker(who)?;
            let when_full = if *wait { WhenFull::JoinWaitingList } else { WhenFull::Refuse };
            let hub = &mut *cx.hub;
            let outcome = hub.store.register_for_event(&hub.key, EventId(*event), booker, when_full, cx.now)?;
            Ok(match outcome {
                Ok(registered) => {
                    let text = match registered.waiting_position {
                        None => format!("Registered: place #{}", registered.place),
                        Some(position) => {
                            format!(
                                "The event is full: number {position} on the waiting list (place #{})",
                                registered.place
                            )
                        }
                    };
                    let text = match &registered.pass {
                        Some(pass) => format!("{text}. Their day pass: {}", pass.payload),
                        None => text,
                    };
                    Report::done(text, &registered)
                }
                Err(refused) => Report::refusal(&refused, json!({ "refused": refused })),
            })
        }
        EventCommand::Leave { place } => {
            let promoted = cx.hub.store.cancel_event_place(EventPlaceId(*place), cx.now)?;
            let text = match promoted {
                Some((moved, _)) => format!("Place #{place} given up; place #{moved} moved up from the waiting list."),
                None => format!("Place #{place} given up."),
            };
            Ok(Report::done(text, json!({ "place": place, "promoted": promoted.map(|(moved, _)| moved) })))
        }
        EventCommand::Attendees { event } => {
            let attendees = cx.hub.store.attendees(EventId(*event))?;
            let mut text = String::new();
            for attendee in &attendees {
                let status = match attendee.status {
                    PlaceStatus::Registered => "registered",
                    PlaceStatus::Came => "came",
                    PlaceStatus::Waiting => "waiting",
                    PlaceStatus::Cancelled => "gave up",
                };
                text += &format!("place #{} {}: {status}\n", attendee.place, attendee.display_name);
            }
            if attendees.is_empty() {
                text = "Nobody has registered yet.".into();
            }
            Ok(Report::done(text.trim_end(), &attendees))
        }
        EventCommand::Cancel { event, reason } => {
            let told = cx.hub.store.cancel_event(EventId(*event), reason, cx.now)?;
            Ok(Report::done(
                format!(
                    "Event #{event} is called off; places cancelled: {told} (each person told why, if they agreed to be contacted)."
                ),
                json!({ "event": event, "places_cancelled": told }),
            ))
        }
    }
}

fn add(cx: &mut Invocation<'_>, args: &EventAddArgs) -> Result<Report> {
    let zone = cx.zone()?;
    let room = cx.hub.store.room_by_name(&args.room)?;
    let (start_local, time) = time_range(&args.time, zone, cx.now, None)?;
    let host = args.host.as_deref().map(|host| cx.person(host)).transpose()?.map(|person| person.id);
    if let Some((repeat, until)) = repeat_rule(&args.repeat, start_local, zone, cx.now)? {
        let series = SeriesRequest {
            room: room.id,
            first_date: start_local.date(),
            start_time: start_local.time(),
            minutes: u32::try_from(time.minutes()).unwrap_or(u32::MAX),
            repeat,
            until,
            title: args.title.clone(),
            booked_by: host,
            booked_for: host,
            public: true,
        };
        return Ok(match cx.hub.store.add_event_series(&series, &args.description, args.places, cx.now)? {
            Ok(events) => {
                let mut text =
                    format!("Planned \"{}\" {} times, {} places each:\n", args.title, events.len(), args.places);
                for event in &events {
                    text += &format!(
                        "  #{} {}–{}\n",
                        event.id,
                        local(event.time.start(), zone),
                        hm(event.time.end(), zone)
                    );
                }
                Report::done(text.trim_end(), &events)
            }
            Err((date, refusal)) => {
                let mut report = refused(&refusal);
                report.text = format!("Nothing was planned. On {}: {}", date.format("%A %-d %B %Y"), report.text);
                report
            }
        });
    }
    let new = NewEvent {
        room: room.id,
        time,
        title: args.title.clone(),
        description: args.description.clone(),
        host,
        capacity: args.places,
    };
    Ok(match cx.hub.store.add_event(&new, cx.now)? {
        Ok(event) => Report::done(
            format!(
                "Planned event #{} \"{}\" in {}, {}–{}, {} places",
                event.id,
                event.title,
                event.room,
                local(event.time.start(), zone),
                hm(event.time.end(), zone),
                event.capacity
            ),
            &event,
        ),
        Err(refusal) => refused(&refusal),
    })
}

fn refused(refusal: &BookingRefusal) -> Report {
    Report::refusal(refusal, json!({ "refused": refusal }))
}
