-- Hub Kiosk schema, version 9: room calendars from outside — a file imported once, or a feed the kiosk subscribes
-- to — whose events become external blocks: times a room is busy that the kiosk did not book. They are read-only
-- (replaced whole each time their calendar is read again) and no booking may be made or moved over one.

CREATE TABLE room_calendars (
    id            INTEGER PRIMARY KEY,
    -- The feed's web address, or the imported file's name: what the calendar is known by.
    name          TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 2000),
    room_id       INTEGER NOT NULL REFERENCES rooms (id),
    -- 1 for a subscription in kiosk.toml (fetched again every refresh_minutes), 0 for a file imported by hand.
    subscribed    INTEGER NOT NULL CHECK (subscribed IN (0, 1)),
    refresh_minutes INTEGER NOT NULL DEFAULT 60 CHECK (refresh_minutes >= 1),
    -- The last copy that was read without a problem (NULL until one has been), kept when a fetch fails.
    source        TEXT,
    etag          TEXT,
    last_modified TEXT,
    -- When the calendar was last read without a problem, and when it was last tried.
    read_at       INTEGER,
    tried_at      INTEGER,
    -- Why the last try failed, in plain words (NULL when it succeeded).
    failure       TEXT
);

CREATE TABLE external_blocks (
    id          INTEGER PRIMARY KEY,
    calendar_id INTEGER NOT NULL REFERENCES room_calendars (id) ON DELETE CASCADE,
    room_id     INTEGER NOT NULL REFERENCES rooms (id),
    start_utc   INTEGER NOT NULL,
    end_utc     INTEGER NOT NULL CHECK (end_utc > start_utc),
    -- The event's UID and summary, for staff resolving a collision; never shown on displays.
    uid         TEXT    NOT NULL,
    summary     TEXT    NOT NULL
);

-- One room's blocks for the triggers below; every room's blocks over a range (free time, the displays) by their end,
-- as bookings are found (004/010): a query for "any room" cannot use an index that starts with the room.
CREATE INDEX external_blocks_room_end ON external_blocks (room_id, end_utc);
CREATE INDEX external_blocks_end ON external_blocks (end_utc, start_utc, room_id);
CREATE INDEX external_blocks_calendar ON external_blocks (calendar_id);

-- A booking made, moved or brought back over an external block is refused whatever writes. A booking that was there
-- first keeps its place (the block is reported to staff as a collision), so its status may still change.
CREATE TRIGGER bookings_not_over_external_blocks_on_insert
BEFORE INSERT ON bookings
WHEN NEW.status IN ('confirmed', 'checked_in')
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps a time the room''s calendar shows as busy')
    FROM external_blocks AS block
    WHERE block.room_id = NEW.room_id AND block.end_utc > NEW.start_utc AND block.start_utc < NEW.end_utc;
END;

CREATE TRIGGER bookings_not_over_external_blocks_on_update
BEFORE UPDATE OF room_id, start_utc, end_utc, status ON bookings
WHEN NEW.status IN ('confirmed', 'checked_in')
 AND (NEW.room_id <> OLD.room_id OR NEW.start_utc <> OLD.start_utc OR NEW.end_utc <> OLD.end_utc
      OR OLD.status NOT IN ('confirmed', 'checked_in'))
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps a time the room''s calendar shows as busy')
    FROM external_blocks AS block
    WHERE block.room_id = NEW.room_id AND block.end_utc > NEW.start_utc AND block.start_utc < NEW.end_utc;
END;

-- A block belongs to its calendar's room.
CREATE TRIGGER external_blocks_in_their_calendars_room
BEFORE INSERT ON external_blocks
WHEN NEW.room_id IS NOT (SELECT room_id FROM room_calendars WHERE id = NEW.calendar_id)
BEGIN
    SELECT RAISE(ABORT, 'an external block must be in its calendar''s room');
END;
