-- Hub Kiosk schema, version 16: free time reads the active bookings' times from an index of active bookings only.
-- Version 10's covering index held every booking, so the week's busy times query compared each entry's status; an
-- index that holds only active bookings needs no comparison per row (the status is in it only so SQLite sees the
-- index covers the query). The lists of bookings by time, of every status, keep an index of their own on end_utc.
DROP INDEX bookings_end_covering;
CREATE INDEX bookings_end ON bookings (end_utc);
CREATE INDEX bookings_active_times ON bookings (end_utc, start_utc, room_id, status)
    WHERE status IN ('confirmed', 'checked_in');
