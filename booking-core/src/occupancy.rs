//! Who is on site, how full the building is, and what each room is doing now and next.

use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;

use crate::bookings::{Booking, bookings_overlapping};
use crate::db::Store;
use crate::error::Result;
use crate::ids::PersonId;
use crate::people::Role;
use crate::rooms::Room;
use crate::time::{Slot, from_db, local_day, to_db};

/// One person on the roll-call list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnSite {
    pub person_id: PersonId,
    pub display_name: String,
    pub role: Role,
    pub since: DateTime<Utc>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomNowNext {
    pub room: Room,
    pub now: Option<Booking>,
    /// The next active booking later today.
    pub next: Option<Booking>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occupancy {
    pub on_site: u32,
    pub safe_capacity: u32,
    /// People on site as a whole percentage of the safe capacity (may exceed 100).
    pub percent_of_capacity: u32,
    pub rooms: Vec<RoomNowNext>,
    /// Check-ins today by local hour of the day, index 0 = 00:00–00:59.
    pub arrivals_per_hour: [u32; 24],
}

impl Store {
    /// Everyone checked in and not yet out, by name: the evacuation roll-call.
    pub fn roll_call(&self) -> Result<Vec<OnSite>> {
        let mut statement = self.conn.prepare(
            "SELECT p.id, p.display_name, p.role, v.checked_in_at, v.reason
             FROM visits v JOIN people p ON p.id = v.person_id
             WHERE v.checked_out_at IS NULL ORDER BY p.display_name, p.id",
        )?;
        let people = statement
            .query_map([], |row| {
                Ok(OnSite {
                    person_id: row.get(0)?,
                    display_name: row.get(1)?,
                    role: row.get::<_, String>(2)?.parse().unwrap_or(Role::Visitor),
                    since: from_db(row.get(3)?),
                    reason: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(people)
    }

    /// The staff view's numbers at `now`.
    pub fn occupancy(&self, now: DateTime<Utc>) -> Result<Occupancy> {
        let site = self.site()?;
        let on_site: u32 =
            self.conn.query_row("SELECT count(*) FROM visits WHERE checked_out_at IS NULL", [], |row| row.get(0))?;
        let day = local_day(site.time_zone, now.with_timezone(&site.time_zone).date_naive());
        let rest_of_day = Slot::new(now, day.end().max(now + chrono::Duration::minutes(1)))?;
        let upcoming = bookings_overlapping(&self.conn, rest_of_day, None)?;
        let rooms = self
            .rooms()?
            .into_iter()
            .map(|room| {
                let mut active = upcoming.iter().filter(|b| b.room_id == room.id && b.status.is_active());
                let first = active.next().cloned();
                let (now_booking, next) = match first {
                    Some(booking) if booking.slot.contains(now) => (Some(booking), active.next().cloned()),
                    other => (None, other),
                };
                RoomNowNext { room, now: now_booking, next }
            })
            .collect();
        let mut arrivals_per_hour = [0u32; 24];
        let mut statement =
            self.conn.prepare("SELECT checked_in_at FROM visits WHERE checked_in_at >= ?1 AND checked_in_at < ?2")?;
        let instants = statement.query_map([to_db(day.start()), to_db(day.end())], |row| row.get::<_, i64>(0))?;
        for seconds in instants {
            let hour = from_db(seconds?).with_timezone(&site.time_zone).hour() as usize;
            arrivals_per_hour[hour.min(23)] += 1;
        }
        let percent_of_capacity = (u64::from(on_site) * 100 / u64::from(site.safe_capacity.max(1))) as u32;
        Ok(Occupancy { on_site, safe_capacity: site.safe_capacity, percent_of_capacity, rooms, arrivals_per_hour })
    }
}
