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

/// Sends a test e-mail to `to` now, through the configured server.
pub fn test(device: Option<&Device>, to: &str) -> Result<Report> {
    let Some(kiosk_notify::Channels { mailer, .. }) = device.map(Device::channels).transpose()?.flatten() else {
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
