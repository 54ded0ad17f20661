-- Hub Kiosk schema, version 14: sites. One database can hold several hubs of a network (on a shared PostgreSQL): a
-- kiosk belongs to one site, and rooms, surgeries, unconference days, visits, door data, opening hours and closures
-- belong to a site. People are the network's; a pass with no site is valid at every site, a staff PIN with no site
-- opens every site's staff view. A hub that was alone in its file becomes site 1, code 'main': nothing it sees
-- changes. Tables whose key changes are rebuilt (SQLite's way: the migration runs with foreign keys off and checks
-- them before it commits, see db.rs).

CREATE TABLE site_new (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    time_zone           TEXT    NOT NULL,
    safe_capacity       INTEGER NOT NULL CHECK (safe_capacity > 0),
    retention_days      INTEGER NOT NULL CHECK (retention_days >= 1),
    house_rules_version INTEGER NOT NULL DEFAULT 1 CHECK (house_rules_version >= 1),
    uid                 TEXT    NOT NULL DEFAULT '',
    pin_digits          INTEGER NOT NULL DEFAULT 4 CHECK (pin_digits BETWEEN 4 AND 8),
    pin_lock_after      INTEGER NOT NULL DEFAULT 10 CHECK (pin_lock_after BETWEEN 3 AND 50),
    sign_up_open        INTEGER NOT NULL DEFAULT 0 CHECK (sign_up_open IN (0, 1)),
    -- What a kiosk's configuration names its site by: lower-case letters, digits and hyphens.
    code                TEXT    NOT NULL DEFAULT 'main' UNIQUE
                                CHECK (length(code) BETWEEN 1 AND 30 AND code NOT GLOB '*[^a-z0-9-]*')
);
INSERT INTO site_new (id, name, time_zone, safe_capacity, retention_days, house_rules_version, uid, pin_digits,
                      pin_lock_after, sign_up_open)
SELECT id, name, time_zone, safe_capacity, retention_days, house_rules_version, uid, pin_digits, pin_lock_after,
       sign_up_open
FROM site;
DROP TABLE site;
ALTER TABLE site_new RENAME TO site;

CREATE TABLE opening_hours_new (
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 is Monday
    opens   TEXT    NOT NULL,
    closes  TEXT    NOT NULL,
    site_id INTEGER NOT NULL DEFAULT 1 REFERENCES site (id),
    CHECK (opens < closes),
    PRIMARY KEY (site_id, weekday)
);
INSERT INTO opening_hours_new (weekday, opens, closes) SELECT weekday, opens, closes FROM opening_hours;
DROP TABLE opening_hours;
ALTER TABLE opening_hours_new RENAME TO opening_hours;

CREATE TABLE closures_new (
    date    TEXT    NOT NULL, -- local date, YYYY-MM-DD
    reason  TEXT    NOT NULL,
    site_id INTEGER NOT NULL DEFAULT 1 REFERENCES site (id),
    PRIMARY KEY (site_id, date)
);
INSERT INTO closures_new (date, reason) SELECT date, reason FROM closures;
DROP TABLE closures;
ALTER TABLE closures_new RENAME TO closures;

-- One room of a name per site, whatever its case (two libraries may each have a "Meeting room").
CREATE TABLE rooms_new (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL COLLATE NOCASE,
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    features       TEXT    NOT NULL DEFAULT '', -- comma-separated lower-case tags
    bookable       INTEGER NOT NULL DEFAULT 1 CHECK (bookable IN (0, 1)),
    buffer_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 240),
    min_minutes    INTEGER NOT NULL DEFAULT 15,
    max_minutes    INTEGER NOT NULL DEFAULT 480,
    advance_days   INTEGER NOT NULL DEFAULT 90 CHECK (advance_days BETWEEN 0 AND 730),
    site_id        INTEGER NOT NULL DEFAULT 1 REFERENCES site (id),
    CHECK (min_minutes > 0 AND min_minutes <= max_minutes),
    UNIQUE (site_id, name)
);
INSERT INTO rooms_new (id, name, capacity, features, bookable, buffer_minutes, min_minutes, max_minutes, advance_days)
SELECT id, name, capacity, features, bookable, buffer_minutes, min_minutes, max_minutes, advance_days FROM rooms;
DROP TABLE rooms;
ALTER TABLE rooms_new RENAME TO rooms;
-- Dropped with the old table: a longer changeover buffer must not make existing bookings overlap.
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

CREATE TABLE visit_counts_new (
    date     TEXT    NOT NULL, -- local date, YYYY-MM-DD
    hour     INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    reason   TEXT    NOT NULL DEFAULT '', -- '' when none was given
    arrivals INTEGER NOT NULL CHECK (arrivals >= 1),
    site_id  INTEGER NOT NULL DEFAULT 1 REFERENCES site (id),
    PRIMARY KEY (site_id, date, hour, reason)
);
INSERT INTO visit_counts_new (date, hour, reason, arrivals) SELECT date, hour, reason, arrivals FROM visit_counts;
DROP TABLE visit_counts;
ALTER TABLE visit_counts_new RENAME TO visit_counts;

CREATE TABLE door_counts_new (
    date    TEXT    NOT NULL, -- local date, YYYY-MM-DD
    hour    INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    sensor  TEXT    NOT NULL,
    entered INTEGER NOT NULL DEFAULT 0 CHECK (entered >= 0),
    exited  INTEGER NOT NULL DEFAULT 0 CHECK (exited >= 0),
    site_id INTEGER NOT NULL DEFAULT 1 REFERENCES site (id),
    PRIMARY KEY (site_id, date, hour, sensor)
);
INSERT INTO door_counts_new (date, hour, sensor, entered, exited)
SELECT date, hour, sensor, entered, exited FROM door_counts;
DROP TABLE door_counts;
ALTER TABLE door_counts_new RENAME TO door_counts;

ALTER TABLE surgeries ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE unconference_days ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE visits ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE door_events ADD COLUMN site_id INTEGER NOT NULL DEFAULT 1 REFERENCES site (id);
-- NULL: valid at every site of the network (a member's pass); else only at that site.
ALTER TABLE passes ADD COLUMN site_id INTEGER REFERENCES site (id);
-- NULL: network staff, who open every site's staff view; else that site's only. A hub's existing staff are its own.
ALTER TABLE staff_pins ADD COLUMN site_id INTEGER REFERENCES site (id);
UPDATE staff_pins SET site_id = 1;
