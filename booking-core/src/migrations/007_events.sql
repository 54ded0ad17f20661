-- Hub Kiosk schema, version 7: events — gatherings with places (a meet-up, a workshop), each held in a room through
-- a booking, so the booking rules and the no-overlap triggers apply to them as to any booking.

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    booking_id    INTEGER NOT NULL UNIQUE REFERENCES bookings (id),
    description   TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 300),
    host_id       INTEGER REFERENCES people (id),
    capacity      INTEGER NOT NULL CHECK (capacity >= 1),
    cancelled_at  INTEGER,
    cancel_reason TEXT,
    created_at    INTEGER NOT NULL
);

-- A person's place at an event: registered, on its waiting list, come (scanned in at the door during it), or given
-- up. Places are promoted from the waiting list in the order they were taken (id order).
CREATE TABLE event_places (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    status     TEXT    NOT NULL CHECK (status IN ('registered', 'waiting', 'came', 'cancelled')),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX event_places_one_per_person ON event_places (event_id, person_id) WHERE status != 'cancelled';
CREATE INDEX event_places_person ON event_places (person_id);

-- The database's own half of "never more places than the event holds", whatever writes.
CREATE TRIGGER event_places_never_over_capacity_on_insert
BEFORE INSERT ON event_places
WHEN NEW.status IN ('registered', 'came')
BEGIN
    SELECT RAISE(ABORT, 'the event is full')
    WHERE (SELECT count(*) FROM event_places WHERE event_id = NEW.event_id AND status IN ('registered', 'came'))
          >= (SELECT capacity FROM events WHERE id = NEW.event_id);
END;

CREATE TRIGGER event_places_never_over_capacity_on_update
BEFORE UPDATE OF status ON event_places
WHEN NEW.status IN ('registered', 'came') AND OLD.status NOT IN ('registered', 'came')
BEGIN
    SELECT RAISE(ABORT, 'the event is full')
    WHERE (SELECT count(*) FROM event_places WHERE event_id = NEW.event_id AND status IN ('registered', 'came'))
          >= (SELECT capacity FROM events WHERE id = NEW.event_id);
END;

CREATE TRIGGER events_capacity_never_below_places
BEFORE UPDATE OF capacity ON events
BEGIN
    SELECT RAISE(ABORT, 'more people are registered than that')
    WHERE (SELECT count(*) FROM event_places WHERE event_id = NEW.id AND status IN ('registered', 'came'))
          > NEW.capacity;
END;
