//! The delivery task: every second, the reminders that have fallen due are written and the due messages read on
//! the database thread, then sent one by one — by e-mail, and to each webhook that wants them — and each reported
//! back as sent or as a failed try (a channel that went is recorded, so a retry skips it). Offline, they wait and go once the server answers; a message is
//! never marked sent before the server took it, so a crash mid-send sends it again, with the same Message-ID.

use std::time::Duration;

use booking_core::{MessageFacts, MessageId, Outgoing};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kiosk_runtime::clock::Clock;
use kiosk_runtime::hub::Hub;
use kiosk_runtime::worker::JobSender;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::Channels;
use crate::email::{Enclosures, Mailer, SendError};
use crate::words::letter;

/// How often the outbox is looked at: a host hears of their visitor within seconds.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// At most this many messages are taken at a time.
const BATCH: u32 = 20;

/// Sends the outbox's messages until `stop` turns true or the database thread stops. `language` is for people
/// who have not chosen one (the hub's first).
pub async fn deliver(
    jobs: JobSender,
    clock: Clock,
    channels: Channels,
    language: String,
    mut stop: watch::Receiver<bool>,
) {
    // Invitations go only with an e-mail: from its sender.
    let organizer = channels.mailer.as_ref().map(Mailer::from_address);
    loop {
        if *stop.borrow() {
            return;
        }
        let (now, organizer, remind_before) = (clock.now(), organizer.clone(), channels.remind_before);
        let Some(batch) = jobs.ask(move |hub| due_batch(hub, remind_before, organizer.as_deref(), now)).await else {
            return;
        };
        let Batch { due, hub_name, zone } = batch.unwrap_or_else(|error| {
            warn!("the messages waiting cannot be read: {error}");
            Batch { due: Vec::new(), hub_name: String::new(), zone: chrono_tz::UTC }
        });
        for (message, invitation) in due {
            let language = message.language.clone().unwrap_or_else(|| language.clone());
            let words = letter(&message.facts, &message.name, &language, &hub_name, zone);
            // Every channel this message has not yet gone through; one that fails is tried again later, alone.
            let mut failed = None;
            let id = message.id;
            if let Some(mailer) = channels.mailer.as_ref().filter(|_| !message.done.iter().any(|done| done == EMAIL)) {
                let enclosures = Enclosures { pass_png: pass_png(&message), invitation };
                let sent = mailer.send(&message.name, &message.to, &message.key, &words, &enclosures).await;
                if !went(&jobs, id, EMAIL, sent, &mut failed).await {
                    return;
                }
            }
            // A sign-up link or a member pass is a key: it goes to its owner alone.
            let private = message.facts.private();
            for webhook in channels.webhooks.iter().filter(|webhook| !private && webhook.wants(message.kind())) {
                let channel = webhook.channel();
                if message.done.contains(&channel) {
                    continue;
                }
                let sent = webhook.send(&message, &words, &language, &hub_name).await;
                if !went(&jobs, id, &channel, sent, &mut failed).await {
                    return;
                }
            }
            let now = clock.now();
            let reported = match failed.clone() {
                None => jobs.ask(move |hub| hub.store.message_sent(id, now).map(|()| None)).await,
                Some(error) => jobs.ask(move |hub| hub.store.message_failed(id, &error, now)).await,
            };
            match (failed, reported) {
                (_, None) => return,
                (None, Some(Ok(_))) => info!("message {id} sent"),
                (Some(error), Some(Ok(Some(next)))) => warn!("message {id} not sent, tried again at {next}: {error}"),
                (Some(error), Some(Ok(None))) => warn!("message {id} given up: {error}"),
                (_, Some(Err(error))) => warn!("message {id}: its delivery cannot be recorded: {error}"),
            }
        }
        tokio::select! {
            () = tokio::time::sleep(LOOK_EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}

/// The outbox's name for the e-mail channel.
const EMAIL: &str = "email";

/// Records that message `id` went through `channel`, or keeps the first failure in `failed`; false if the
/// database thread has stopped.
async fn went(
    jobs: &JobSender,
    id: MessageId,
    channel: &str,
    sent: Result<(), SendError>,
    failed: &mut Option<String>,
) -> bool {
    match sent {
        Ok(()) => {
            let channel = channel.to_owned();
            match jobs.ask(move |hub| hub.store.message_went(id, &channel)).await {
                None => return false,
                Some(Err(error)) => warn!("message {id}: its delivery cannot be recorded: {error}"),
                Some(Ok(())) => {}
            }
        }
        Err(error) => {
            failed.get_or_insert_with(|| error.to_string());
        }
    }
    true
}

/// The messages due, each with its calendar invitation (for a booking, when it goes by e-mail from `organizer`),
/// and what their words need of the hub: read in one job on the database thread.
struct Batch {
    due: Vec<(Outgoing, Option<String>)>,
    hub_name: String,
    zone: Tz,
}

fn due_batch(
    hub: &mut Hub,
    remind_before: Option<chrono::Duration>,
    organizer: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Batch, String> {
    if let Some(before) = remind_before {
        hub.store.queue_reminders(now, before).map_err(|error| error.to_string())?;
    }
    let site = hub.store.site().map_err(|error| error.to_string())?;
    let due = hub.store.due_messages(now, BATCH).map_err(|error| error.to_string())?;
    let due = due
        .into_iter()
        .map(|message| {
            // An invitation that cannot be made is left out: the words still tell the person what they need.
            let invitation = organizer.and_then(|organizer| {
                hub.store
                    .invitation(&message.facts, (&message.name, &message.to), organizer, now)
                    .inspect_err(|error| {
                        warn!("message {}: its calendar invitation cannot be made: {error}", message.id)
                    })
                    .ok()
                    .flatten()
            });
            (message, invitation)
        })
        .collect();
    Ok(Batch { due, hub_name: site.name, zone: site.time_zone })
}

/// The pass `message` carries, as a QR code (left out, and logged, if it cannot be drawn).
fn pass_png(message: &Outgoing) -> Option<Vec<u8>> {
    let (MessageFacts::Booked { pass: Some(pass), .. } | MessageFacts::Welcome { pass }) = &message.facts else {
        return None;
    };
    kiosk_runtime::qr::pass_png(pass)
        .inspect_err(|error| warn!("message {}: its pass cannot be drawn: {error:#}", message.id))
        .ok()
}
