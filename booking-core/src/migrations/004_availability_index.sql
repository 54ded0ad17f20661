-- Hub Kiosk schema, version 4: free time across all rooms looks up bookings ending after the day starts; with this
-- index that reads the days ahead only (and, with start_utc in it, only the rows of that day from the table),
-- however many years of history the hub has.
CREATE INDEX bookings_end ON bookings (end_utc, start_utc);
