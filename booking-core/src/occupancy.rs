//! Who is on site, how full the building is, and what each room is doing now and next.

use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;

use crate::bookings::bookings_overlapping;
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{BookingId, PersonId, SurgeryId};
use crate::people::Role;
use crate::room_calendars::external_blocks;
use crate::rooms::Room;
use crate::sql::params;
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

impl OnSite {
    /// Someone on site from a row of (person, name, role, since, reason): the hub's visits and a kiosk's spool alike.
    pub(crate) fn read(row: &crate::sql::Row<'_>) -> crate::sql::Result<OnSite> {
        Ok(OnSite {
            person_id: row.get(0)?,
            display_name: row.get(1)?,
            role: row.get::<_, String>(2)?.parse().unwrap_or(Role::Visitor),
            since: from_db(row.get(3)?),
            reason: row.get(4)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomNowNext {
    pub room: Room,
    pub now: Option<RoomUse>,
    /// What comes next later today.
    pub next: Option<RoomUse>,
}

/// A room in use: an active booking, or a drop-in session held there (its place is the room's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomUse {
    pub title: String,
    pub slot: Slot,
    pub what: RoomUseKind,
    /// Whether the title may show on public displays: a session's topic always, a booking's when booked as public.
    pub public: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RoomUseKind {
    Booking(BookingId),
    Session(SurgeryId),
    /// A time the room's own calendar shows it busy (an external block): no title on displays.
    Calendar,
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
    /// Everyone checked in here and not yet out, by name: the evacuation roll-call. While the network's server
    /// cannot be reached, everyone this kiosk has on site ([`Store::offline_since`] says since when).
    pub fn roll_call(&self) -> Result<Vec<OnSite>> {
        match self.roll_call_online() {
            Err(StoreError::Offline) => self.roll_call_offline().unwrap_or(Err(StoreError::Offline)),
            roll_call => roll_call,
        }
    }

    fn roll_call_online(&self) -> Result<Vec<OnSite>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT p.id, p.display_name, p.role, v.checked_in_at, v.reason
             FROM visits v JOIN people p ON p.id = v.person_id
             WHERE v.checked_out_at IS NULL AND v.site_id = ?1 ORDER BY p.display_name, p.id",
        )?;
        let people = statement.query_map([self.site], OnSite::read)?.collect::<crate::sql::Result<_>>()?;
        Ok(people)
    }

    /// The staff view's numbers at `now`. While the network's server cannot be reached, what this kiosk knows:
    /// who it has on site against the capacity, and no rooms or arrivals.
    pub fn occupancy(&self, now: DateTime<Utc>) -> Result<Occupancy> {
        match self.occupancy_online(now) {
            Err(StoreError::Offline) => {
                // Straight from the copy: asking the server again would only wait for it once more.
                let on_site = self.roll_call_offline().unwrap_or(Err(StoreError::Offline))?.len() as u32;
                let safe_capacity = self.site_offline().unwrap_or(Err(StoreError::Offline))?.safe_capacity;
                let percent_of_capacity = (u64::from(on_site) * 100 / u64::from(safe_capacity.max(1))) as u32;
                Ok(Occupancy {
                    on_site,
                    safe_capacity,
                    percent_of_capacity,
                    rooms: Vec::new(),
                    arrivals_per_hour: [0; 24],
                })
            }
            occupancy => occupancy,
        }
    }

    fn occupancy_online(&self, now: DateTime<Utc>) -> Result<Occupancy> {
        let site = self.site()?;
        let on_site: u32 = self
            .conn
            .prepare_cached("SELECT count(*) FROM visits WHERE checked_out_at IS NULL AND site_id = ?1")?
            .query_row([self.site], |row| row.get(0))?;
        let day = local_day(site.time_zone, now.with_timezone(&site.time_zone).date_naive());
        let rest_of_day = Slot::new(now, day.end().max(now + chrono::Duration::minutes(1)))?;
        let rooms = self
            .uses_by_room(rest_of_day)?
            .into_iter()
            .map(|(room, uses)| {
                let now_use = uses.iter().find(|room_use| room_use.slot.contains(now)).cloned();
                let after = now_use.as_ref().map_or(now, |room_use| room_use.slot.end());
                let next = uses.into_iter().find(|room_use| room_use.slot.start() >= after);
                RoomNowNext { room, now: now_use, next }
            })
            .collect();
        let mut arrivals_per_hour = [0u32; 24];
        let mut statement = self.conn.prepare_cached(
            "SELECT checked_in_at FROM visits WHERE checked_in_at >= ?1 AND checked_in_at < ?2 AND site_id = ?3",
        )?;
        let instants = statement
            .query_map(params![to_db(day.start()), to_db(day.end()), self.site], |row| row.get::<_, i64>(0))?;
        for seconds in instants {
            let hour = from_db(seconds?).with_timezone(&site.time_zone).hour() as usize;
            arrivals_per_hour[hour.min(23)] += 1;
        }
        let percent_of_capacity = (u64::from(on_site) * 100 / u64::from(site.safe_capacity.max(1))) as u32;
        Ok(Occupancy { on_site, safe_capacity: site.safe_capacity, percent_of_capacity, rooms, arrivals_per_hour })
    }

    /// Every room with what uses it during `range` (active bookings, and drop-in sessions whose place is the room's
    /// name), in start order.
    pub(crate) fn uses_by_room(&self, range: Slot) -> Result<Vec<(Room, Vec<RoomUse>)>> {
        let bookings = bookings_overlapping(&self.conn, self.site, range, None)?;
        let sessions: Vec<_> = self.surgeries_overlapping(range)?.into_iter().filter(|s| !s.cancelled).collect();
        let blocks = external_blocks(&self.conn, None, range)?;
        self.rooms()?
            .into_iter()
            .map(|room| {
                let booked = bookings.iter().filter(|b| b.room_id == room.id && b.status.is_active()).map(|b| {
                    RoomUse { title: b.title.clone(), slot: b.slot, what: RoomUseKind::Booking(b.id), public: b.public }
                });
                let held_here = |place: &str| place.trim().eq_ignore_ascii_case(room.name.trim());
                let sessions = sessions.iter().filter(|s| held_here(&s.place)).map(|s| RoomUse {
                    title: s.topic.clone(),
                    slot: s.time,
                    what: RoomUseKind::Session(s.id),
                    public: true,
                });
                let calendar = blocks.iter().filter(|block| block.room == room.id).map(|block| RoomUse {
                    title: block.summary.clone(),
                    slot: block.slot,
                    what: RoomUseKind::Calendar,
                    public: false,
                });
                let mut uses: Vec<RoomUse> = booked.chain(sessions).chain(calendar).collect();
                uses.sort_by_key(|room_use| (room_use.slot.start(), room_use.slot.end()));
                Ok((room, uses))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::bookings::BookingRequest;
    use crate::people::NewPerson;
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;
    use crate::surgeries::NewSurgery;

    use super::*;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 12, hour, minute, 0).unwrap()
    }

    #[test]
    fn a_session_held_in_a_room_uses_it_like_a_booking() {
        let mut store = london_hub();
        let cafe = store.add_room(&NewRoom { bookable: false, ..NewRoom::named("Café", 30) }).unwrap();
        let studio = store.add_room(&NewRoom::named("Studio", 6)).unwrap();
        let host =
            NewPerson { display_name: "Grace Host".into(), contact: None, role: Role::Host, rules_version: None };
        let host = store.add_person(&host, at(8, 0)).unwrap().id;
        let session = |topic: &str, place: &str, start, end| NewSurgery {
            topic: topic.into(),
            host,
            place: place.into(),
            time: Slot::new(start, end).unwrap(),
            slot_minutes: 30,
            seats_per_slot: 1,
        };
        store.add_surgery(&session("Digital help", " café ", at(10, 0), at(13, 0)), at(8, 0)).unwrap();
        store.add_surgery(&session("CV help", "Studio", at(15, 0), at(16, 0)), at(8, 0)).unwrap();
        let booking = BookingRequest {
            room: studio.id,
            slot: Slot::new(at(12, 0), at(13, 0)).unwrap(),
            title: "Podcast".into(),
            booked_by: None,
            booked_for: None,
            public: false,
        };
        store.book(&booking, at(8, 0)).unwrap();

        let occupancy = store.occupancy(at(11, 0)).unwrap();
        let room = |id| occupancy.rooms.iter().find(|room| room.room.id == id).unwrap();
        let cafe_now = room(cafe.id).now.as_ref().expect("the café is in use by the drop-in");
        assert_eq!((cafe_now.title.as_str(), cafe_now.slot.end()), ("Digital help", at(13, 0)));
        assert!(matches!(cafe_now.what, RoomUseKind::Session(_)));
        assert!(room(studio.id).now.is_none());
        let studio_next = room(studio.id).next.as_ref().unwrap();
        assert_eq!((studio_next.title.as_str(), studio_next.slot.start()), ("Podcast", at(12, 0)));

        let later = store.occupancy(at(12, 30)).unwrap();
        let studio = later.rooms.iter().find(|room| room.room.id == studio.id).unwrap();
        assert_eq!(studio.now.as_ref().map(|u| u.title.as_str()), Some("Podcast"));
        assert_eq!(studio.next.as_ref().map(|u| u.title.as_str()), Some("CV help"));
    }
}
