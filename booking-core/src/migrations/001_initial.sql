-- Hub Kiosk schema, version 1.
-- Instants are INTEGER seconds since the Unix epoch, UTC. Local rules (opening hours) are 'HH:MM' in the site's zone.
-- The triggers at the end make the two promises the Rust code also checks: no overlapping active bookings of a room
-- (buffers included) and no surgery slot with more seats taken than it has. They hold against any writer.

CREATE TABLE site (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    name                TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    time_zone           TEXT    NOT NULL,
    safe_capacity       INTEGER NOT NULL CHECK (safe_capacity > 0),
    retention_days      INTEGER NOT NULL CHECK (retention_days >= 1),
    house_rules_version INTEGER NOT NULL DEFAULT 1 CHECK (house_rules_version >= 1)
);

CREATE TABLE opening_hours (
    weekday INTEGER PRIMARY KEY CHECK (weekday BETWEEN 0 AND 6), -- 0 is Monday
    opens   TEXT NOT NULL,
    closes  TEXT NOT NULL,
    CHECK (opens < closes)
);

CREATE TABLE closures (
    date   TEXT PRIMARY KEY, -- local date, YYYY-MM-DD
    reason TEXT NOT NULL
);

CREATE TABLE rooms (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    features       TEXT    NOT NULL DEFAULT '', -- comma-separated lower-case tags
    bookable       INTEGER NOT NULL DEFAULT 1 CHECK (bookable IN (0, 1)),
    buffer_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 240),
    min_minutes    INTEGER NOT NULL DEFAULT 15,
    max_minutes    INTEGER NOT NULL DEFAULT 480,
    advance_days   INTEGER NOT NULL DEFAULT 90 CHECK (advance_days BETWEEN 0 AND 730),
    CHECK (min_minutes > 0 AND min_minutes <= max_minutes)
);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    display_name  TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 80),
    contact       TEXT,
    role          TEXT    NOT NULL CHECK (role IN ('visitor', 'member', 'host', 'staff')),
    rules_version INTEGER,
    first_seen    INTEGER,
    last_seen     INTEGER,
    created_at    INTEGER NOT NULL
);

CREATE TABLE series (
    id               INTEGER PRIMARY KEY,
    room_id          INTEGER NOT NULL REFERENCES rooms (id),
    rule             TEXT    NOT NULL, -- human-readable rule, e.g. 'every 2 weeks on Tuesday at 10:00'
    first_date       TEXT    NOT NULL,
    until_date       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);

CREATE TABLE bookings (
    id              INTEGER PRIMARY KEY,
    room_id         INTEGER NOT NULL REFERENCES rooms (id),
    start_utc       INTEGER NOT NULL,
    end_utc         INTEGER NOT NULL,
    title           TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    booked_by       INTEGER REFERENCES people (id),
    booked_for      INTEGER REFERENCES people (id),
    status          TEXT    NOT NULL CHECK (status IN ('confirmed', 'checked_in', 'cancelled', 'released')),
    series_id       INTEGER REFERENCES series (id),
    occurrence_date TEXT, -- the local date the series gave this occurrence; kept when it is moved
    created_at      INTEGER NOT NULL,
    CHECK (end_utc > start_utc),
    CHECK ((series_id IS NULL) = (occurrence_date IS NULL)),
    UNIQUE (series_id, occurrence_date)
);
-- Overlap checks look for bookings ending after a start: with this index, old history is never scanned.
CREATE INDEX bookings_room_end ON bookings (room_id, end_utc);
CREATE INDEX bookings_booked_for ON bookings (booked_for, start_utc);

CREATE TRIGGER bookings_no_overlap_on_insert
BEFORE INSERT ON bookings
WHEN NEW.status IN ('confirmed', 'checked_in')
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another active booking of the same room')
    FROM bookings AS other JOIN rooms AS room ON room.id = other.room_id
    WHERE other.room_id = NEW.room_id
      AND other.status IN ('confirmed', 'checked_in')
      AND other.end_utc > NEW.start_utc - room.buffer_minutes * 60
      AND other.start_utc < NEW.end_utc + room.buffer_minutes * 60;
END;

CREATE TRIGGER bookings_no_overlap_on_update
BEFORE UPDATE OF room_id, start_utc, end_utc, status ON bookings
WHEN NEW.status IN ('confirmed', 'checked_in')
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another active booking of the same room')
    FROM bookings AS other JOIN rooms AS room ON room.id = other.room_id
    WHERE other.room_id = NEW.room_id
      AND other.id <> NEW.id
      AND other.status IN ('confirmed', 'checked_in')
      AND other.end_utc > NEW.start_utc - room.buffer_minutes * 60
      AND other.start_utc < NEW.end_utc + room.buffer_minutes * 60;
END;

-- A longer changeover buffer must not make existing bookings overlap.
CREATE TRIGGER rooms_buffer_keeps_bookings_apart
BEFORE UPDATE OF buffer_minutes ON rooms
WHEN NEW.buffer_minutes > OLD.buffer_minutes
BEGIN
    SELECT RAISE(ABORT, 'a longer buffer would make existing bookings overlap')
    FROM bookings AS a JOIN bookings AS b ON b.room_id = a.room_id AND b.id > a.id
    WHERE a.room_id = NEW.id
      AND a.status IN ('confirmed', 'checked_in')
      AND b.status IN ('confirmed', 'checked_in')
      AND a.end_utc > b.start_utc - NEW.buffer_minutes * 60
      AND a.start_utc < b.end_utc + NEW.buffer_minutes * 60;
END;

CREATE TABLE surgeries (
    id             INTEGER PRIMARY KEY,
    topic          TEXT    NOT NULL CHECK (length(topic) BETWEEN 1 AND 120),
    host_id        INTEGER NOT NULL REFERENCES people (id),
    place          TEXT    NOT NULL CHECK (length(place) BETWEEN 1 AND 80),
    start_utc      INTEGER NOT NULL,
    end_utc        INTEGER NOT NULL,
    slot_minutes   INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    seats_per_slot INTEGER NOT NULL CHECK (seats_per_slot BETWEEN 1 AND 50),
    cancelled_at   INTEGER,
    CHECK (end_utc > start_utc)
);
CREATE INDEX surgeries_start ON surgeries (start_utc);

CREATE TABLE surgery_slots (
    id         INTEGER PRIMARY KEY,
    surgery_id INTEGER NOT NULL REFERENCES surgeries (id),
    start_utc  INTEGER NOT NULL,
    end_utc    INTEGER NOT NULL,
    seats      INTEGER NOT NULL CHECK (seats >= 1),
    CHECK (end_utc > start_utc),
    UNIQUE (surgery_id, start_utc)
);

-- One row per seat booking or waiting-list place.
CREATE TABLE slot_seats (
    id         INTEGER PRIMARY KEY,
    slot_id    INTEGER NOT NULL REFERENCES surgery_slots (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    status     TEXT    NOT NULL CHECK (status IN ('booked', 'arrived', 'seen', 'waiting', 'cancelled', 'no_show')),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX slot_seats_one_per_person ON slot_seats (slot_id, person_id)
    WHERE status IN ('booked', 'arrived', 'seen', 'waiting');
CREATE INDEX slot_seats_person ON slot_seats (person_id);

CREATE TRIGGER slot_seats_never_over_capacity_on_insert
BEFORE INSERT ON slot_seats
WHEN NEW.status IN ('booked', 'arrived', 'seen')
BEGIN
    SELECT RAISE(ABORT, 'surgery slot is full')
    WHERE (SELECT count(*) FROM slot_seats WHERE slot_id = NEW.slot_id AND status IN ('booked', 'arrived', 'seen'))
       >= (SELECT seats FROM surgery_slots WHERE id = NEW.slot_id);
END;

CREATE TRIGGER slot_seats_never_over_capacity_on_update
BEFORE UPDATE OF status, slot_id ON slot_seats
WHEN NEW.status IN ('booked', 'arrived', 'seen')
BEGIN
    SELECT RAISE(ABORT, 'surgery slot is full')
    WHERE (SELECT count(*) FROM slot_seats
           WHERE slot_id = NEW.slot_id AND id <> NEW.id AND status IN ('booked', 'arrived', 'seen'))
       >= (SELECT seats FROM surgery_slots WHERE id = NEW.slot_id);
END;

CREATE TRIGGER surgery_slots_seats_not_below_taken
BEFORE UPDATE OF seats ON surgery_slots
BEGIN
    SELECT RAISE(ABORT, 'surgery slot is full')
    WHERE (SELECT count(*) FROM slot_seats WHERE slot_id = NEW.id AND status IN ('booked', 'arrived', 'seen'))
       > NEW.seats;
END;

CREATE TABLE queue_tickets (
    id         INTEGER PRIMARY KEY,
    surgery_id INTEGER NOT NULL REFERENCES surgeries (id),
    number     INTEGER NOT NULL CHECK (number >= 1),
    person_id  INTEGER REFERENCES people (id),
    status     TEXT    NOT NULL CHECK (status IN ('waiting', 'called', 'seen', 'no_show')),
    issued_at  INTEGER NOT NULL,
    called_at  INTEGER,
    done_at    INTEGER,
    UNIQUE (surgery_id, number)
);

CREATE TABLE passes (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('day', 'member', 'booking')),
    booking_id INTEGER REFERENCES bookings (id),
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    CHECK ((kind = 'booking') = (booking_id IS NOT NULL))
);

CREATE TABLE visits (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES people (id),
    pass_id        INTEGER REFERENCES passes (id),
    reason         TEXT,
    visiting_host  INTEGER REFERENCES people (id),
    checked_in_at  INTEGER NOT NULL,
    checked_out_at INTEGER,
    CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at)
);
-- A person is on site at most once: the roll-call can never list someone twice.
CREATE UNIQUE INDEX visits_one_open_per_person ON visits (person_id) WHERE checked_out_at IS NULL;
CREATE INDEX visits_checked_in_at ON visits (checked_in_at);
-- A scan looks up the person's latest visit: with this index that is one probe, however long the history.
CREATE INDEX visits_person_latest ON visits (person_id, checked_in_at);

CREATE TABLE staff_pins (
    person_id       INTEGER PRIMARY KEY REFERENCES people (id),
    pin_hash        TEXT    NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    last_failed_at  INTEGER,
    locked_at       INTEGER
);
