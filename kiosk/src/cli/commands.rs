//! One function per command: parse the arguments into core types, call booking-core, report the outcome.

use std::io::BufRead;

use anyhow::{Context, Result};
use booking_core::{
    BookingId, BookingOutcome, BookingRequest, CancelOutcome, DayHours, NewPass, NewPerson, NewRoom, NewSite,
    NewSurgery, Nth, PassId, Person, PersonId, Pin, PinOutcome, Repeat, Role, ScanOutcome, SeatId, SeatOutcome,
    SeriesId, SeriesOutcome, SeriesRequest, Slot, Store, SurgeryId, SurgerySlotId, TicketId, TicketStatus, TodayItem,
    UnlockOutcome, WalkIn, WalkInOutcome, WhenFull, local_day,
};
use chrono::{DateTime, Duration, Utc, Weekday};
use chrono_tz::Tz;
use kiosk_runtime::qr;
use kiosk_runtime::times::hm;
use serde_json::json;

use super::args::*;
use super::input::{bad_input, parse_date, parse_end, parse_local, parse_minutes, parse_time};
use super::report::{Report, local};
use super::{Invocation, data};

/// Sets the hub up: the first site of an empty database, or with `site` (a code) a site of a network's database.
pub fn init(
    store: &mut Store,
    args: &InitArgs,
    site: Option<&str>,
    device: Option<&super::device::Device>,
    now: DateTime<Utc>,
) -> Result<Report> {
    let new = match (&args.name, &args.time_zone, device) {
        (Some(name), Some(time_zone), _) => NewSite {
            name: name.clone(),
            time_zone: time_zone.clone(),
            safe_capacity: args.safe_capacity,
            retention_days: args.retention_days,
        },
        (_, _, Some(device)) => super::device::new_site(&device.config),
        _ => {
            return Err(bad_input(
                "name the hub and its time zone (--name \"Riverside Hub\" --time-zone Europe/London), or give a \
                 configuration file with --config",
            ));
        }
    };
    let set_up = |store: &mut Store| match site {
        Some(code) => store.add_site(code, &new),
        None => store.init_site(&new),
    };
    if let (None, Some(device)) = (&args.name, device) {
        set_up(store)?;
        super::device::reconcile(store, &device.config, now)?;
        let site = store.site()?;
        return Ok(Report::done(
            format!("Set up \"{}\" ({}) from {}.", site.name, site.time_zone, device.path.display()),
            &site,
        ));
    }
    let site = set_up(store)?;
    Ok(Report::done(
        format!(
            "Set up \"{}\" ({}, safe capacity {} people). Open Monday to Saturday 09:00–18:00; change that with \
             `kiosk site hours`.",
            site.name, site.time_zone, site.safe_capacity
        ),
        &site,
    ))
}

pub fn site(cx: &mut Invocation<'_>, command: &SiteCommand) -> Result<Report> {
    let store = &mut cx.hub.store;
    match command {
        SiteCommand::Show => {
            let site = store.site()?;
            let week = store.opening_hours()?;
            let closures = store.closures()?;
            let mut text = format!(
                "{}\n  time zone {}, safe capacity {}, visitor data kept {} days, house rules version {}\n",
                site.name, site.time_zone, site.safe_capacity, site.retention_days, site.house_rules_version
            );
            for (index, hours) in week.iter().enumerate() {
                let day = Weekday::try_from(index as u8).unwrap_or(Weekday::Mon);
                let hours = hours
                    .map_or("closed".into(), |h| format!("{}–{}", h.opens.format("%H:%M"), h.closes.format("%H:%M")));
                text += &format!("  {day}  {hours}\n");
            }
            for closure in &closures {
                text += &format!("  closed {}: {}\n", closure.date, closure.reason);
            }
            let sign_up_open = store.sign_up_is_open()?;
            text += &format!("  joining on the web: {}\n", if sign_up_open { "open" } else { "closed" });
            let document = json!({ "site": site, "hours": week, "closures": closures, "sign_up_open": sign_up_open });
            Ok(Report::done(text.trim_end(), document))
        }
        SiteCommand::List => {
            let (sites, here) = (store.sites()?, store.site()?.id);
            let lines: Vec<String> = (sites.iter())
                .map(|site| {
                    let mark = if site.id == here { "  (this kiosk)" } else { "" };
                    format!("{:<20} {} ({}){mark}", site.code, site.name, site.time_zone)
                })
                .collect();
            Ok(Report::done(lines.join("\n"), &sites))
        }
        SiteCommand::Hours { weekday, hours } => {
            let day: Weekday = weekday
                .parse()
                .map_err(|_| bad_input(format!("\"{weekday}\" is not a weekday: write mon, tue, … or sunday")))?;
            let parsed = if hours.trim().eq_ignore_ascii_case("closed") {
                None
            } else {
                let (opens, closes) = hours.split_once('-').ok_or_else(|| {
                    bad_input(format!("\"{hours}\" is not opening hours: write them like 09:00-17:30"))
                })?;
                Some(DayHours::new(parse_time(opens)?, parse_time(closes)?)?)
            };
            store.set_opening_hours(day, parsed)?;
            Ok(Report::done(format!("{day}: {hours}"), json!({ "weekday": day.to_string(), "hours": parsed })))
        }
        SiteCommand::Close { date, reason } => {
            let zone = store.site()?.time_zone;
            let date = parse_date(date, zone, cx.now)?;
            store.add_closure(date, reason)?;
            Ok(Report::done(format!("Closed on {date}: {reason}"), json!({ "date": date, "reason": reason })))
        }
        SiteCommand::SignUp { state } => {
            let open = *state == OnOff::On;
            store.set_sign_up_open(open)?;
            let text = if open {
                "People can now join on the web at /join (confirmation links and passes go by [notify.email])."
            } else {
                "Joining on the web is closed: /join asks people to join at the desk."
            };
            Ok(Report::done(text, json!({ "sign_up_open": open })))
        }
    }
}

pub fn room(cx: &mut Invocation<'_>, command: &RoomCommand) -> Result<Report> {
    let store = &mut cx.hub.store;
    match command {
        RoomCommand::Add(args) => {
            let new = NewRoom {
                name: args.name.clone(),
                capacity: args.capacity,
                features: args.features.clone(),
                bookable: !args.not_bookable,
                buffer_minutes: args.buffer,
                min_minutes: parse_minutes(&args.min)?,
                max_minutes: parse_minutes(&args.max)?,
                advance_days: args.advance_days,
            };
            let room = store.add_room(&new)?;
            Ok(Report::done(format!("Added room #{} \"{}\" for {} people", room.id, room.name, room.capacity), &room))
        }
        RoomCommand::List => {
            let rooms = store.rooms()?;
            let mut text = String::new();
            for room in &rooms {
                text += &format!(
                    "#{:<3} {:<16} {:>3} people  {}{}{}\n",
                    room.id.0,
                    room.name,
                    room.capacity,
                    if room.bookable { "bookable" } else { "not bookable" },
                    if room.buffer_minutes > 0 {
                        format!(", {} min buffer", room.buffer_minutes)
                    } else {
                        String::new()
                    },
                    if room.features.is_empty() { String::new() } else { format!(", {}", room.features.join(", ")) },
                );
            }
            if rooms.is_empty() {
                text = "No rooms yet: add one with `kiosk room add NAME --capacity N`".into();
            }
            Ok(Report::done(text.trim_end(), &rooms))
        }
    }
}

/// The rule and the last date of `args`, if it repeats.
pub(crate) fn repeat_rule(
    args: &RepeatArgs,
    start_local: chrono::NaiveDateTime,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<Option<(Repeat, chrono::NaiveDate)>> {
    let Some(repeat) = args.repeat else { return Ok(None) };
    let until = parse_date(args.until.as_deref().unwrap_or_default(), zone, now)?;
    if args.every != 1 && !matches!(repeat, RepeatChoice::Weekly) {
        return Err(bad_input("--every goes with --repeat weekly (e.g. --repeat weekly --every 3)"));
    }
    let repeat = match repeat {
        RepeatChoice::Weekly => Repeat::Weekly { every_weeks: args.every },
        RepeatChoice::Fortnightly => Repeat::Weekly { every_weeks: 2 },
        RepeatChoice::Monthly => Repeat::MonthlyByWeekday { nth: Nth::of(start_local.date()) },
    };
    Ok(Some((repeat, until)))
}

pub fn book(cx: &mut Invocation<'_>, args: &BookArgs) -> Result<Report> {
    let zone = cx.zone()?;
    let room = cx.hub.store.room_by_name(&args.room)?;
    let booked_by = args.by.as_deref().map(|who| cx.person(who)).transpose()?.map(|p| p.id);
    let booked_for = args.for_person.as_deref().map(|who| cx.person(who)).transpose()?.map(|p| p.id).or(booked_by);
    let (start_local, slot) = time_range(&args.time, zone, cx.now, None)?;
    if let Some((repeat, until)) = repeat_rule(&args.repeat, start_local, zone, cx.now)? {
        let request = SeriesRequest {
            room: room.id,
            first_date: start_local.date(),
            start_time: start_local.time(),
            minutes: u32::try_from(slot.minutes()).unwrap_or(u32::MAX),
            repeat,
            until,
            title: args.title.clone(),
            booked_by,
            booked_for,
            public: args.public,
        };
        let outcome = cx.hub.store.book_series(&request, cx.now)?;
        return Ok(match &outcome {
            SeriesOutcome::Booked { series_id, bookings } => {
                let mut text = format!("Booked {} {} times (series #{series_id}):\n", room.name, bookings.len());
                for booking in bookings {
                    text += &format!(
                        "  #{} {}–{}\n",
                        booking.id,
                        local(booking.slot.start(), zone),
                        hm(booking.slot.end(), zone)
                    );
                }
                Report::done(text.trim_end(), json!({ "series": series_id, "bookings": bookings }))
            }
            SeriesOutcome::Refused { date, refusal } => {
                let mut report = Report::refusal(refusal, json!({ "date": date, "reason": refusal }));
                report.text = format!("Nothing was booked. On {}: {}", date.format("%A %-d %B %Y"), report.text);
                report
            }
        });
    }
    let request =
        BookingRequest { room: room.id, slot, title: args.title.clone(), booked_by, booked_for, public: args.public };
    Ok(match cx.hub.store.book(&request, cx.now)? {
        BookingOutcome::Booked(booking) => Report::done(
            format!(
                "Booked {} {}–{} (booking #{})",
                booking.room_name,
                local(slot.start(), zone),
                hm(slot.end(), zone),
                booking.id
            ),
            &booking,
        ),
        BookingOutcome::Refused(refusal) => Report::refusal(&refusal, json!({ "reason": refusal })),
    })
}

/// The local start (as typed) and the range it gives; without an end or a length, `keep` is the length.
pub(crate) fn time_range(
    args: &TimeRangeArgs,
    zone: Tz,
    now: DateTime<Utc>,
    keep: Option<Duration>,
) -> Result<(chrono::NaiveDateTime, Slot)> {
    let start_local = parse_local(&args.start, zone, now)?;
    let start = booking_core::resolve_local(zone, start_local).map_err(|gap| bad_input(gap.to_string()))?;
    let end = match (&args.end, &args.duration, keep) {
        (Some(end), _, _) => parse_end(end, start_local, zone, now)?,
        (None, Some(duration), _) => start + Duration::minutes(i64::from(parse_minutes(duration)?)),
        (None, None, Some(length)) => start + length,
        (None, None, None) => return Err(bad_input("say when it ends: --end 11:00 or --duration 1h")),
    };
    Ok((start_local, Slot::new(start, end)?))
}

pub fn cancel(cx: &mut Invocation<'_>, booking: i64, series: bool, reason: Option<&str>) -> Result<Report> {
    let store = &mut cx.hub.store;
    let id = BookingId(booking);
    if series {
        let series_id: SeriesId = store
            .booking(id)?
            .series_id
            .ok_or_else(|| bad_input(format!("booking #{booking} is not part of a series")))?;
        let count = store.cancel_series(series_id, cx.now)?;
        return Ok(Report::done(
            format!("Cancelled {count} later bookings of series #{series_id}"),
            json!({ "cancelled": count }),
        ));
    }
    let outcome = store.cancel_booking(id, reason, cx.now)?;
    Ok(match &outcome {
        CancelOutcome::Cancelled(booking) => Report::done(outcome.to_string(), booking),
        CancelOutcome::AlreadyCancelled(booking) | CancelOutcome::AlreadyOver(booking) => {
            Report::refused(outcome.to_string(), booking)
        }
    })
}

pub fn move_booking(cx: &mut Invocation<'_>, booking: i64, time: &TimeRangeArgs) -> Result<Report> {
    let zone = cx.zone()?;
    let existing = cx.hub.store.booking(BookingId(booking))?;
    let (_, slot) = time_range(time, zone, cx.now, Some(existing.slot.end() - existing.slot.start()))?;
    Ok(match cx.hub.store.move_booking(existing.id, slot, cx.now)? {
        BookingOutcome::Booked(moved) => Report::done(
            format!(
                "Moved booking #{} to {}–{}",
                moved.id,
                local(moved.slot.start(), zone),
                hm(moved.slot.end(), zone)
            ),
            &moved,
        ),
        BookingOutcome::Refused(refusal) => Report::refusal(&refusal, json!({ "reason": refusal })),
    })
}

pub fn bookings(cx: &mut Invocation<'_>, date: &str) -> Result<Report> {
    let zone = cx.zone()?;
    let date = parse_date(date, zone, cx.now)?;
    let all = cx.hub.store.bookings_overlapping(local_day(zone, date), None)?;
    let mut text = format!("Bookings on {}:\n", date.format("%A %-d %B %Y"));
    for booking in &all {
        text += &format!(
            "  #{:<4} {}–{}  {:<16} {}  [{}]\n",
            booking.id.0,
            hm(booking.slot.start(), zone),
            hm(booking.slot.end(), zone),
            booking.room_name,
            booking.title,
            booking.status.as_str()
        );
    }
    if all.is_empty() {
        text += "  none\n";
    }
    Ok(Report::done(text.trim_end(), &all))
}

pub fn availability(cx: &mut Invocation<'_>, date: &str) -> Result<Report> {
    let zone = cx.zone()?;
    let date = parse_date(date, zone, cx.now)?;
    let rooms = cx.hub.store.availability(date, cx.now)?;
    let mut text = format!("Free time on {}:\n", date.format("%A %-d %B %Y"));
    for day in &rooms {
        let free = match &day.closed_reason {
            Some(reason) => format!("closed ({reason})"),
            None if day.free.is_empty() => "fully booked".into(),
            None => day
                .free
                .iter()
                .map(|range| format!("{}–{}", hm(range.start(), zone), hm(range.end(), zone)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        text += &format!("  {:<16} {:>3} people  {free}\n", day.room.name, day.room.capacity);
    }
    if rooms.is_empty() {
        text += "  no bookable rooms yet\n";
    }
    Ok(Report::done(text.trim_end(), &rooms))
}

pub fn surgery(cx: &mut Invocation<'_>, command: &SurgeryCommand) -> Result<Report> {
    let zone = cx.zone()?;
    match command {
        SurgeryCommand::Add(args) => {
            let host = cx.person(&args.host)?;
            let (_, time) = time_range(&args.time, zone, cx.now, None)?;
            let surgery = cx.hub.store.add_surgery(
                &NewSurgery {
                    topic: args.topic.clone(),
                    host: host.id,
                    place: args.place.clone(),
                    time,
                    slot_minutes: parse_minutes(&args.slot)?,
                    seats_per_slot: args.seats,
                },
                cx.now,
            )?;
            Ok(Report::done(
                format!(
                    "Added surgery #{} \"{}\" with {} slots of {} seats",
                    surgery.id,
                    surgery.topic,
                    surgery.slots.len(),
                    surgery.seats_per_slot
                ),
                &surgery,
            ))
        }
        SurgeryCommand::List { date, week } => {
            let date = parse_date(date, zone, cx.now)?;
            let days = if *week { 7 } else { 1 };
            let range =
                Slot::new(local_day(zone, date).start(), local_day(zone, date + Duration::days(days - 1)).end())?;
            let surgeries = cx.hub.store.surgeries_overlapping(range)?;
            let mut text = String::new();
            for surgery in &surgeries {
                text += &format!(
                    "#{} {} — {} with {}, {}–{}{}\n",
                    surgery.id,
                    surgery.topic,
                    surgery.place,
                    surgery.host_name,
                    local(surgery.time.start(), zone),
                    hm(surgery.time.end(), zone),
                    if surgery.cancelled { " (cancelled)" } else { "" }
                );
                for slot in &surgery.slots {
                    let free = match slot.free() {
                        0 => "full".to_owned(),
                        free => format!("{free} of {} seats free", slot.seats),
                    };
                    let waiting = if slot.waiting > 0 { format!(", {} waiting", slot.waiting) } else { String::new() };
                    text += &format!("    slot #{:<4} {}  {free}{waiting}\n", slot.id.0, hm(slot.time.start(), zone));
                }
            }
            if surgeries.is_empty() {
                text = "No surgeries then.".into();
            }
            Ok(Report::done(text.trim_end(), &surgeries))
        }
        SurgeryCommand::Book { slot, person, wait } => {
            let person = cx.person(person)?;
            let when_full = if *wait { WhenFull::JoinWaitingList } else { WhenFull::Refuse };
            let outcome = cx.hub.store.book_seat(SurgerySlotId(*slot), person.id, when_full, cx.now)?;
            Ok(match &outcome {
                SeatOutcome::Booked { seat } => {
                    Report::done(format!("{} has seat #{seat}", person.display_name), &outcome)
                }
                SeatOutcome::Waiting { position, .. } => Report::done(
                    format!("The slot is full; {} is number {position} on the waiting list", person.display_name),
                    &outcome,
                ),
                SeatOutcome::Refused(refusal) => Report::refusal(refusal, &outcome),
            })
        }
        SurgeryCommand::CallOff { session, reason } => {
            let had_places = cx.hub.store.cancel_surgery(SurgeryId(*session), reason, cx.now)?;
            Ok(Report::done(
                format!("Session #{session} is called off; {had_places} people had a place or were waiting."),
                json!({ "session": session, "places_cancelled": had_places }),
            ))
        }
        SurgeryCommand::Cancel { seat } => {
            let cancelled = cx.hub.store.cancel_seat(SeatId(*seat), cx.now)?;
            let text = match cancelled.promoted {
                Some((_, person)) => format!(
                    "Seat given up; {} moved up from the waiting list",
                    cx.hub.store.person(person)?.display_name
                ),
                None => "Seat given up".into(),
            };
            Ok(Report::done(text, cancelled))
        }
        SurgeryCommand::Queue(command) => queue(cx, command),
    }
}

fn queue(cx: &mut Invocation<'_>, command: &QueueCommand) -> Result<Report> {
    let store = &mut cx.hub.store;
    match command {
        QueueCommand::Show { surgery } => {
            let tickets = store.queue(SurgeryId(*surgery))?;
            let mut text = String::new();
            for ticket in &tickets {
                text += &format!("  ticket {:<3} {:?}\n", ticket.number, ticket.status);
            }
            if tickets.is_empty() {
                text = "Nobody in the queue yet.".into();
            }
            Ok(Report::done(text.trim_end(), &tickets))
        }
        QueueCommand::Take { surgery, person } => {
            let person = person.as_deref().map(|who| store.person_by_name_or_id(who)).transpose()?.map(|p| p.id);
            let issued = store.take_ticket(SurgeryId(*surgery), person, cx.now)?;
            Ok(Report::done(
                format!("Your number is {}. {} ahead of you.", issued.ticket.number, people_ahead(issued.ahead)),
                &issued,
            ))
        }
        QueueCommand::Call { surgery } => Ok(match store.call_next(SurgeryId(*surgery), cx.now)? {
            Some(ticket) => Report::done(format!("Calling number {}", ticket.number), &ticket),
            None => Report::refused("Nobody is waiting.", json!({})),
        }),
        QueueCommand::Seen { ticket } => {
            store.finish_ticket(TicketId(*ticket), TicketStatus::Seen, cx.now)?;
            Ok(Report::done(format!("Ticket #{ticket} seen"), json!({ "ticket": ticket, "status": "seen" })))
        }
        QueueCommand::NoShow { ticket } => {
            store.finish_ticket(TicketId(*ticket), TicketStatus::NoShow, cx.now)?;
            Ok(Report::done(
                format!("Ticket #{ticket} marked as no-show"),
                json!({ "ticket": ticket, "status": "no_show" }),
            ))
        }
    }
}

fn people_ahead(count: u32) -> String {
    match count {
        0 => "Nobody is".into(),
        1 => "1 person is".into(),
        n => format!("{n} people are"),
    }
}

pub fn person(cx: &mut Invocation<'_>, command: &PersonCommand) -> Result<Report> {
    match command {
        PersonCommand::Add { name, role, contact } => {
            let new = NewPerson {
                display_name: name.clone(),
                contact: contact.clone(),
                role: role.parse()?,
                rules_version: None,
            };
            let person = cx.hub.store.add_person(&new, cx.now)?;
            Ok(Report::done(format!("Added {} #{} {}", person.role, person.id, person.display_name), &person))
        }
        PersonCommand::List { role } => {
            let role: Option<Role> = role.as_deref().map(str::parse).transpose()?;
            let people = cx.hub.store.people(role)?;
            let mut text = String::new();
            for person in &people {
                text += &format!("#{:<4} {:<24} {}\n", person.id.0, person.display_name, person.role);
            }
            if people.is_empty() {
                text = "Nobody yet.".into();
            }
            Ok(Report::done(text.trim_end(), &people))
        }
        PersonCommand::Contact { person, email, agree, withdraw, language } => {
            let person = cx.person(person)?;
            if let Some(code) = language.as_deref()
                && !kiosk_runtime::languages::LANGUAGES.contains(&code)
            {
                return Err(bad_input(format!(
                    "--language {code}: write one of {}",
                    kiosk_runtime::languages::LANGUAGES.join(", ")
                )));
            }
            let email = email.as_deref().or(person.contact.as_deref());
            let agreed = *agree && !*withdraw;
            cx.hub.store.set_contact(person.id, email, agreed, language.as_deref(), cx.now)?;
            let text = match (agreed, email) {
                (true, Some(email)) => format!("{} will get messages at {email}.", person.display_name),
                _ => format!("{} will get no messages.", person.display_name),
            };
            Ok(Report::done(
                text,
                json!({ "person": person.id, "contact": email, "agreed": agreed, "language": language }),
            ))
        }
        PersonCommand::Import { file, dry_run, sheets } => data::person_import(cx, file, *dry_run, sheets.as_deref()),
        PersonCommand::Export { person, out } => data::person_export(cx, person, out.as_deref()),
        PersonCommand::Erase { person, yes } => data::person_erase(cx, person, *yes),
    }
}

pub fn pass(cx: &mut Invocation<'_>, command: &PassCommand) -> Result<Report> {
    match command {
        PassCommand::Issue { person, kind, booking, only_here, out } => {
            let person = cx.person(person)?;
            let new = match kind {
                PassKindChoice::Member if *only_here => NewPass::MemberHere,
                PassKindChoice::Member => NewPass::Member,
                _ if *only_here => {
                    return Err(bad_input(
                        "--only-here is for member passes: a day or booking pass works at its hub only",
                    ));
                }
                PassKindChoice::Day => NewPass::Day,
                PassKindChoice::Booking => {
                    NewPass::Booking(BookingId(booking.ok_or_else(|| bad_input("a booking pass needs --booking N"))?))
                }
            };
            let zone = cx.zone()?;
            let here_only = if new == NewPass::MemberHere { ", at this hub only" } else { "" };
            let issued = cx.hub.store.issue_pass(&cx.hub.key, person.id, new, cx.now)?;
            let prefix =
                out.clone().unwrap_or_else(|| cx.hub.dir.join("passes").join(format!("pass-{}", issued.pass.id)));
            let (png, svg) = qr::write_pass_images(&issued.payload, &prefix)?;
            Ok(Report::done(
                format!(
                    "Pass #{} for {} ({}, valid until {}{here_only})\n  code: {}\n  QR:   {} and {}",
                    issued.pass.id,
                    person.display_name,
                    issued.pass.kind.as_str(),
                    local(issued.pass.expires_at, zone),
                    issued.payload,
                    png.display(),
                    svg.display()
                ),
                json!({ "pass": issued.pass, "payload": issued.payload, "png": png, "svg": svg }),
            ))
        }
        PassCommand::Revoke { pass } => {
            let revoked = cx.hub.store.revoke_pass(PassId(*pass), cx.now)?;
            Ok(if revoked {
                Report::done(
                    format!("Pass #{pass} is cancelled; it will not open anything again"),
                    json!({ "revoked": pass }),
                )
            } else {
                Report::refused(format!("Pass #{pass} was already cancelled"), json!({ "pass": pass }))
            })
        }
    }
}

pub fn scan(cx: &mut Invocation<'_>, payload: &str) -> Result<Report> {
    let zone = cx.zone()?;
    let outcome = cx.hub.store.scan(&cx.hub.key, payload, cx.now)?;
    let mut text = match &outcome {
        ScanOutcome::CheckedIn { person, .. } => format!("{} You are checked in.", named("Welcome!", person)),
        ScanOutcome::CheckedOut { person, .. } => format!("{} You are checked out.", named("Goodbye!", person)),
        ScanOutcome::Repeat { person, on_site: true } => named("You are already checked in.", person),
        ScanOutcome::Repeat { person, on_site: false } => named("You are already checked out.", person),
        ScanOutcome::Kept { person, checked_in } => format!(
            "{} You are checked {}. (Kept on this kiosk until the hub's database answers again.)",
            named(if *checked_in { "Welcome!" } else { "Goodbye!" }, person),
            if *checked_in { "in" } else { "out" }
        ),
        ScanOutcome::Refused(refusal) => return Ok(Report::refusal(refusal, &outcome)),
    };
    if let ScanOutcome::CheckedIn { today, .. } = &outcome {
        for item in today {
            text += &match item {
                TodayItem::Booking { room, title, time, .. } => {
                    format!("\n  {}–{} {room}: {title}", hm(time.start(), zone), hm(time.end(), zone))
                }
                TodayItem::SurgerySeat { topic, place, time, .. } => {
                    format!("\n  {}–{} {topic} ({place})", hm(time.start(), zone), hm(time.end(), zone))
                }
                TodayItem::EventPlace { title, room, time, .. } => {
                    format!("\n  {}–{} {title} ({room})", hm(time.start(), zone), hm(time.end(), zone))
                }
            };
        }
    }
    Ok(Report::done(text, &outcome))
}

/// `sentence` with the person's first name before its last mark ("Welcome!" → "Welcome, Ada!"), or as it is when
/// the kiosk has no name for them (a pass issued since an offline kiosk's copy of the passes).
fn named(sentence: &str, person: &Person) -> String {
    match (person.first_name(), sentence.char_indices().last()) {
        ("", _) | (_, None) => sentence.to_owned(),
        (name, Some((end, _))) => format!("{}, {name}{}", &sentence[..end], &sentence[end..]),
    }
}

pub fn walk_in(cx: &mut Invocation<'_>, args: &WalkInArgs) -> Result<Report> {
    let visiting = args.visiting.as_deref().map(|who| cx.person(who)).transpose()?.map(|p| p.id);
    let site = cx.hub.store.site()?;
    let walk_in = WalkIn {
        display_name: args.name.clone(),
        contact: args.contact.clone(),
        reason: args.reason.parse()?,
        visiting,
        // --agree is required, so the person agreed to the rules in force now.
        agreed_rules_version: site.house_rules_version,
    };
    Ok(match cx.hub.store.walk_in(&cx.hub.key, &walk_in, cx.now)? {
        WalkInOutcome::CheckedIn { person, pass, host_to_notify, .. } => {
            let (png, _) = qr::write_pass_images(
                &pass.payload,
                &cx.hub.dir.join("passes").join(format!("pass-{}", pass.pass.id)),
            )?;
            let mut text = format!(
                "Welcome, {}! You are checked in.\n  day pass: {}\n  QR: {}",
                person.first_name(),
                pass.payload,
                png.display()
            );
            if let Some(host) = &host_to_notify {
                text += &format!("\n  {} has been told you are here.", host.display_name);
            }
            Report::done(text, json!({ "person": person, "pass": pass, "notified": host_to_notify.map(|h| h.id) }))
        }
        outcome @ WalkInOutcome::RulesNotAgreed { .. } => {
            Report::refused("The house rules have changed; please read and agree to them again.", &outcome)
        }
    })
}

pub fn check_out(cx: &mut Invocation<'_>, person: &str) -> Result<Report> {
    let person = cx.person(person)?;
    Ok(if cx.hub.store.check_out(person.id, cx.now)? {
        Report::done(format!("{} is checked out", person.display_name), json!({ "checked_out": person.id }))
    } else {
        Report::refused(format!("{} was not checked in", person.display_name), json!({ "person": person.id }))
    })
}

pub fn occupancy(cx: &mut Invocation<'_>) -> Result<Report> {
    let zone = cx.zone()?;
    let occupancy = cx.hub.store.occupancy(cx.now)?;
    let mut text = format!(
        "On site: {} of {} ({}% of safe capacity)\nRooms:\n",
        occupancy.on_site, occupancy.safe_capacity, occupancy.percent_of_capacity
    );
    for room in &occupancy.rooms {
        let now = room.now.as_ref().map_or("free".into(), |b| format!("{} until {}", b.title, hm(b.slot.end(), zone)));
        let next =
            room.next.as_ref().map_or(String::new(), |b| format!("; next {} at {}", b.title, hm(b.slot.start(), zone)));
        text += &format!("  {:<16} {now}{next}\n", room.room.name);
    }
    text += "Arrivals today by hour:\n";
    for (hour, count) in occupancy.arrivals_per_hour.iter().enumerate().filter(|(_, count)| **count > 0) {
        text += &format!("  {hour:02}:00  {}\n", "█".repeat(*count as usize));
    }
    Ok(Report::done(text.trim_end(), &occupancy))
}

pub fn roll_call(cx: &mut Invocation<'_>) -> Result<Report> {
    let zone = cx.zone()?;
    let people = cx.hub.store.roll_call()?;
    let mut text = format!("{} people on site:\n", people.len());
    for person in &people {
        text += &format!("  [ ] {:<24} {:<8} since {}\n", person.display_name, person.role, hm(person.since, zone));
    }
    Ok(Report::done(text.trim_end(), &people))
}

/// Reads a PIN from the first line of standard input, so it never appears in the shell history or `ps`; at a
/// terminal, it asks for it first.
fn read_pin() -> Result<Pin> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprint!("Type the PIN (digits only) and press Enter: ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("could not read the PIN from standard input")?;
    Ok(line.trim().parse()?)
}

pub fn staff(cx: &mut Invocation<'_>, command: &StaffCommand) -> Result<Report> {
    match command {
        StaffCommand::Add { name } => {
            let pin = read_pin()?;
            let person = cx.hub.store.add_staff(name, &pin, cx.now)?;
            Ok(Report::done(format!("Added staff member #{} {}", person.id, person.display_name), &person))
        }
        StaffCommand::SetPin { person } => {
            let person = cx.person(person)?;
            let pin = read_pin()?;
            cx.hub.store.set_pin(person.id, &pin)?;
            Ok(Report::done(format!("PIN set for {}", person.display_name), json!({ "person": person.id })))
        }
        StaffCommand::PinCheck { person } => {
            let person = cx.person(person)?;
            let pin = read_pin()?;
            let outcome = cx.hub.store.check_pin(person.id, &pin, cx.now)?;
            Ok(match &outcome {
                PinOutcome::Accepted(_) => Report::done(outcome.to_string(), &outcome),
                _ => Report::refused(outcome.to_string(), &outcome),
            })
        }
        StaffCommand::Unlock { person, by } => {
            let locked: PersonId = cx.person(person)?.id;
            let helper = cx.person(by)?;
            let pin = read_pin()?;
            Ok(match cx.hub.store.unlock_pin(locked, helper.id, &pin, cx.now)? {
                UnlockOutcome::Unlocked => Report::done(format!("Unlocked {person}"), json!({ "unlocked": locked })),
                UnlockOutcome::NotAllowed(outcome) => Report::refused(outcome.to_string(), &outcome),
            })
        }
        StaffCommand::Network { person, off } => {
            let person = cx.person(person)?;
            cx.hub.store.set_network_staff(person.id, !off)?;
            let text = if *off {
                format!("{}'s PIN now opens the staff view at {} only", person.display_name, cx.hub.store.site()?.name)
            } else {
                format!("{}'s PIN now opens the staff view at every site", person.display_name)
            };
            Ok(Report::done(text, json!({ "person": person.id, "network": !off })))
        }
    }
}
