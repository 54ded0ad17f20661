//! Rooms and their booking policies.

use crate::sql::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{RoomId, SiteId};
use crate::text;

/// A room and the rules for booking it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Room {
    pub id: RoomId,
    /// The site the room is at: its opening hours and time zone are the room's.
    pub site: SiteId,
    pub name: String,
    pub capacity: u32,
    /// Free-text tags such as "projector" or "step-free".
    pub features: Vec<String>,
    pub bookable: bool,
    /// Minutes kept free between two bookings for tidying up.
    pub buffer_minutes: u32,
    pub min_minutes: u32,
    pub max_minutes: u32,
    /// How many days ahead the room can be booked.
    pub advance_days: u32,
}

/// What `add_room` needs; `NewRoom::named` gives the usual policy.
#[derive(Debug, Clone)]
pub struct NewRoom {
    pub name: String,
    pub capacity: u32,
    pub features: Vec<String>,
    pub bookable: bool,
    pub buffer_minutes: u32,
    pub min_minutes: u32,
    pub max_minutes: u32,
    pub advance_days: u32,
}

impl NewRoom {
    /// A bookable room with no buffer, bookings of 15 minutes to 8 hours, up to 90 days ahead.
    pub fn named(name: &str, capacity: u32) -> NewRoom {
        NewRoom {
            name: name.into(),
            capacity,
            features: Vec::new(),
            bookable: true,
            buffer_minutes: 0,
            min_minutes: 15,
            max_minutes: 480,
            advance_days: 90,
        }
    }
}

const ROOM_COLUMNS: &str =
    "id, name, capacity, features, bookable, buffer_minutes, min_minutes, max_minutes, advance_days, site_id";

fn room_from_row(row: &Row<'_>) -> crate::sql::Result<Room> {
    let features: String = row.get(3)?;
    Ok(Room {
        id: row.get(0)?,
        name: row.get(1)?,
        capacity: row.get(2)?,
        features: features.split(',').filter(|tag| !tag.is_empty()).map(str::to_owned).collect(),
        bookable: row.get(4)?,
        buffer_minutes: row.get(5)?,
        min_minutes: row.get(6)?,
        max_minutes: row.get(7)?,
        advance_days: row.get(8)?,
        site: row.get(9)?,
    })
}

pub(crate) fn load_room(conn: &Connection, id: RoomId) -> Result<Room> {
    conn.prepare_cached(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = ?1"))?
        .query_row([id], room_from_row)
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("there is no room number {id}")))
}

impl Store {
    pub fn add_room(&mut self, new: &NewRoom) -> Result<Room> {
        let name = text::clean("room name", &new.name, 60)?;
        if new.capacity == 0 {
            return Err(StoreError::invalid(format!("room \"{name}\" needs a capacity of at least 1")));
        }
        if new.buffer_minutes > 240 {
            return Err(StoreError::invalid("a changeover buffer can be at most 240 minutes"));
        }
        if new.min_minutes == 0 || new.min_minutes > new.max_minutes {
            return Err(StoreError::invalid(format!(
                "the shortest booking ({} min) must be at least 1 minute and no longer than the longest ({} min)",
                new.min_minutes, new.max_minutes
            )));
        }
        if new.advance_days > 730 {
            return Err(StoreError::invalid("rooms can be booked at most 730 days ahead"));
        }
        let mut features = Vec::new();
        for tag in &new.features {
            let tag = text::clean("feature", &tag.replace(',', " "), 40)?.to_lowercase();
            if !features.contains(&tag) {
                features.push(tag);
            }
        }
        let site = self.site;
        let id = self.write(|tx| {
            crate::site::load_site(tx, site)?;
            let taken: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM rooms WHERE site_id = ?1 AND lower(name) = lower(?2))")?
                .query_row(params![site, &name], |row| row.get(0))?;
            if taken {
                return Err(StoreError::invalid(format!("there is already a room called \"{name}\"")));
            }
            tx.execute(
                "INSERT INTO rooms (name, capacity, features, bookable, buffer_minutes, min_minutes, max_minutes,
                                    advance_days, site_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    name,
                    new.capacity,
                    features.join(","),
                    new.bookable,
                    new.buffer_minutes,
                    new.min_minutes,
                    new.max_minutes,
                    new.advance_days,
                    site
                ],
            )?;
            Ok(RoomId(tx.last_insert_rowid()?))
        })?;
        self.room(id)
    }

    /// The site's rooms, by name.
    pub fn rooms(&self) -> Result<Vec<Room>> {
        let mut statement =
            self.conn.prepare_cached(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE site_id = ?1 ORDER BY name"))?;
        let rooms = statement.query_map([self.site], room_from_row)?.collect::<crate::sql::Result<_>>()?;
        Ok(rooms)
    }

    pub fn room(&self, id: RoomId) -> Result<Room> {
        load_room(&self.conn, id)
    }

    /// Finds one of the site's rooms by name, ignoring case; the error lists the rooms there are.
    pub fn room_by_name(&self, name: &str) -> Result<Room> {
        let found = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ROOM_COLUMNS} FROM rooms WHERE site_id = ?1 AND lower(name) = lower(?2)"
            ))?
            .query_row(params![self.site, name.trim()], room_from_row)
            .optional()?;
        found.ok_or_else(|| {
            let names: Vec<String> = self.rooms().unwrap_or_default().into_iter().map(|room| room.name).collect();
            StoreError::invalid(format!(
                "unknown room \"{}\"; the rooms are: {}",
                name.trim(),
                if names.is_empty() { "none yet".into() } else { names.join(", ") }
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::site::tests::london_hub;

    use super::*;

    #[test]
    fn rooms_are_unique_by_name_ignoring_case() {
        let mut store = london_hub();
        store.add_room(&NewRoom::named("Workshop", 12)).unwrap();
        let error = store.add_room(&NewRoom::named("workshop", 4)).unwrap_err();
        assert_eq!(error.to_string(), "there is already a room called \"workshop\"");
        assert_eq!(store.room_by_name("WORKSHOP").unwrap().capacity, 12);
    }

    #[test]
    fn unknown_room_lists_the_rooms() {
        let mut store = london_hub();
        store.add_room(&NewRoom::named("Studio", 6)).unwrap();
        let error = store.room_by_name("Studio 9").unwrap_err();
        assert_eq!(error.to_string(), "unknown room \"Studio 9\"; the rooms are: Studio");
    }

    #[test]
    fn features_are_tidy_tags() {
        let mut store = london_hub();
        let mut new = NewRoom::named("Hall", 40);
        new.features = vec!["Projector".into(), " step-free ".into(), "projector".into()];
        assert_eq!(store.add_room(&new).unwrap().features, vec!["projector", "step-free"]);
    }
}
