//! Hub Kiosk's domain rules and storage.
//!
//! Pure domain and SQLite storage: no async runtime, no UI, no GPIO, and the clock is never read here. Every
//! function that depends on the time takes `now`. Refusals a person can act on are `Ok` values with a stable code
//! (the front ends word them from one shared catalogue); `Err` means the input could not be used or the machine
//! failed.

#![forbid(unsafe_code)]

mod backup;
mod boards;
mod booker;
mod bookings;
mod calendar;
mod db;
mod doors;
mod error;
mod events;
mod export;
mod grid;
mod ics_import;
mod ids;
mod occupancy;
mod outbox;
mod passes;
mod people;
mod people_import;
mod privacy;
mod recurrence;
mod refusal;
mod room_calendars;
mod rooms;
mod sign_ups;
mod site;
mod spool;
mod sql;
mod staff;
mod surgeries;
mod text;
mod time;
mod unconference;
mod visits;

pub use backup::{BackupCheck, BackupFile, BackupReport, list_backups, verify_backup};
pub use boards::{BoardEntry, Boards, Calling, EventBoard, RoomBoard, RoomState, SessionBoard};
pub use booker::{Booker, Refused};
pub use bookings::{
    Booking, BookingOutcome, BookingRefusal, BookingRequest, BookingStatus, CancelOutcome, NO_SHOW_GRACE,
    RoomAvailability, RoomCheckInRefusal, SeriesOutcome, SeriesRequest,
};
pub use calendar::Feed;
pub use db::{Database, Store};
pub use doors::{DoorDay, DoorEvent, DoorEventKind};
pub use error::{Result, StoreError};
pub use events::{Attendee, Event, EventRefusal, NewEvent, PlaceStatus, Registered};
pub use export::{EXPORT_FORMAT, EXPORT_VERSION, HubExport, ImportReport};
pub use grid::{Cell, GridProposal, GridRoom, Placement, fill_grid};
pub use ics_import::{Busy, CalendarFile, IcsError, MAX_BLOCKS, MAX_ICS_BYTES, read_ics};
pub use ids::{
    BookingId, EventId, EventPlaceId, MessageId, PassId, PersonId, ProposalId, RoomId, SeatId, SeriesId, SiteId,
    SurgeryId, SurgerySlotId, TicketId, UnconferenceId, VisitId,
};
pub use occupancy::{Occupancy, OnSite, RoomNowNext, RoomUse, RoomUseKind};
pub use outbox::{Delivery, GIVE_UP_AFTER, MessageCounts, MessageFacts, MessageLine, Outgoing};
pub use passes::{
    IssuedPass, NewPass, PASS_TEXT_LEN, Pass, PassClaim, PassKey, PassKind, PassRefusal, decode_pass, encode_pass,
};
pub use people::{NewPerson, Person, Role};
pub use people_import::{ImportedRow, PeopleImport, PersonRow, RowOutcome, RowRefusal, read_people_csv};
pub use privacy::{ERASED_NAME, EraseOutcome, EraseRefusal, Erasure, PERSON_EXPORT_FORMAT, PersonExport, PurgeReport};
pub use recurrence::{MAX_OCCURRENCES, Nth, Repeat, occurrence_dates};
pub use refusal::Refusal;
pub use room_calendars::{CalendarRead, CalendarStatus, Collision, FeedDue, Fetched, Subscription};
pub use rooms::{NewRoom, Room};
pub use sign_ups::{Joined, SIGN_UP_LINK_VALID, SignUpRefusal};
pub use site::{Closure, DayHours, NewSite, Opening, OpeningRules, Site, SiteSettings, site_code};
pub use sql::SqlError;
pub use staff::{LOCK_AFTER, Pin, PinOutcome, UnlockOutcome};
pub use surgeries::{
    NewSurgery, PlaceTaken, SeatCancelled, SeatHolder, SeatOutcome, SeatRefusal, SeatStatus, Surgery, SurgeryEdit,
    SurgerySlot, Ticket, TicketIssued, TicketStatus, WhenFull,
};
pub use time::{NonexistentLocalTime, Slot, local_day, parse_zone, resolve_local, resolve_local_boundary};
pub use unconference::{
    BoardRoom, Filled, NewProposal, NewUnconference, PROPOSAL_LINE_CHARS, PROPOSAL_TITLE_CHARS, ProposalLine, Proposed,
    UnconferenceBoard, UnconferenceRefusal,
};
pub use visits::{
    ARRIVAL_WINDOW, HostVisitor, REPEAT_SCAN_WINDOW, ScanOutcome, TodayItem, VisitReason, WalkIn, WalkInOutcome,
};
