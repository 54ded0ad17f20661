-- Hub Kiosk schema, version 6: messages to people (the outbox) and their agreement to be contacted; bookings
-- whose title the room displays may show; what a booking's messages need (its revision, its reminder); joining
-- on the web.
-- A message row is written in the same transaction as the event that causes it, so no event loses its message and
-- no rolled-back event sends one. Delivery marks it sent, or counts a failed try and sets the next one.

-- When the person agreed to be contacted at `contact` (NULL: never message them), and the language they read.
ALTER TABLE people ADD COLUMN contact_agreed_at INTEGER;
ALTER TABLE people ADD COLUMN language TEXT CHECK (language IS NULL OR length(language) BETWEEN 2 AND 8);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    -- Stable and unique: a retry of the message carries the same one (its e-mail Message-ID), so a receiver can
    -- count it once.
    key             TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('visitor_arrived', 'booked', 'promoted', 'cancelled', 'moved',
                                                 'released', 'reminder', 'confirm_sign_up', 'welcome')),
    recipient       INTEGER NOT NULL REFERENCES people (id),
    -- The person the message is about (a visitor), so erasing them takes the message too.
    about           INTEGER REFERENCES people (id),
    -- What the wording needs, as JSON; never a contact address.
    facts           TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    gave_up_at      INTEGER,
    last_error      TEXT,
    -- The channels ("email", "webhook:<name>") it has already gone through, space-separated: a retry after
    -- another channel failed skips them, so nobody gets the same message twice.
    done_channels   TEXT    NOT NULL DEFAULT '',
    CHECK (sent_at IS NULL OR gave_up_at IS NULL)
);

CREATE INDEX messages_due ON messages (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX messages_recipient ON messages (recipient);
CREATE INDEX messages_about ON messages (about);

-- A public booking's title shows on the room's display and the lobby's; any other shows only as "Booked".
ALTER TABLE bookings ADD COLUMN public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1));
-- How many times a booking has changed since it was made (moved, cancelled, released): its calendar invitation's
-- SEQUENCE, so a person's calendar takes each update over the one before.
ALTER TABLE bookings ADD COLUMN revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0);
-- When the reminder before it started was written (NULL: not yet); a moved booking gets a new one.
ALTER TABLE bookings ADD COLUMN reminded_at INTEGER;
ALTER TABLE slot_seats ADD COLUMN reminded_at INTEGER;

-- Joining on the web: whether staff have it open, and each request, confirmed by a link sent to the address given.
-- Until then the person is a visitor who has not agreed to be contacted; the link's token is kept only as a hash.
ALTER TABLE site ADD COLUMN sign_up_open INTEGER NOT NULL DEFAULT 0 CHECK (sign_up_open IN (0, 1));
CREATE TABLE sign_ups (
    person_id    INTEGER PRIMARY KEY REFERENCES people (id),
    token_hash   TEXT    NOT NULL UNIQUE,
    requested_at INTEGER NOT NULL,
    confirmed_at INTEGER
);
