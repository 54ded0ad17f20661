-- Hub Kiosk schema, version 3: what the door sensors saw. Nothing here identifies a person.

-- Raw events, kept for the site's retention period (the daily purge removes older ones).
CREATE TABLE door_events (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    sensor TEXT    NOT NULL, -- the sensor's name in kiosk.toml
    event  TEXT    NOT NULL CHECK (event IN ('opened', 'closed', 'entered', 'left', 'motion', 'pressed', 'alert')),
    detail TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX door_events_at ON door_events (at);

-- People counted in and out by the beam pairs, per local date and hour: kept after the raw events are purged.
CREATE TABLE door_counts (
    date    TEXT    NOT NULL, -- local date, YYYY-MM-DD
    hour    INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    sensor  TEXT    NOT NULL,
    entered INTEGER NOT NULL DEFAULT 0 CHECK (entered >= 0),
    exited  INTEGER NOT NULL DEFAULT 0 CHECK (exited >= 0),
    PRIMARY KEY (date, hour, sensor)
);
