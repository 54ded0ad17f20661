-- Hub Kiosk schema, version 12: a slot's seats and an event's places are counted from an index. The only indexes on
-- slot_seats and event_places by slot or event were partial (one place per person), and SQLite cannot use them for
-- "status IN ('booked', 'arrived', 'seen')", so every count, every "first on the waiting list" and the triggers that
-- keep slots and events from over-filling read the whole table: a cost that grew with every place ever booked (a page
-- of a session with 1,500 places on its waiting list read 3,000 rows per time slot).
CREATE INDEX slot_seats_slot_status ON slot_seats (slot_id, status);
CREATE INDEX event_places_event_status ON event_places (event_id, status);
