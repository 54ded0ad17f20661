-- Hub Kiosk schema on PostgreSQL, version 14: sites, as SQLite's migration 014_sites.sql (read its comments). One
-- database holds the hubs of a network; the hub that was alone becomes site 1, code 'main'.

ALTER TABLE site DROP CONSTRAINT site_id_check;
ALTER TABLE site ADD COLUMN code TEXT NOT NULL DEFAULT 'main' UNIQUE CHECK (code ~ '^[a-z0-9-]{1,30}$');

ALTER TABLE opening_hours ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE opening_hours DROP CONSTRAINT opening_hours_pkey;
ALTER TABLE opening_hours ADD PRIMARY KEY (site_id, weekday);

ALTER TABLE closures ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE closures DROP CONSTRAINT closures_pkey;
ALTER TABLE closures ADD PRIMARY KEY (site_id, date);

ALTER TABLE rooms ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
DROP INDEX rooms_name;
CREATE UNIQUE INDEX rooms_name ON rooms (site_id, lower(name));

ALTER TABLE visit_counts ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE visit_counts DROP CONSTRAINT visit_counts_pkey;
ALTER TABLE visit_counts ADD PRIMARY KEY (site_id, date, hour, reason);

ALTER TABLE door_counts ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE door_counts DROP CONSTRAINT door_counts_pkey;
ALTER TABLE door_counts ADD PRIMARY KEY (site_id, date, hour, sensor);

ALTER TABLE surgeries ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE unconference_days ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE visits ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE door_events ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES site (id);
ALTER TABLE passes ADD COLUMN site_id BIGINT REFERENCES site (id);
ALTER TABLE staff_pins ADD COLUMN site_id BIGINT REFERENCES site (id);
UPDATE staff_pins SET site_id = 1;
