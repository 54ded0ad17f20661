//! What the door sensors saw: events (door opened, someone came in, an alert) and the hourly in/out counts that
//! outlive them. The kiosk decides what an event is; this only keeps it. Nothing recorded identifies a person.

use std::str::FromStr;

use crate::sql::params;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde::Serialize;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::site::load_site;
use crate::text;
use crate::time::{from_db, local_day, to_db};

/// The kinds of door event, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DoorEventKind {
    Opened,
    Closed,
    Entered,
    Left,
    Motion,
    Pressed,
    Alert,
}

impl DoorEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DoorEventKind::Opened => "opened",
            DoorEventKind::Closed => "closed",
            DoorEventKind::Entered => "entered",
            DoorEventKind::Left => "left",
            DoorEventKind::Motion => "motion",
            DoorEventKind::Pressed => "pressed",
            DoorEventKind::Alert => "alert",
        }
    }
}

impl FromStr for DoorEventKind {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<DoorEventKind> {
        [
            DoorEventKind::Opened,
            DoorEventKind::Closed,
            DoorEventKind::Entered,
            DoorEventKind::Left,
            DoorEventKind::Motion,
            DoorEventKind::Pressed,
            DoorEventKind::Alert,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
        .ok_or_else(|| StoreError::invalid(format!("unknown door event \"{text}\"")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorEvent {
    pub at: DateTime<Utc>,
    pub sensor: String,
    pub kind: DoorEventKind,
    pub detail: String,
}

/// A day's counts across every beam pair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DoorDay {
    pub entered: u32,
    pub left: u32,
}

impl Store {
    /// Keeps one event; people coming in or going out also count towards their local hour.
    pub fn record_door_event(&mut self, event: &DoorEvent) -> Result<()> {
        let sensor = text::clean("sensor name", &event.sensor, 80)?;
        let site = self.site;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO door_events (site_id, at, sensor, event, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![site, to_db(event.at), sensor, event.kind.as_str(), event.detail])?;
            let (entered, exited) = match event.kind {
                DoorEventKind::Entered => (1, 0),
                DoorEventKind::Left => (0, 1),
                _ => return Ok(()),
            };
            let local = event.at.with_timezone(&load_site(tx, site)?.time_zone);
            tx.prepare_cached(
                "INSERT INTO door_counts (site_id, date, hour, sensor, entered, exited) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (site_id, date, hour, sensor)
                 DO UPDATE SET entered = door_counts.entered + excluded.entered, exited = door_counts.exited + excluded.exited",
            )?
            .execute(params![site, local.date_naive().to_string(), local.hour(), sensor, entered, exited])?;
            Ok(())
        })
    }

    /// People counted in and out on a local date, across every beam pair.
    pub fn door_day(&self, date: NaiveDate) -> Result<DoorDay> {
        let (entered, left): (Option<u32>, Option<u32>) = self
            .conn
            .prepare_cached(
                "SELECT CAST(sum(entered) AS BIGINT), CAST(sum(exited) AS BIGINT) FROM door_counts
                 WHERE site_id = ?1 AND date = ?2",
            )?
            .query_row(params![self.site, date.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(DoorDay { entered: entered.unwrap_or(0), left: left.unwrap_or(0) })
    }

    /// Events of a local date, oldest first.
    pub fn door_events_on(&self, date: NaiveDate) -> Result<Vec<DoorEvent>> {
        let day = local_day(self.site()?.time_zone, date);
        let mut statement = self.conn.prepare_cached(
            "SELECT at, sensor, event, detail FROM door_events WHERE site_id = ?1 AND at >= ?2 AND at < ?3
             ORDER BY at, id",
        )?;
        let rows = statement.query_map(params![self.site, to_db(day.start()), to_db(day.end())], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, String>(3)?))
        })?;
        rows.map(|row| {
            let (at, sensor, kind, detail) = row?;
            Ok(DoorEvent { at: from_db(at), sensor, kind: kind.parse()?, detail })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::site::tests::london_hub;

    use super::*;

    fn event(hour: u32, kind: DoorEventKind) -> DoorEvent {
        DoorEvent {
            at: Utc.with_ymd_and_hms(2027, 7, 6, hour, 30, 0).unwrap(),
            sensor: "Front door counter".into(),
            kind,
            detail: String::new(),
        }
    }

    #[test]
    fn counts_add_up_per_local_day_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let mut store = Store::open(&path).unwrap();
        store.init_site(&crate::site::tests::london_site()).unwrap();
        for kind in [DoorEventKind::Entered, DoorEventKind::Entered, DoorEventKind::Left, DoorEventKind::Opened] {
            store.record_door_event(&event(9, kind)).unwrap();
        }
        // 23:30 UTC in July is 00:30 the next day in London.
        store.record_door_event(&event(23, DoorEventKind::Entered)).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let today = NaiveDate::from_ymd_opt(2027, 7, 6).unwrap();
        assert_eq!(store.door_day(today).unwrap(), DoorDay { entered: 2, left: 1 });
        assert_eq!(store.door_day(today.succ_opt().unwrap()).unwrap(), DoorDay { entered: 1, left: 0 });
        assert_eq!(store.door_events_on(today).unwrap().len(), 4);
    }

    #[test]
    fn the_purge_removes_old_events_and_keeps_the_counts() {
        let mut store = london_hub();
        store.record_door_event(&event(9, DoorEventKind::Entered)).unwrap();
        let later = Utc.with_ymd_and_hms(2027, 8, 10, 9, 0, 0).unwrap();
        store.purge(later).unwrap();
        let day = NaiveDate::from_ymd_opt(2027, 7, 6).unwrap();
        assert!(store.door_events_on(day).unwrap().is_empty());
        assert_eq!(store.door_day(day).unwrap().entered, 1);
    }
}
