-- The anchor for the availability benchmark (docs/performance.md): the same hub in PostgreSQL — 300 rooms, 1,000,000
-- bookings of history, three a day per room, and a full week ahead — and the seven day queries free time needs.
-- psql -f booking-core/benches/postgres/availability.sql, then pgbench with availability-week.pgbench.
DROP TABLE IF EXISTS bookings;
CREATE TABLE bookings (
    id        bigserial PRIMARY KEY,
    room_id   integer NOT NULL,
    start_utc bigint  NOT NULL,
    end_utc   bigint  NOT NULL,
    status    text    NOT NULL
);
-- History from 2024-01-01 09:00 UTC: per room, index i starts on day i/3 at 09:00, 12:00 or 15:00, one or two hours.
INSERT INTO bookings (room_id, start_utc, end_utc, status)
SELECT room, s, s + 3600 + (i % 2) * 3600, CASE WHEN i % 10 = 0 THEN 'cancelled' ELSE 'checked_in' END
FROM generate_series(1, 300) AS room, generate_series(0, 3332) AS i,
     LATERAL (SELECT 1704099600 + (i / 3) * 86400 + (i % 3) * 10800 AS s) AS start;
-- The week from Monday 1 March 2027 10:00 UTC: three one-hour bookings a day per room.
INSERT INTO bookings (room_id, start_utc, end_utc, status)
SELECT room, s, s + 3600, 'confirmed'
FROM generate_series(1, 300) AS room, generate_series(0, 6) AS day, generate_series(0, 2) AS slot,
     LATERAL (SELECT 1803895200 + day * 86400 + slot * 10800 AS s) AS start;
CREATE INDEX bookings_end ON bookings (end_utc, start_utc);
VACUUM ANALYZE bookings;
