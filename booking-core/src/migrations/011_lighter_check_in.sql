-- Hub Kiosk schema, version 11: a check-in writes fewer pages. A person's "last seen" is read from their latest
-- visit (one probe of visits_person_latest); people.last_seen now only keeps the last movement of visits the retention
-- purge has deleted. The index on visits (checked_in_at) alone served only the staff view's arrivals per hour, which
-- reads a few weeks of visits at most (the purge deletes the rest): one index fewer to update at every check-in.
DROP INDEX visits_checked_in_at;
