//! What the kiosk does by itself while it runs: the retention purge and verified backups, and freeing rooms
//! nobody came for. All run on the database thread, so they queue behind scans rather than racing them.

use std::path::PathBuf;

use anyhow::Result;
use booking_core::{Database, PurgeReport, list_backups};
use chrono::{DateTime, Duration, Utc};
use tracing::{error, info};

use crate::clock::Clock;
use crate::hub::{BACKUP_DIR, Hub};
use crate::worker::JobSender;

/// How often to look whether a purge or backup is due.
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60 * 60);
/// How often to look for rooms nobody came for.
const NO_SHOWS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// How often a kiosk on a network's server sends what it kept while the server was away and refreshes its copy of
/// the passes and the roll-call (booking-core's spool).
const SPOOL_EVERY: std::time::Duration = std::time::Duration::from_secs(30);
/// How often a kiosk whose server is away asks whether it answers again.
const PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Where and how often the kiosk backs itself up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupPlan {
    pub dir: PathBuf,
    /// How many backups to keep; backups older than the retention period are deleted anyway.
    pub keep: usize,
    /// A new backup once the newest is this old.
    pub every: Duration,
}

impl BackupPlan {
    /// Daily into the `backups` folder of the data folder `data_dir`, keeping two weeks. The one place that says
    /// where backups go by default (better on another device: see docs/data.md).
    pub fn daily(data_dir: &std::path::Path) -> BackupPlan {
        BackupPlan { dir: data_dir.join(BACKUP_DIR), keep: 14, every: Duration::hours(24) }
    }
}

/// Runs whatever is due at `now`; returns one line per thing done, for the log.
pub fn run_due(hub: &mut Hub, plan: &BackupPlan, now: DateTime<Utc>) -> Result<Vec<String>> {
    let mut done = Vec::new();
    // The purge is idempotent and cheap when nothing is due, so it simply runs every time.
    let purged = hub.store.purge(now)?;
    if purged.erased_anything() {
        done.push(purge_summary(&purged, hub.store.site()?.time_zone));
    }
    let newest = list_backups(&plan.dir)?.first().map(|backup| backup.taken_at);
    if newest.is_none_or(|taken| now - taken >= plan.every) {
        let report = hub.store.backup_into(&plan.dir, plan.keep, now)?;
        done.push(format!("backed up to {}", report.written.path.display()));
    }
    Ok(done)
}

/// Runs [`run_due`] now and then every hour, until the database thread stops. Problems are logged, never shown
/// to visitors: a full USB stick must not stop check-ins.
pub async fn every_hour(jobs: JobSender, clock: Clock, plan: BackupPlan) {
    loop {
        let (now, plan_now) = (clock.now(), plan.clone());
        match jobs.ask(move |hub| run_due(hub, &plan_now, now).map_err(|error| format!("{error:#}"))).await {
            None => return,
            Some(Ok(done)) => done.iter().for_each(|line| info!("{line}")),
            Some(Err(error)) => error!("housekeeping failed: {error}"),
        }
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

/// Keeps the spool in step with the network's server, until the database thread stops: every half minute, what was
/// kept while it was away is sent (each check-in once), and the passes and roll-call are copied again. While the
/// server is away the database thread does not try it at every scan (booking-core's `Store::hold_while_away`: on a
/// network that drops packets each try would hold the door for the connect timeout); every few seconds this asks
/// whether it answers, from a connection of its own off that thread, and once it does, the database thread tries it
/// again and sends what it kept at once.
pub async fn keep_spool(jobs: JobSender, clock: Clock) {
    let held = jobs.ask(|hub| {
        hub.store.hold_while_away();
        hub.database.clone()
    });
    let Some(database) = held.await else { return };
    let mut next_sync = tokio::time::Instant::now();
    loop {
        let Some(away) = jobs.ask(|hub| hub.store.server_away()).await else { return };
        if away && answers(&database).await {
            jobs.ask(|hub| hub.store.retry_server()).await;
            next_sync = tokio::time::Instant::now();
        }
        if tokio::time::Instant::now() >= next_sync {
            let now = clock.now();
            match jobs.ask(move |hub| hub.store.sync_spool(now)).await {
                None => return,
                Some(Ok(0)) | Some(Err(booking_core::StoreError::Offline)) => {}
                Some(Ok(sent)) => {
                    info!("sent {sent} check-in(s) and check-out(s) kept while the hub's database was away")
                }
                Some(Err(error)) => error!("could not bring the offline copy up to date: {error}"),
            }
            next_sync = tokio::time::Instant::now() + SPOOL_EVERY;
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
}

/// Whether the hub's database answers, asked from a connection of its own on a thread that may wait.
async fn answers(database: &Database) -> bool {
    let probe = database.clone();
    tokio::task::spawn_blocking(move || probe.answers()).await.unwrap_or(false)
}

/// Every minute, frees the rooms whose booking started more than booking-core's `NO_SHOW_GRACE` ago with nobody
/// checked in (each booker is told), until the database thread stops.
pub async fn release_no_shows(jobs: JobSender, clock: Clock) {
    loop {
        let now = clock.now();
        match jobs.ask(move |hub| hub.store.release_no_shows(now)).await {
            None => return,
            Some(Ok(released)) if !released.is_empty() => {
                info!("released {} booking(s) nobody checked in to", released.len());
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => error!("could not release no-shows: {error}"),
        }
        tokio::time::sleep(NO_SHOWS_EVERY).await;
    }
}

/// One plain sentence about a purge, for the command line and the kiosk's log.
pub fn purge_summary(report: &PurgeReport, zone: chrono_tz::Tz) -> String {
    let since = report.cutoff.with_timezone(&zone).format("%-d %B %Y");
    if !report.erased_anything() {
        return format!("Nothing to erase: no personal data from before {since}.");
    }
    format!(
        "Erased personal data from before {since}: {} check-ins kept only as anonymous counts, {} visitors' names \
         and contacts erased, {} expired passes deleted, {} queue tickets unlinked, {} door sensor events deleted \
         (their hourly counts stay), {} messages deleted.",
        report.visits_counted,
        report.visitors_erased,
        report.passes_deleted,
        report.tickets_unlinked,
        report.door_events_deleted,
        report.messages_deleted
    )
}

#[cfg(test)]
mod tests {
    use booking_core::{VisitReason, WalkIn, WalkInOutcome};
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn backs_up_when_due_and_purges_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let mut hub = Hub::open(dir.path()).unwrap();
        let start = Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap();
        crate::demo::run(&mut hub, start).unwrap();
        let walk_in = WalkIn {
            display_name: "Sam Visitor".into(),
            contact: None,
            reason: VisitReason::Working,
            visiting: None,
            agreed_rules_version: 1,
        };
        let WalkInOutcome::CheckedIn { person, .. } = hub.store.walk_in(&hub.key, &walk_in, start).unwrap() else {
            panic!()
        };
        hub.store.check_out(person.id, start + Duration::hours(1)).unwrap();
        let plan = BackupPlan::daily(&hub.dir);

        let first = run_due(&mut hub, &plan, start).unwrap();
        assert!(first.iter().any(|line| line.starts_with("backed up")), "{first:?}");
        assert!(run_due(&mut hub, &plan, start + Duration::hours(23)).unwrap().is_empty(), "not due yet");
        let next = run_due(&mut hub, &plan, start + Duration::hours(24)).unwrap();
        assert_eq!(next.len(), 1, "{next:?}");
        assert_eq!(list_backups(&plan.dir).unwrap().len(), 2);

        // Forty days on, the visit is past the 30-day retention period.
        let later = run_due(&mut hub, &plan, start + Duration::days(40)).unwrap();
        assert!(later.iter().any(|line| line.starts_with("Erased personal data")), "{later:?}");
        assert_eq!(list_backups(&plan.dir).unwrap().len(), 1, "backups older than the retention period are gone");
    }

    #[test]
    fn rooms_nobody_checked_in_to_are_released_for_others() {
        let dir = tempfile::tempdir().unwrap();
        let mut hub = Hub::open(dir.path()).unwrap();
        let at = |hour, minute| Utc.with_ymd_and_hms(2027, 1, 5, hour, minute, 0).unwrap();
        crate::demo::run(&mut hub, at(9, 0)).unwrap();
        // Booked at 09:00 for 10:15–11:45; it is 11:00 and nobody has checked in.
        let request = booking_core::BookingRequest {
            room: hub.store.room_by_name("Meeting Room 2").unwrap().id,
            slot: booking_core::Slot::new(at(10, 15), at(11, 45)).unwrap(),
            title: "Forgotten".into(),
            booked_by: None,
            booked_for: None,
            public: false,
        };
        let booking_core::BookingOutcome::Booked(late) = hub.store.book(&request, at(9, 0)).unwrap() else {
            panic!("the morning booking is allowed")
        };
        let database = crate::worker::DatabaseThread::spawn(hub).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let task = runtime.spawn(release_no_shows(database.sender(), Clock::Fixed(at(11, 0))));
        let status = runtime.block_on(async {
            let jobs = database.sender();
            loop {
                let status = jobs.ask(move |hub| hub.store.booking(late.id).unwrap().status).await.unwrap();
                if status != booking_core::BookingStatus::Confirmed {
                    return status;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        });
        assert_eq!(status, booking_core::BookingStatus::Released);
        task.abort();
        database.stop();
    }
}
