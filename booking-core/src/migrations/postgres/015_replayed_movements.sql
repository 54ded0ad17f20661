-- Hub Kiosk schema on PostgreSQL, version 15: as SQLite's migration 015_replayed_movements.sql (read its comments).
CREATE TABLE replayed_movements (
    kiosk TEXT   NOT NULL,
    seq   BIGINT NOT NULL,
    at    BIGINT NOT NULL,
    PRIMARY KEY (kiosk, seq)
);
