//! `kiosk notify`: the outbox as staff see it, and a test e-mail through `[notify.email]`.

use anyhow::Result;
use booking_core::Delivery;
use kiosk_notify::words::Letter;
use serde_json::json;

use super::Invocation;
use super::device::Device;
use super::report::{Report, local};

/// How many messages wait, went and were not sent (given up), and the newest twenty (to whom, what, and how delivery went).
pub fn status(cx: &mut Invocation<'_>) -> Result<Report> {
    let (counts, lines, zone) = (cx.hub.store.message_counts()?, cx.hub.store.messages(20)?, cx.zone()?);
    let mut text = format!("{} waiting, {} sent, {} not sent.", counts.pending, counts.sent, counts.failed);
    for line in &lines {
        let delivery = match line.delivery {
            Delivery::Pending if line.attempts == 0 => "waiting".to_owned(),
            Delivery::Pending => format!("waiting, {} tries so far", line.attempts),
            Delivery::Sent => "sent".to_owned(),
            Delivery::Failed => "not sent".to_owned(),
        };
        text += &format!("\n  #{} {} to {}, {}: {delivery}", line.id, local(line.created_at, zone), line.to, line.kind);
        if let (Some(error), false) = (&line.last_error, line.delivery == Delivery::Sent) {
            text += &format!(" ({error})");
        }
    }
    Ok(Report::done(text, json!({ "counts": counts, "messages": lines })))
}

/// Sends a test now: an e-mail to `to` through the configured server, or a line to the webhook called `webhook`.
pub fn test(device: Option<&Device>, to: Option<&str>, webhook: Option<&str>) -> Result<Report> {
    let channels = device.map(Device::channels).transpose()?.flatten();
    let (mailer, webhooks) = channels.map(|channels| (channels.mailer, channels.webhooks)).unwrap_or_default();
    if let Some(name) = webhook {
        let Some(webhook) = webhooks.iter().find(|webhook| webhook.name() == name) else {
            let known: Vec<&str> = webhooks.iter().map(|webhook| webhook.name()).collect();
            let text = match known.as_slice() {
                [] => "No webhook is set up: add [[notify.webhook]] to the configuration file (kiosk config example \
                       shows how)."
                    .to_owned(),
                _ => format!("There is no webhook called \"{name}\": the configuration file has {}.", known.join(", ")),
            };
            return Ok(Report::refused(text, json!({ "sent": false })));
        };
        let hub = device.map_or("Hub Kiosk", |device| device.config.site.name.as_str());
        let sent = crate::app::runtime()?.block_on(webhook.send_test(hub));
        return Ok(match sent {
            Ok(()) => Report::done(format!("Posted a test message to {webhook:?}."), json!({ "sent": true })),
            Err(error) => Report::refused(error.to_string(), json!({ "sent": false, "error": error.to_string() })),
        });
    }
    let to = to.unwrap_or_default();
    let Some(mailer) = mailer else {
        return Ok(Report::refused(
            "No mail server is set up: add [notify.email] to the configuration file (kiosk config example shows how).",
            json!({ "sent": false }),
        ));
    };
    let letter = Letter {
        subject: "Hub Kiosk: a test message".into(),
        body: "This is a test from the hub's kiosk. If you can read it, the kiosk can send e-mail.\n".into(),
    };
    let key = format!("test.{}", chrono::Utc::now().timestamp_millis());
    let sent = crate::app::runtime()?.block_on(mailer.send("", to, &key, &letter, &Default::default()));
    Ok(match sent {
        Ok(()) => Report::done(format!("Sent a test message to {to} through {mailer:?}."), json!({ "sent": true })),
        Err(error) => Report::refused(error.to_string(), json!({ "sent": false, "error": error.to_string() })),
    })
}
