-- Hub Kiosk schema, version 5: a host who calls off a session says why, and the public page shows it.
ALTER TABLE surgeries ADD COLUMN cancel_reason TEXT CHECK (cancel_reason IS NULL OR length(cancel_reason) BETWEEN 1 AND 200);
