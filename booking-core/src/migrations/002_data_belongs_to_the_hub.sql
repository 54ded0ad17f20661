-- Hub Kiosk schema, version 2: calendars, retention and erasure, and the PIN policy.

-- A random identifier for this hub, so calendar UIDs stay stable and unique (and survive export/import).
ALTER TABLE site ADD COLUMN uid TEXT NOT NULL DEFAULT '';
UPDATE site SET uid = lower(hex(randomblob(8))) WHERE uid = '';

-- Series remember their rule in machine form, so calendar feeds can say RRULE rather than list every date.
-- NULL for series made before version 2: those are written as separate events.
ALTER TABLE series ADD COLUMN repeat TEXT;        -- 'weekly:N' or 'monthly:first|second|third|fourth|last'
ALTER TABLE series ADD COLUMN local_start TEXT;   -- 'HH:MM' in the site's zone
ALTER TABLE series ADD COLUMN minutes INTEGER CHECK (minutes > 0);

-- When a person's name and contact were erased (by the retention purge or on request). The row stays, anonymous,
-- so bookings and counts that point at it keep adding up.
ALTER TABLE people ADD COLUMN erased_at INTEGER;

-- Check-ins counted by local date, hour and reason: what is left of visits after the retention purge. Nothing here
-- identifies anyone.
CREATE TABLE visit_counts (
    date     TEXT    NOT NULL, -- local date, YYYY-MM-DD
    hour     INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    reason   TEXT    NOT NULL DEFAULT '', -- '' when none was given
    arrivals INTEGER NOT NULL CHECK (arrivals >= 1),
    PRIMARY KEY (date, hour, reason)
);

-- The PIN policy the kiosk's configuration sets ([staff] in kiosk.toml), kept with the hub so every process that
-- checks a PIN (the touchscreen, the command line, the web page) applies the same one.
ALTER TABLE site ADD COLUMN pin_digits INTEGER NOT NULL DEFAULT 4 CHECK (pin_digits BETWEEN 4 AND 8);
ALTER TABLE site ADD COLUMN pin_lock_after INTEGER NOT NULL DEFAULT 10 CHECK (pin_lock_after BETWEEN 3 AND 50);
