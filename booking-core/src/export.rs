//! The whole hub as one JSON document, and back. The data belongs to the hub: an export taken here imports into an
//! empty data folder anywhere, and exporting that again gives the same document.
//!
//! Format `hub-kiosk-export`, version 1: `{ "format", "version", "exported_at", "tables": { name: [row, …] } }`,
//! one object per row with the table's columns as keys (instants are Unix seconds, UTC; see the schema in
//! `migrations/`). Tables are written and read in dependency order. The pass-signing key is not in the export:
//! it is a secret, and copying it is a separate, deliberate step (see docs/data.md).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::sql::Connection;
use crate::time::to_db;

pub const EXPORT_FORMAT: &str = "hub-kiosk-export";
pub const EXPORT_VERSION: u32 = 1;

/// Every table, parents before children, so rows can be inserted in this order.
const TABLES: &[&str] = &[
    "site",
    "opening_hours",
    "closures",
    "rooms",
    "people",
    "sign_ups",
    "series",
    "bookings",
    "events",
    "event_places",
    "unconference_days",
    "unconference_blocks",
    "unconference_rooms",
    "unconference_cells",
    "proposals",
    "proposal_votes",
    "surgeries",
    "surgery_slots",
    "slot_seats",
    "queue_tickets",
    "passes",
    "visits",
    "visit_counts",
    "staff_pins",
    "messages",
    "door_events",
    "door_counts",
    "replayed_movements",
    // After the bookings: a block may land on a booking made first (a collision staff resolve), and the triggers
    // refuse only a booking written over a block, not a block over a booking.
    "room_calendars",
    "external_blocks",
];

/// The document. `tables` keeps rows as JSON objects so the format follows the schema without a second copy of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubExport {
    pub format: String,
    pub version: u32,
    pub exported_at: i64,
    pub tables: BTreeMap<String, Vec<Map<String, Value>>>,
}

/// How many rows an import brought in, per table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: BTreeMap<String, usize>,
}

/// Columns PostgreSQL keeps for its own constraints, derived from others and never exported: a booking's copy of
/// its room's buffer (see `migrations/postgres/`).
const DERIVED_COLUMNS: &[&str] = &["buffer_seconds"];

/// The table's columns, in the schema's order (the same on both engines).
fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let sql = match conn {
        Connection::Sqlite(_) => "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
        Connection::Postgres(_) => {
            "SELECT CAST(attname AS TEXT) FROM pg_attribute
             WHERE attrelid = to_regclass(?1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        }
    };
    let names: Vec<String> =
        conn.prepare_cached(sql)?.query_map([table], |row| row.get(0))?.collect::<crate::sql::Result<_>>()?;
    Ok(names.into_iter().filter(|name| !DERIVED_COLUMNS.contains(&name.as_str())).collect())
}

/// `ORDER BY` for the table's rows: its primary key, compared byte by byte on both engines (SQLite's `BINARY`,
/// PostgreSQL's `"C"`), so an export reads the same from either.
fn row_order(conn: &Connection, table: &str) -> Result<String> {
    let sql = match conn {
        Connection::Sqlite(_) => "SELECT name, 0 FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk",
        Connection::Postgres(_) => {
            "SELECT CAST(a.attname AS TEXT), CASE WHEN a.atttypid = CAST('text' AS regtype) THEN 1 ELSE 0 END
             FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
             WHERE i.indrelid = to_regclass(?1) AND i.indisprimary
             ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)"
        }
    };
    let key: Vec<(String, bool)> = conn
        .prepare_cached(sql)?
        .query_map([table], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<crate::sql::Result<_>>()?;
    if key.is_empty() {
        return Err(StoreError::Corrupt(format!("the table {table} has no primary key")));
    }
    Ok(key
        .iter()
        .map(|(name, text)| if *text { format!("{name} COLLATE \"C\"") } else { name.clone() })
        .collect::<Vec<_>>()
        .join(", "))
}

fn to_json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(number) => Value::Number(number.into()),
        ValueRef::Real(number) => Number::from_f64(number).map_or(Value::Null, Value::Number),
        ValueRef::Text(text) => Value::String(String::from_utf8_lossy(text).into_owned()),
        // The schema has no BLOB columns; a hand-made one is written as text rather than lost.
        ValueRef::Blob(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
    }
}

fn csv_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) if text.starts_with(['=', '+', '-', '@']) => format!("'{text}"),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn to_sql(value: &Value, place: &str) -> Result<SqlValue> {
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Bool(flag) => SqlValue::Integer(i64::from(*flag)),
        Value::Number(number) => match number.as_i64() {
            Some(integer) => SqlValue::Integer(integer),
            None => SqlValue::Real(number.as_f64().unwrap_or_default()),
        },
        Value::String(text) => SqlValue::Text(text.clone()),
        Value::Array(_) | Value::Object(_) => {
            return Err(StoreError::invalid(format!("{place}: expected a number, text or null")));
        }
    })
}

/// The rows of `table` matching `filter` (an SQL condition over `params`), oldest first, as JSON objects.
/// `hidden` columns are left out (a PIN hash is nobody's business, not even its owner's).
pub(crate) fn rows_where(
    conn: &Connection,
    table: &str,
    filter: &str,
    params: impl crate::sql::Params,
    hidden: &[&str],
) -> Result<Vec<Map<String, Value>>> {
    let names: Vec<String> =
        columns(conn, table)?.into_iter().filter(|name| !hidden.contains(&name.as_str())).collect();
    let order = row_order(conn, table)?;
    let mut statement =
        conn.prepare_cached(&format!("SELECT {} FROM {table} WHERE {filter} ORDER BY {order}", names.join(", ")))?;
    let rows = statement
        .query_map(params, |row| {
            let mut object = Map::new();
            for (index, name) in names.iter().enumerate() {
                object.insert(name.clone(), to_json((&row.value(index)?).into()));
            }
            Ok(object)
        })?
        .collect::<crate::sql::Result<Vec<_>>>()?;
    Ok(rows)
}

impl Store {
    /// Every row of every table, as of `now`.
    pub fn export(&self, now: DateTime<Utc>) -> Result<HubExport> {
        let mut tables = BTreeMap::new();
        for table in TABLES {
            tables.insert((*table).to_owned(), rows_where(&self.conn, table, "1 = 1", [], &[])?);
        }
        Ok(HubExport { format: EXPORT_FORMAT.into(), version: EXPORT_VERSION, exported_at: to_db(now), tables })
    }

    /// Every table as CSV for spreadsheets, keyed by table name: a header row of column names, then one line per
    /// row. Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`. CSV is for
    /// reading; the JSON export is the one that imports again.
    pub fn export_csv(&self) -> Result<BTreeMap<String, String>> {
        let mut files = BTreeMap::new();
        for table in TABLES {
            let names = columns(&self.conn, table)?;
            let mut writer = csv::Writer::from_writer(Vec::new());
            let csv_error = |error: csv::Error| StoreError::invalid(format!("could not write {table} as CSV: {error}"));
            writer.write_record(&names).map_err(csv_error)?;
            for row in rows_where(&self.conn, table, "1 = 1", [], &[])? {
                writer.write_record(names.iter().map(|name| csv_cell(&row[name]))).map_err(csv_error)?;
            }
            let bytes = writer.into_inner().map_err(|error| StoreError::invalid(error.to_string()))?;
            files.insert((*table).to_owned(), String::from_utf8_lossy(&bytes).into_owned());
        }
        Ok(files)
    }

    /// Loads an export into this hub, which must be empty. Every row goes through the schema's checks and
    /// triggers (so an export with overlapping bookings is refused too); the first problem is named
    /// (`bookings[3].start_utc: …`) and nothing at all is written.
    pub fn import(&mut self, document: &HubExport) -> Result<ImportReport> {
        if document.format != EXPORT_FORMAT {
            return Err(StoreError::invalid(format!(
                "this is not a Hub Kiosk export (format \"{}\", expected \"{EXPORT_FORMAT}\")",
                document.format
            )));
        }
        if document.version != EXPORT_VERSION {
            return Err(StoreError::invalid(format!(
                "this export is version {}; this kiosk reads version {EXPORT_VERSION}",
                document.version
            )));
        }
        if let Some(unknown) = document.tables.keys().find(|name| !TABLES.contains(&name.as_str())) {
            return Err(StoreError::invalid(format!("unknown table \"{unknown}\" in the export")));
        }
        self.write(|tx| {
            let occupied: bool =
                tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM site)")?.query_row([], |row| row.get(0))?;
            if occupied {
                return Err(StoreError::invalid(
                    "this data folder already holds a hub: import into an empty data folder",
                ));
            }
            let mut report = ImportReport { rows: BTreeMap::new() };
            for table in TABLES {
                let rows = document.tables.get(*table).map(Vec::as_slice).unwrap_or_default();
                let known = columns(tx, table)?;
                for (index, row) in rows.iter().enumerate() {
                    let place = format!("{table}[{index}]");
                    if let Some(field) = row.keys().find(|field| !known.contains(field)) {
                        return Err(StoreError::invalid(format!("{place}.{field}: unknown field")));
                    }
                    let names: Vec<&String> = row.keys().collect();
                    let values = row
                        .iter()
                        .map(|(field, value)| to_sql(value, &format!("{place}.{field}")))
                        .collect::<Result<Vec<_>>>()?;
                    let placeholders = vec!["?"; names.len()].join(", ");
                    let sql = format!(
                        "INSERT INTO {table} ({}) VALUES ({placeholders})",
                        names.iter().map(|name| name.as_str()).collect::<Vec<_>>().join(", ")
                    );
                    let values: Vec<&dyn rusqlite::ToSql> = values.iter().map(|value| value as _).collect();
                    tx.execute(&sql, &values[..]).map_err(|error| StoreError::invalid(format!("{place}: {error}")))?;
                }
                report.rows.insert((*table).to_owned(), rows.len());
                if matches!(**tx, Connection::Postgres(_)) && known.iter().any(|name| name == "id") {
                    // Rows came with their ids: the table's identity carries on after the highest.
                    tx.prepare_cached(&format!(
                        "SELECT setval(pg_get_serial_sequence(?1, 'id'), max(id)) FROM {table}"
                    ))?
                    .query_row([table], |_| Ok(()))?;
                }
            }
            Ok(report)
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use crate::bookings::{BookingOutcome, BookingRequest};
    use crate::passes::{NewPass, PassKey};
    use crate::people::{NewPerson, Role};
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;
    use crate::time::Slot;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap()
    }

    fn busy_hub() -> Store {
        let mut store = london_hub();
        let key = PassKey::from_secret([5; 32]);
        let room = store.add_room(&NewRoom::named("Studio", 6)).unwrap();
        let ada = NewPerson {
            display_name: "Ada “Countess” Lovelace".into(),
            contact: Some("ada@example.org".into()),
            role: Role::Member,
            rules_version: Some(1),
        };
        let ada = store.add_person(&ada, now()).unwrap();
        let start = Utc.with_ymd_and_hms(2027, 1, 5, 10, 0, 0).unwrap();
        let request = BookingRequest {
            room: room.id,
            slot: Slot::new(start, start + Duration::hours(1)).unwrap(),
            title: "Robotics".into(),
            booked_by: Some(ada.id),
            booked_for: Some(ada.id),
            public: false,
        };
        assert!(matches!(store.book(&request, now()).unwrap(), BookingOutcome::Booked(_)));
        let pass = store.issue_pass(&key, ada.id, NewPass::Member, now()).unwrap();
        store.scan(&key, &pass.payload, now()).unwrap();
        store.add_staff("Sam Staff", &"4821".parse().unwrap(), now()).unwrap();
        // The room's own calendar lands on the booking: a collision the copy must keep too.
        let calendar = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20270105T103000Z\r\nDURATION:PT1H\r\n\
                        END:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_eq!(store.import_calendar("studio.ics", room.id, calendar, now()).unwrap().collisions.len(), 1);
        store
    }

    #[test]
    fn export_import_export_is_identical() {
        let original = busy_hub().export(now()).unwrap();
        let text = serde_json::to_string_pretty(&original).unwrap();
        let mut copy = Store::open_in_memory().unwrap();
        let report = copy.import(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!((report.rows["bookings"], report.rows["external_blocks"]), (1, 1));
        assert_eq!(serde_json::to_string_pretty(&copy.export(now()).unwrap()).unwrap(), text);
        copy.integrity_check().unwrap();
    }

    #[test]
    fn a_hub_moves_into_postgres_and_back_byte_for_byte() {
        let text = serde_json::to_string_pretty(&busy_hub().export(now()).unwrap()).unwrap();
        let mut server = Store::connect(&crate::sql::tests::PgSchema::new().keep()).unwrap();
        server.import(&serde_json::from_str(&text).unwrap()).unwrap();
        let from_server = serde_json::to_string_pretty(&server.export(now()).unwrap()).unwrap();
        assert_eq!(from_server, text);
        let mut back = Store::open_in_memory().unwrap();
        back.import(&serde_json::from_str(&from_server).unwrap()).unwrap();
        assert_eq!(serde_json::to_string_pretty(&back.export(now()).unwrap()).unwrap(), text);
        // The server's ids carry on after the imported ones (written directly: `Store::write` would try again).
        server.conn.execute("INSERT INTO rooms (name, capacity) VALUES ('Annexe', 4)", []).unwrap();
    }

    #[test]
    fn a_bad_file_is_refused_naming_the_place_and_writes_nothing() {
        let mut document = busy_hub().export(now()).unwrap();
        document.tables.get_mut("rooms").unwrap()[0].insert("colour".into(), Value::String("blue".into()));
        let mut copy = Store::open_in_memory().unwrap();
        assert_eq!(copy.import(&document).unwrap_err().to_string(), "rooms[0].colour: unknown field");

        let mut overlapping = busy_hub().export(now()).unwrap();
        let bookings = overlapping.tables.get_mut("bookings").unwrap();
        let mut twin = bookings[0].clone();
        twin.insert("id".into(), Value::from(99));
        bookings.push(twin);
        let error = copy.import(&overlapping).unwrap_err().to_string();
        assert!(error.starts_with("bookings[1]: ") && error.contains("overlaps"), "{error}");
        assert!(copy.site().is_err(), "nothing was written");
    }

    #[test]
    fn csv_has_every_table_with_headers_and_reads_back_with_a_csv_parser() {
        let mut store = busy_hub();
        store
            .add_person(
                &NewPerson {
                    display_name: "=cmd|' /C calc'!A0".into(),
                    contact: None,
                    role: Role::Visitor,
                    rules_version: None,
                },
                now(),
            )
            .unwrap();
        let files = store.export_csv().unwrap();
        assert_eq!(files.len(), TABLES.len());
        let mut reader = csv::Reader::from_reader(files["people"].as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers[1], "display_name");
        let names: Vec<String> = reader.records().map(|record| record.unwrap()[1].to_owned()).collect();
        assert_eq!(names, ["Ada “Countess” Lovelace", "Sam Staff", "'=cmd|' /C calc'!A0"]);
        let empty = csv::Reader::from_reader(files["closures"].as_bytes()).into_records().count();
        assert_eq!(empty, 0);
        assert!(files["closures"].starts_with("date,reason"));
    }

    #[test]
    fn every_table_is_exported() {
        let store = crate::db::test_store::empty();
        let (sql, version) = match &store.conn {
            Connection::Sqlite(_) => {
                ("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", None)
            }
            Connection::Postgres(_) => (
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema()",
                Some("schema_version"), // SQLite keeps it in the file's header (`user_version`)
            ),
        };
        let mut schema: Vec<String> = store
            .conn
            .prepare_cached(sql)
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(|n| n.unwrap())
            .collect();
        schema.sort();
        // Kept by the database's triggers from other tables (migration 013): not exported, filled again on import.
        let derived = ["slot_waiting", "event_waiting"].into_iter().chain(version);
        let mut exported: Vec<String> = TABLES.iter().copied().chain(derived).map(str::to_owned).collect();
        exported.sort();
        assert_eq!(schema, exported);
    }

    #[test]
    fn import_needs_an_empty_hub_and_the_right_format() {
        let document = busy_hub().export(now()).unwrap();
        let mut full = busy_hub();
        assert!(full.import(&document).unwrap_err().to_string().contains("already holds a hub"));
        let mut wrong = document.clone();
        wrong.version = 7;
        assert!(Store::open_in_memory().unwrap().import(&wrong).unwrap_err().to_string().contains("version 7"));
    }
}
