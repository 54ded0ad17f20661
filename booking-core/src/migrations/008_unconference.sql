-- Hub Kiosk schema, version 8: unconference days — an open-space day run on a grid of rooms × time blocks. Every cell
-- of the grid is a booking of its room for its block, made when the day is opened, so the booking rules and the
-- no-overlap triggers apply and the room's display shows the session placed there (the booking's title).

CREATE TABLE unconference_days (
    id           INTEGER PRIMARY KEY,
    title        TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
    -- The day in the site's time zone (YYYY-MM-DD).
    day          TEXT    NOT NULL,
    organiser_id INTEGER NOT NULL REFERENCES people (id),
    created_at   INTEGER NOT NULL
);

-- The grid's rows (time blocks, 0 = the earliest) and columns (rooms, 0 = the first listed).
CREATE TABLE unconference_blocks (
    day_id    INTEGER NOT NULL REFERENCES unconference_days (id),
    position  INTEGER NOT NULL CHECK (position >= 0),
    start_utc INTEGER NOT NULL,
    end_utc   INTEGER NOT NULL CHECK (end_utc > start_utc),
    PRIMARY KEY (day_id, position)
);

CREATE TABLE unconference_rooms (
    day_id   INTEGER NOT NULL REFERENCES unconference_days (id),
    position INTEGER NOT NULL CHECK (position >= 0),
    room_id  INTEGER NOT NULL REFERENCES rooms (id),
    PRIMARY KEY (day_id, position),
    UNIQUE (day_id, room_id)
);

-- One booking per cell: the room held for that block.
CREATE TABLE unconference_cells (
    day_id         INTEGER NOT NULL REFERENCES unconference_days (id),
    room_position  INTEGER NOT NULL,
    block_position INTEGER NOT NULL,
    booking_id     INTEGER NOT NULL UNIQUE REFERENCES bookings (id),
    PRIMARY KEY (day_id, room_position, block_position),
    FOREIGN KEY (day_id, room_position) REFERENCES unconference_rooms (day_id, position),
    FOREIGN KEY (day_id, block_position) REFERENCES unconference_blocks (day_id, position)
);

-- A proposed session. Placed when it has a cell; pinned when the organiser put it there (filling the grid keeps
-- it); merged into another proposal (its votes counted there) when `merged_into` is set.
CREATE TABLE proposals (
    id             INTEGER PRIMARY KEY,
    day_id         INTEGER NOT NULL REFERENCES unconference_days (id),
    title          TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
    description    TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 200 AND instr(description, char(10)) = 0),
    proposer_id    INTEGER NOT NULL REFERENCES people (id),
    room_position  INTEGER,
    block_position INTEGER,
    pinned         INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    merged_into    INTEGER REFERENCES proposals (id),
    created_at     INTEGER NOT NULL,
    CHECK ((room_position IS NULL) = (block_position IS NULL)),
    CHECK (merged_into IS NULL OR room_position IS NULL),
    FOREIGN KEY (day_id, room_position, block_position)
        REFERENCES unconference_cells (day_id, room_position, block_position)
);
CREATE INDEX proposals_day ON proposals (day_id);

-- The database's own half of the grid's rules, whatever writes: one session per cell, and never two sessions of one
-- proposer in the same block.
CREATE UNIQUE INDEX proposals_one_per_cell ON proposals (day_id, room_position, block_position)
    WHERE room_position IS NOT NULL;
CREATE UNIQUE INDEX proposals_proposer_once_a_block ON proposals (day_id, proposer_id, block_position)
    WHERE block_position IS NOT NULL;

-- One vote per person per proposal (the primary key says so). Who voted is never shown, only the counts.
CREATE TABLE proposal_votes (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, person_id)
);
CREATE INDEX proposal_votes_person ON proposal_votes (person_id);
