-- Hub Kiosk schema on PostgreSQL, version 16: as SQLite's migration 016_active_booking_times.sql (read its comments).
DROP INDEX bookings_end_covering;
CREATE INDEX bookings_end ON bookings (end_utc);
CREATE INDEX bookings_active_times ON bookings (end_utc, start_utc, room_id, status)
    WHERE status IN ('confirmed', 'checked_in');
