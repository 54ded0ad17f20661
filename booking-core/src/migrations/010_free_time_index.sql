-- Hub Kiosk schema, version 10: free time for a week across every room reads only the index. Version 4's index on
-- (end_utc, start_utc) found the days' bookings without the years of history, but each row then came from the table;
-- with the room and the status in the index too, the week's busy times are read from the index alone.
DROP INDEX bookings_end;
CREATE INDEX bookings_end_covering ON bookings (end_utc, start_utc, room_id, status);
