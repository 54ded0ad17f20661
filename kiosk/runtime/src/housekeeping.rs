//! What the kiosk does by itself while it runs: the retention purge and verified backups. Both run on the database
//! thread, so they queue behind scans rather than racing them.

use std::path::PathBuf;

use anyhow::Result;
use booking_core::{PurgeReport, list_backups};
use chrono::{DateTime, Duration, Utc};
use tracing::{error, info};

use crate::clock::Clock;
use crate::hub::{BACKUP_DIR, Hub};
use crate::worker::JobSender;

/// How often to look whether a purge or backup is due.
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60 * 60);

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
}
