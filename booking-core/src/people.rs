//! People the hub knows: the minimum needed to greet them, book for them and keep them safe.

use std::fmt;
use std::str::FromStr;

use crate::sql::{OptionalExtension, Row, params};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::PersonId;
use crate::text;
use crate::time::{from_db, to_db};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Visitor,
    Member,
    Host,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Visitor => "visitor",
            Role::Member => "member",
            Role::Host => "host",
            Role::Staff => "staff",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Role> {
        match text.trim().to_lowercase().as_str() {
            "visitor" => Ok(Role::Visitor),
            "member" => Ok(Role::Member),
            "host" => Ok(Role::Host),
            "staff" => Ok(Role::Staff),
            other => {
                Err(StoreError::invalid(format!("unknown role \"{other}\": choose visitor, member, host or staff")))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub display_name: String,
    pub contact: Option<String>,
    pub role: Role,
    /// The house-rules version they agreed to, if any.
    pub rules_version: Option<u32>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
}

impl Person {
    /// What the kiosk greets them with: the first word of their name.
    pub fn first_name(&self) -> &str {
        self.display_name.split_whitespace().next().unwrap_or(&self.display_name)
    }
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub display_name: String,
    pub contact: Option<String>,
    pub role: Role,
    pub rules_version: Option<u32>,
}

/// "Last seen" is their latest visit's last movement (one index probe), so a check-in never rewrites the person's
/// row; `people.last_seen` keeps it once the retention purge has deleted their visits. Erased people have none.
pub(crate) const PERSON_COLUMNS: &str = "id, display_name, contact, role, rules_version, first_seen,
    CASE WHEN erased_at IS NULL THEN coalesce(
        (SELECT coalesce(v.checked_out_at, v.checked_in_at) FROM visits v WHERE v.person_id = people.id
         ORDER BY v.checked_in_at DESC, v.id DESC LIMIT 1),
        last_seen) END";

pub(crate) fn person_from_row(row: &Row<'_>) -> crate::sql::Result<Person> {
    let role: String = row.get(3)?;
    Ok(Person {
        id: row.get(0)?,
        display_name: row.get(1)?,
        contact: row.get(2)?,
        role: role.parse().unwrap_or(Role::Visitor),
        rules_version: row.get(4)?,
        first_seen: row.get::<_, Option<i64>>(5)?.map(from_db),
        last_seen: row.get::<_, Option<i64>>(6)?.map(from_db),
    })
}

/// Inserts a person inside an open write transaction (shared by `add_person` and walk-in registration).
pub(crate) fn insert_person(tx: &crate::sql::Transaction<'_>, new: &NewPerson, now: DateTime<Utc>) -> Result<PersonId> {
    let name = text::clean("name", &new.display_name, 80)?;
    let contact = text::clean_optional("contact", new.contact.as_deref(), 120)?;
    tx.execute(
        "INSERT INTO people (display_name, contact, role, rules_version, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, contact, new.role.as_str(), new.rules_version, to_db(now)],
    )?;
    Ok(PersonId(tx.last_insert_rowid()?))
}

pub(crate) fn load_person(conn: &crate::sql::Connection, id: PersonId) -> Result<Person> {
    conn.prepare_cached(&format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = ?1"))?
        .query_row([id], person_from_row)
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("there is no person number {id}")))
}

impl Store {
    pub fn add_person(&mut self, new: &NewPerson, now: DateTime<Utc>) -> Result<Person> {
        let id = self.write(|tx| insert_person(tx, new, now))?;
        self.person(id)
    }

    pub fn person(&self, id: PersonId) -> Result<Person> {
        load_person(&self.conn, id)
    }

    /// Everyone, by name; `role` narrows the list.
    pub fn people(&self, role: Option<Role>) -> Result<Vec<Person>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE role = ?1 OR ?1 IS NULL ORDER BY display_name, id"
        ))?;
        let people =
            statement.query_map([role.map(Role::as_str)], person_from_row)?.collect::<crate::sql::Result<_>>()?;
        Ok(people)
    }

    /// Finds one person by exact name (ignoring case) or by number; refuses an unknown or ambiguous name.
    pub fn person_by_name_or_id(&self, name_or_id: &str) -> Result<Person> {
        let wanted = name_or_id.trim();
        if let Ok(number) = wanted.trim_start_matches('#').parse::<i64>() {
            return self.person(PersonId(number));
        }
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT {PERSON_COLUMNS} FROM people WHERE lower(display_name) = lower(?1)"))?;
        let mut matches: Vec<Person> =
            statement.query_map([wanted], person_from_row)?.collect::<crate::sql::Result<_>>()?;
        match matches.len() {
            0 => Err(StoreError::invalid(format!("nobody called \"{wanted}\" is known here"))),
            1 => Ok(matches.remove(0)),
            n => Err(StoreError::invalid(format!(
                "{n} people are called \"{wanted}\": use their number instead ({})",
                matches.iter().map(|person| format!("#{}", person.id)).collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::site::tests::london_hub;

    use super::*;

    #[test]
    fn people_are_found_by_name_or_number() {
        let mut store = london_hub();
        let now = Utc.with_ymd_and_hms(2027, 1, 5, 10, 0, 0).unwrap();
        let new =
            NewPerson { display_name: "Ada Lovelace".into(), contact: None, role: Role::Host, rules_version: None };
        let ada = store.add_person(&new, now).unwrap();
        assert_eq!(ada.first_name(), "Ada");
        assert_eq!(store.person_by_name_or_id("ada lovelace").unwrap().id, ada.id);
        assert_eq!(store.person_by_name_or_id(&format!("#{}", ada.id)).unwrap().id, ada.id);
        store.add_person(&new, now).unwrap();
        let error = store.person_by_name_or_id("Ada Lovelace").unwrap_err();
        assert!(error.to_string().starts_with("2 people are called"), "{error}");
    }
}
