-- Hub Kiosk schema, version 15: check-ins and check-outs a kiosk kept while the network's server could not be
-- reached (its spool, booking-core/src/spool.rs) are sent when it is back, each exactly once: a movement is applied
-- in the same transaction that records its kiosk and number here, so sending it again after a crash does nothing.
-- Nothing here identifies a person; the retention purge removes rows older than the site's period.
CREATE TABLE replayed_movements (
    kiosk TEXT    NOT NULL, -- the spool's own random id
    seq   INTEGER NOT NULL, -- the movement's number in that spool
    at    INTEGER NOT NULL, -- when it happened
    PRIMARY KEY (kiosk, seq)
);
