//! What the displays show: a tablet beside each room's door, and a TV in the lobby. Public by construction — room
//! names, times, public titles, session topics and ticket numbers, never a person.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::db::Store;
use crate::error::Result;
use crate::ids::{EventId, RoomId, SurgeryId};
use crate::occupancy::RoomUse;
use crate::site::{Opening, opening_on};
use crate::time::{Slot, local_day};

/// How far ahead a room's display looks for its next bookings.
const LOOK_AHEAD: Duration = Duration::days(7);
/// How many coming bookings a room's display lists.
const NEXT_SHOWN: usize = 3;

/// Everything every display shows, read at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Boards {
    pub at: DateTime<Utc>,
    pub hub_name: String,
    /// The hub's zone, for showing the times.
    pub time_zone: Tz,
    pub rooms: Vec<RoomBoard>,
    /// Today's drop-in sessions that have not ended, earliest first.
    pub sessions: Vec<SessionBoard>,
    /// The queue numbers being called now.
    pub calling: Vec<Calling>,
    /// Today's events that have not ended, earliest first.
    pub events: Vec<EventBoard>,
    /// Today's unconference days, whole.
    pub unconferences: Vec<crate::UnconferenceBoard>,
}

impl Boards {
    pub fn room(&self, id: RoomId) -> Option<&RoomBoard> {
        self.rooms.iter().find(|room| room.room_id == id)
    }
}

/// One room's door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomBoard {
    pub room_id: RoomId,
    pub name: String,
    pub capacity: u32,
    /// Whether people may book it (at the kiosk or from the display's QR code).
    pub bookable: bool,
    pub state: RoomState,
    /// What comes after the current use, at most three, within the coming week.
    pub next: Vec<BoardEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RoomState {
    /// Free now, until the next booking or closing time, whichever comes first.
    Free { until: DateTime<Utc> },
    /// In use until `until` (back-to-back uses run together); the title only when it is public.
    Busy { until: DateTime<Utc>, title: Option<String> },
    /// The hub is closed now; when it next opens within a week, if it does.
    Closed { opens: Option<DateTime<Utc>> },
}

/// A coming use of a room: its time, and its title only when public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardEntry {
    pub slot: Slot,
    pub title: Option<String>,
}

impl From<&RoomUse> for BoardEntry {
    fn from(room_use: &RoomUse) -> BoardEntry {
        BoardEntry { slot: room_use.slot, title: room_use.public.then(|| room_use.title.clone()) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionBoard {
    pub id: SurgeryId,
    pub topic: String,
    pub place: String,
    pub time: Slot,
    /// Places still free in times that have not ended.
    pub free_places: u32,
    pub cancelled: bool,
}

/// An event as the lobby shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventBoard {
    pub id: EventId,
    pub title: String,
    pub room: String,
    pub time: Slot,
    pub free_places: u32,
    pub waiting: u32,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calling {
    pub number: u32,
    pub topic: String,
    pub place: String,
}

impl Store {
    /// What every display shows at `now`.
    pub fn boards(&self, now: DateTime<Utc>) -> Result<Boards> {
        let site = self.site()?;
        let zone = site.time_zone;
        let today = now.with_timezone(&zone).date_naive();
        // When the hub is open now, and until when; otherwise when it next opens.
        let mut open_until = None;
        let mut opens = None;
        for offset in 0..8 {
            let date = today + Duration::days(offset);
            if let Opening::Open { slot, .. } = opening_on(&self.conn, &site, date)? {
                if slot.contains(now) {
                    open_until = Some(slot.end());
                    break;
                }
                if slot.start() > now {
                    opens = Some(slot.start());
                    break;
                }
            }
        }
        let rooms = self
            .uses_by_room(Slot::new(now, now + LOOK_AHEAD)?)?
            .into_iter()
            .map(|(room, uses)| {
                let current = uses.iter().find(|room_use| room_use.slot.contains(now));
                // Back-to-back uses run together: the room is busy until the first gap.
                let busy_until = current.map(|first| {
                    uses.iter()
                        .skip_while(|room_use| room_use.slot.end() <= first.slot.start())
                        .try_fold(first.slot.end(), |until, room_use| {
                            if room_use.slot.start() <= until { Ok(until.max(room_use.slot.end())) } else { Err(until) }
                        })
                        .unwrap_or_else(|until| until)
                });
                let after = busy_until.unwrap_or(now);
                let coming: Vec<&RoomUse> = uses.iter().filter(|room_use| room_use.slot.start() >= after).collect();
                let state = match (current, open_until) {
                    (Some(first), _) => RoomState::Busy {
                        until: busy_until.unwrap_or(first.slot.end()),
                        title: BoardEntry::from(first).title,
                    },
                    (None, Some(closes)) => {
                        RoomState::Free { until: coming.first().map_or(closes, |next| next.slot.start().min(closes)) }
                    }
                    (None, None) => RoomState::Closed { opens },
                };
                RoomBoard {
                    room_id: room.id,
                    name: room.name,
                    capacity: room.capacity,
                    bookable: room.bookable,
                    state,
                    next: coming.into_iter().take(NEXT_SHOWN).map(BoardEntry::from).collect(),
                }
            })
            .collect();
        let day = local_day(zone, today);
        let sessions = self
            .surgeries_overlapping(day)?
            .into_iter()
            .filter(|session| session.time.end() > now)
            .map(|session| SessionBoard {
                free_places: if session.cancelled {
                    0
                } else {
                    session.slots.iter().filter(|slot| slot.time.end() > now).map(|slot| slot.free()).sum()
                },
                id: session.id,
                topic: session.topic,
                place: session.place,
                time: session.time,
                cancelled: session.cancelled,
            })
            .collect();
        let mut statement = self.conn.prepare_cached(
            "SELECT t.number, g.topic, g.place FROM queue_tickets t JOIN surgeries g ON g.id = t.surgery_id
             WHERE t.status = 'called' AND g.cancelled_at IS NULL AND g.end_utc > ?1 AND g.site_id = ?2
             ORDER BY t.called_at DESC, t.id DESC",
        )?;
        let calling = statement
            .query_map(crate::sql::params![crate::time::to_db(now), self.site], |row| {
                Ok(Calling { number: row.get(0)?, topic: row.get(1)?, place: row.get(2)? })
            })?
            .collect::<crate::sql::Result<_>>()?;
        let events = self
            .events_overlapping(day)?
            .into_iter()
            .filter(|event| event.time.end() > now)
            .map(|event| EventBoard {
                free_places: event.free(),
                id: event.id,
                title: event.title,
                room: event.room,
                time: event.time,
                waiting: event.waiting,
                cancelled: event.cancelled,
            })
            .collect();
        let unconferences = self.unconferences_on(now.with_timezone(&zone).date_naive())?;
        Ok(Boards { at: now, hub_name: site.name, time_zone: zone, rooms, sessions, calling, events, unconferences })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::bookings::BookingRequest;
    use crate::people::{NewPerson, Role};
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;
    use crate::surgeries::NewSurgery;

    use super::*;

    /// Tuesday 12 January 2027 in London (GMT); new hubs open 09:00–18:00, Monday to Saturday.
    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 12, hour, minute, 0).unwrap()
    }

    fn book(store: &mut Store, room: RoomId, from: (u32, u32), to: (u32, u32), title: &str, public: bool) {
        let request = BookingRequest {
            room,
            slot: Slot::new(at(from.0, from.1), at(to.0, to.1)).unwrap(),
            title: title.into(),
            booked_by: None,
            booked_for: None,
            public,
        };
        assert!(matches!(store.book(&request, at(8, 0)).unwrap(), crate::BookingOutcome::Booked(_)));
    }

    #[test]
    fn a_room_is_free_until_its_next_booking_and_busy_until_the_first_gap() {
        let mut store = london_hub();
        let studio = store.add_room(&NewRoom::named("Studio", 6)).unwrap().id;
        book(&mut store, studio, (10, 0), (11, 0), "Board meeting", false);
        book(&mut store, studio, (11, 0), (12, 0), "Open repair café", true);
        book(&mut store, studio, (14, 0), (15, 0), "Podcast", false);

        let board = |store: &Store, time| store.boards(time).unwrap().room(studio).unwrap().clone();
        let early = board(&store, at(9, 30));
        assert_eq!(early.state, RoomState::Free { until: at(10, 0) });
        let titles: Vec<_> = early.next.iter().map(|entry| entry.title.as_deref()).collect();
        assert_eq!(titles, [None, Some("Open repair café"), None], "private titles are never shown");

        let busy = board(&store, at(10, 30));
        assert_eq!(busy.state, RoomState::Busy { until: at(12, 0), title: None });
        assert_eq!(busy.next.len(), 1, "what runs on without a gap is not listed as next");
        assert_eq!(busy.next[0].slot.start(), at(14, 0));

        let public = board(&store, at(11, 30));
        assert_eq!(public.state, RoomState::Busy { until: at(12, 0), title: Some("Open repair café".into()) });

        let afternoon = board(&store, at(15, 30));
        assert_eq!(afternoon.state, RoomState::Free { until: at(18, 0) }, "free until closing time");
    }

    #[test]
    fn a_closed_hub_says_when_it_opens() {
        let store = london_hub();
        let evening = store.boards(at(20, 0)).unwrap();
        assert!(
            evening
                .rooms
                .iter()
                .all(|room| room.state == RoomState::Closed { opens: Some(at(9, 0) + Duration::days(1)) })
        );
    }

    #[test]
    fn the_lobby_lists_todays_sessions_with_free_places_and_the_numbers_called() {
        let mut store = london_hub();
        let host =
            NewPerson { display_name: "Grace Host".into(), contact: None, role: Role::Host, rules_version: None };
        let host = store.add_person(&host, at(8, 0)).unwrap().id;
        let new = NewSurgery {
            topic: "Digital help".into(),
            host,
            place: "Café".into(),
            time: Slot::new(at(10, 0), at(12, 0)).unwrap(),
            slot_minutes: 30,
            seats_per_slot: 2,
        };
        let session = store.add_surgery(&new, at(8, 0)).unwrap();
        store.take_ticket(session.id, None, at(10, 5)).unwrap();
        store.take_ticket(session.id, None, at(10, 6)).unwrap();
        store.call_next(session.id, at(10, 10)).unwrap();

        let lobby = store.boards(at(10, 40)).unwrap();
        assert_eq!(lobby.sessions.len(), 1);
        assert_eq!(lobby.sessions[0].free_places, 6, "three times not yet over, two places each");
        assert_eq!(lobby.calling, [Calling { number: 1, topic: "Digital help".into(), place: "Café".into() }]);
        assert!(store.boards(at(12, 0)).unwrap().sessions.is_empty(), "a session over is gone");
    }
}
