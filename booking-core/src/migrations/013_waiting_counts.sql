-- Hub Kiosk schema, version 13: how many people wait for each drop-in time and each event, kept by the database as
-- places change. Every reading of a session or an event showed its waiting lists' lengths by counting them, entry by
-- entry: a list hundreds long made each page, and each booking's answer, walk hundreds of index entries per time.
-- (Seats and places held need no such count: a count of them is bounded by the seats or the event's capacity.)
-- These tables are derived, so they are not exported: an import fills them again as the places go in.

CREATE TABLE slot_waiting (
    slot_id INTEGER PRIMARY KEY REFERENCES surgery_slots (id) ON DELETE CASCADE,
    waiting INTEGER NOT NULL DEFAULT 0
);
INSERT INTO slot_waiting (slot_id, waiting)
    SELECT s.id, (SELECT count(*) FROM slot_seats WHERE slot_id = s.id AND status = 'waiting') FROM surgery_slots s;

CREATE TRIGGER surgery_slots_waiting_from_none AFTER INSERT ON surgery_slots
BEGIN
    INSERT INTO slot_waiting (slot_id) VALUES (NEW.id);
END;

CREATE TRIGGER slot_seats_waiting_on_insert AFTER INSERT ON slot_seats WHEN NEW.status = 'waiting'
BEGIN
    UPDATE slot_waiting SET waiting = waiting + 1 WHERE slot_id = NEW.slot_id;
END;

CREATE TRIGGER slot_seats_waiting_on_update AFTER UPDATE OF status, slot_id ON slot_seats
WHEN OLD.status = 'waiting' OR NEW.status = 'waiting'
BEGIN
    UPDATE slot_waiting SET waiting = waiting - 1 WHERE slot_id = OLD.slot_id AND OLD.status = 'waiting';
    UPDATE slot_waiting SET waiting = waiting + 1 WHERE slot_id = NEW.slot_id AND NEW.status = 'waiting';
END;

CREATE TRIGGER slot_seats_waiting_on_delete AFTER DELETE ON slot_seats WHEN OLD.status = 'waiting'
BEGIN
    UPDATE slot_waiting SET waiting = waiting - 1 WHERE slot_id = OLD.slot_id;
END;

CREATE TABLE event_waiting (
    event_id INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    waiting  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO event_waiting (event_id, waiting)
    SELECT e.id, (SELECT count(*) FROM event_places WHERE event_id = e.id AND status = 'waiting') FROM events e;

CREATE TRIGGER events_waiting_from_none AFTER INSERT ON events
BEGIN
    INSERT INTO event_waiting (event_id) VALUES (NEW.id);
END;

CREATE TRIGGER event_places_waiting_on_insert AFTER INSERT ON event_places WHEN NEW.status = 'waiting'
BEGIN
    UPDATE event_waiting SET waiting = waiting + 1 WHERE event_id = NEW.event_id;
END;

CREATE TRIGGER event_places_waiting_on_update AFTER UPDATE OF status, event_id ON event_places
WHEN OLD.status = 'waiting' OR NEW.status = 'waiting'
BEGIN
    UPDATE event_waiting SET waiting = waiting - 1 WHERE event_id = OLD.event_id AND OLD.status = 'waiting';
    UPDATE event_waiting SET waiting = waiting + 1 WHERE event_id = NEW.event_id AND NEW.status = 'waiting';
END;

CREATE TRIGGER event_places_waiting_on_delete AFTER DELETE ON event_places WHEN OLD.status = 'waiting'
BEGIN
    UPDATE event_waiting SET waiting = waiting - 1 WHERE event_id = OLD.event_id;
END;
