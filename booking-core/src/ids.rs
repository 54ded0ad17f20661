//! Typed row ids, so a room id can never be passed where a person id is meant.

use std::fmt;

use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlResult, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};

macro_rules! row_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map($name)
            }
        }
    )*};
}

row_id!(
    /// One hub of a network (a database alone in its file holds one: site 1).
    SiteId,
    /// A room that can be booked or shown on the occupancy view.
    RoomId,
    /// A visitor, member, host or staff member.
    PersonId,
    /// One booking of a room (a single booking or one occurrence of a series).
    BookingId,
    /// A recurring booking rule and its occurrences.
    SeriesId,
    /// A surgery session run by a host.
    SurgeryId,
    /// One time slot within a surgery.
    SurgerySlotId,
    /// A seat booking or waiting-list place in a surgery slot.
    SeatId,
    /// A walk-in queue ticket for a surgery.
    TicketId,
    /// A pass (what a QR code names).
    PassId,
    /// One stay on site, from check-in to check-out.
    VisitId,
    /// A message to a person, in the outbox until it is delivered.
    MessageId,
    /// A gathering with places, held in a room through a booking.
    EventId,
    /// A person's place (or waiting-list place) at an event.
    EventPlaceId,
    /// An unconference day: its grid of rooms × time blocks and its proposals.
    UnconferenceId,
    /// A session proposed for an unconference day.
    ProposalId,
);
