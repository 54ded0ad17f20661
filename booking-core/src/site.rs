//! The hub itself: name, time zone, safe capacity, opening hours and closures.

use crate::sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::SiteId;
use crate::text;
use crate::time::{Slot, parse_zone, resolve_local_boundary};

/// The hub's settings: one site's, in a database that holds a network of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    pub id: SiteId,
    /// What a kiosk's configuration names the site by (`main` for a hub alone in its file).
    pub code: String,
    pub name: String,
    pub time_zone: Tz,
    /// The most people the building may hold (the fire limit).
    pub safe_capacity: u32,
    /// How many days visitors' personal data is kept after their last visit.
    pub retention_days: u32,
    /// The version of the house rules a visitor must agree to.
    pub house_rules_version: u32,
    /// The fewest digits a staff or host PIN may have.
    pub pin_digits: u8,
    /// Wrong PINs in a row before an account locks.
    pub pin_lock_after: u32,
}

/// The settings a kiosk's configuration file keeps in step with the hub (`kiosk config apply`). The time zone is
/// not among them: every booking's local rules depend on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSettings {
    pub name: String,
    pub safe_capacity: u32,
    pub retention_days: u32,
    pub pin_digits: u8,
    pub pin_lock_after: u32,
}

/// What `init_site` needs.
#[derive(Debug, Clone)]
pub struct NewSite {
    pub name: String,
    pub time_zone: String,
    pub safe_capacity: u32,
    pub retention_days: u32,
}

/// Local opening and closing time on one weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayHours {
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

impl DayHours {
    pub fn new(opens: NaiveTime, closes: NaiveTime) -> Result<DayHours> {
        if opens >= closes {
            return Err(StoreError::invalid(format!(
                "opening time {} must be before closing time {}",
                opens.format("%H:%M"),
                closes.format("%H:%M")
            )));
        }
        Ok(DayHours { opens, closes })
    }
}

/// A day the hub is shut regardless of its weekly hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closure {
    pub date: NaiveDate,
    pub reason: String,
}

/// New hubs open Monday to Saturday, 09:00 to 18:00, until staff say otherwise.
fn default_hours(weekday: Weekday) -> Option<DayHours> {
    let hours = DayHours { opens: NaiveTime::from_hms_opt(9, 0, 0)?, closes: NaiveTime::from_hms_opt(18, 0, 0)? };
    (weekday != Weekday::Sun).then_some(hours)
}

impl Store {
    /// Sets the hub up: the first site of an empty database, code `main`. Refuses if it is already set up, so an
    /// existing hub is never overwritten.
    pub fn init_site(&mut self, new: &NewSite) -> Result<Site> {
        let new = checked(new)?;
        let site = self.write(|tx| {
            let existing: Option<String> =
                tx.prepare_cached("SELECT name FROM site ORDER BY id")?.query_row([], |row| row.get(0)).optional()?;
            if let Some(existing) = existing {
                return Err(StoreError::invalid(format!("this data folder already holds the hub \"{existing}\"")));
            }
            insert_site(tx, &new, FIRST_SITE_CODE)
        })?;
        self.site = site;
        self.site()
    }

    /// Adds a site to a network's database (a second entrance, another library; in an empty one, its first) and
    /// moves this store to it. The code is what its kiosks' configuration names it by: lower-case letters, digits
    /// and hyphens.
    pub fn add_site(&mut self, code: &str, new: &NewSite) -> Result<Site> {
        let code = site_code(code)?;
        let new = checked(new)?;
        let site = self.write(|tx| {
            if site_by_code(tx, &code)?.is_some() {
                return Err(StoreError::invalid(format!("there is already a site \"{code}\"")));
            }
            insert_site(tx, &new, &code)
        })?;
        self.site = site;
        self.site()
    }

    /// Moves this store to the site a kiosk's configuration names; refused in plain words if there is none.
    pub fn use_site(&mut self, code: &str) -> Result<Site> {
        let found = site_by_code(&self.conn, code)?.ok_or_else(|| {
            StoreError::invalid(format!(
                "this hub's database has no site \"{code}\": add it with kiosk init --site {code}, or correct the code"
            ))
        })?;
        self.site = found;
        self.site()
    }

    /// Every site in the database, in the order they were added.
    pub fn sites(&self) -> Result<Vec<Site>> {
        let ids: Vec<SiteId> = self
            .conn
            .prepare_cached("SELECT id FROM site ORDER BY id")?
            .query_map([], |row| row.get(0))?
            .collect::<crate::sql::Result<_>>()?;
        ids.into_iter().map(|id| load_site(&self.conn, id)).collect()
    }

    /// The hub's settings; a plain error if `init_site` has not been run.
    pub fn site(&self) -> Result<Site> {
        match load_site(&self.conn, self.site) {
            Err(StoreError::Offline) => self.site_offline().unwrap_or(Err(StoreError::Offline)),
            site => site,
        }
    }

    /// Changes the settings a kiosk's configuration file holds.
    pub fn update_site(&mut self, settings: &SiteSettings) -> Result<Site> {
        let name = text::clean("hub name", &settings.name, 100)?;
        if settings.safe_capacity == 0 {
            return Err(StoreError::invalid("the safe capacity must be at least 1 person"));
        }
        if settings.retention_days == 0 {
            return Err(StoreError::invalid("visitor data must be kept for at least 1 day"));
        }
        if !(4..=8).contains(&settings.pin_digits) || !(3..=50).contains(&settings.pin_lock_after) {
            return Err(StoreError::invalid("PINs have 4 to 8 digits and lock after 3 to 50 wrong tries"));
        }
        let site = self.site;
        self.write(|tx| {
            load_site(tx, site)?;
            tx.execute(
                "UPDATE site SET name = ?1, safe_capacity = ?2, retention_days = ?3, pin_digits = ?4, pin_lock_after = ?5
                 WHERE id = ?6",
                params![
                    name,
                    settings.safe_capacity,
                    settings.retention_days,
                    settings.pin_digits,
                    settings.pin_lock_after,
                    site
                ],
            )?;
            Ok(())
        })?;
        self.site()
    }

    /// Sets (or with `None`, clears: closed all day) the hours for one weekday.
    pub fn set_opening_hours(&mut self, weekday: Weekday, hours: Option<DayHours>) -> Result<()> {
        let site = self.site;
        self.write(|tx| {
            let day = weekday.num_days_from_monday();
            match hours {
                Some(hours) => tx.execute(
                    "INSERT INTO opening_hours (site_id, weekday, opens, closes) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (site_id, weekday) DO UPDATE SET opens = excluded.opens, closes = excluded.closes",
                    params![site, day, hm(hours.opens), hm(hours.closes)],
                )?,
                None => {
                    tx.execute("DELETE FROM opening_hours WHERE site_id = ?1 AND weekday = ?2", params![site, day])?
                }
            };
            Ok(())
        })
    }

    /// The weekly hours, Monday first; `None` for a day the hub is closed.
    pub fn opening_hours(&self) -> Result<[Option<DayHours>; 7]> {
        let mut week = [None; 7];
        let mut statement =
            self.conn.prepare_cached("SELECT weekday, opens, closes FROM opening_hours WHERE site_id = ?1")?;
        let rows = statement.query_map([self.site], |row| {
            Ok((row.get::<_, u32>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (weekday, opens, closes) = row?;
            let hours = DayHours { opens: parse_hm(&opens)?, closes: parse_hm(&closes)? };
            *week.get_mut(weekday as usize).ok_or_else(|| StoreError::Corrupt(format!("weekday {weekday}")))? =
                Some(hours);
        }
        Ok(week)
    }

    /// Marks a date as closed (a bank holiday, a staff training day).
    pub fn add_closure(&mut self, date: NaiveDate, reason: &str) -> Result<()> {
        let reason = text::clean("reason", reason, 120)?;
        let site = self.site;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO closures (site_id, date, reason) VALUES (?1, ?2, ?3)
                 ON CONFLICT (site_id, date) DO UPDATE SET reason = excluded.reason",
                params![site, date.to_string(), reason],
            )?;
            Ok(())
        })
    }

    pub fn closures(&self) -> Result<Vec<Closure>> {
        let mut statement =
            self.conn.prepare_cached("SELECT date, reason FROM closures WHERE site_id = ?1 ORDER BY date")?;
        let rows = statement.query_map([self.site], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (date, reason) = row?;
            let date = date.parse().map_err(|_| StoreError::Corrupt(format!("closure date {date}")))?;
            Ok(Closure { date, reason })
        })
        .collect()
    }

    /// When the hub is open on a local date, as a UTC range; `Opening::Closed` with the reason otherwise.
    pub fn opening_on(&self, date: NaiveDate) -> Result<Opening> {
        opening_on(&self.conn, &self.site()?, date)
    }

    /// Whether the hub is open at `instant`.
    pub fn is_open_at(&self, instant: DateTime<Utc>) -> Result<bool> {
        Ok(self.opening_rules()?.is_open_at(instant))
    }

    /// The opening rules as they are now, to ask about many instants.
    pub fn opening_rules(&self) -> Result<OpeningRules> {
        Ok(OpeningRules { zone: self.site()?.time_zone, week: self.opening_hours()?, closures: self.closures()? })
    }
}

/// The code of the site a new database's hub becomes.
const FIRST_SITE_CODE: &str = "main";

/// `new`, its words cleaned and its numbers checked.
fn checked(new: &NewSite) -> Result<NewSite> {
    let name = text::clean("hub name", &new.name, 100)?;
    parse_zone(&new.time_zone)?;
    if new.safe_capacity == 0 {
        return Err(StoreError::invalid("the safe capacity must be at least 1 person"));
    }
    if new.retention_days == 0 {
        return Err(StoreError::invalid("visitor data must be kept for at least 1 day"));
    }
    Ok(NewSite { name, ..new.clone() })
}

/// A site's code as a kiosk's configuration writes it: 1 to 30 lower-case letters, digits and hyphens.
pub fn site_code(code: &str) -> Result<String> {
    let code = code.trim();
    if code.is_empty()
        || code.len() > 30
        || !code.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    {
        return Err(StoreError::invalid(format!(
            "\"{code}\" cannot name a site: use 1 to 30 lower-case letters, digits and hyphens, such as north-library"
        )));
    }
    Ok(code.to_owned())
}

fn site_by_code(conn: &Connection, code: &str) -> Result<Option<SiteId>> {
    Ok(conn.prepare_cached("SELECT id FROM site WHERE code = ?1")?.query_row([code], |row| row.get(0)).optional()?)
}

/// Writes a new site with the next id and the default weekly hours.
fn insert_site(tx: &Connection, new: &NewSite, code: &str) -> Result<SiteId> {
    let zone = parse_zone(&new.time_zone)?;
    let mut uid = [0u8; 8];
    getrandom::fill(&mut uid).map_err(|error| StoreError::Corrupt(format!("no random bytes: {error}")))?;
    let site: SiteId =
        tx.prepare_cached("SELECT coalesce(max(id), 0) + 1 FROM site")?.query_row([], |row| row.get(0))?;
    tx.execute(
        "INSERT INTO site (id, code, name, time_zone, safe_capacity, retention_days, uid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            site,
            code,
            new.name,
            zone.name(),
            new.safe_capacity,
            new.retention_days,
            data_encoding::HEXLOWER.encode(&uid)
        ],
    )?;
    for weekday in 0..7 {
        if let Some(hours) = default_hours(Weekday::try_from(weekday as u8).unwrap_or(Weekday::Mon)) {
            tx.execute(
                "INSERT INTO opening_hours (site_id, weekday, opens, closes) VALUES (?1, ?2, ?3, ?4)",
                params![site, weekday, hm(hours.opens), hm(hours.closes)],
            )?;
        }
    }
    Ok(site)
}

pub(crate) fn load_site(conn: &Connection, site: SiteId) -> Result<Site> {
    let row = conn
        .prepare_cached(
            "SELECT code, name, time_zone, safe_capacity, retention_days, house_rules_version, pin_digits,
                    pin_lock_after
             FROM site WHERE id = ?1",
        )?
        .query_row([site], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
                row.get(7)?,
            ))
        })
        .optional()?;
    let Some((code, name, zone, safe_capacity, retention_days, house_rules_version, pin_digits, pin_lock_after)) = row
    else {
        return Err(StoreError::invalid("this hub has not been set up yet"));
    };
    let time_zone = zone.parse().map_err(|_| StoreError::Corrupt(format!("unknown stored time zone {zone}")))?;
    Ok(Site {
        id: site,
        code,
        name,
        time_zone,
        safe_capacity,
        retention_days,
        house_rules_version,
        pin_digits,
        pin_lock_after,
    })
}

pub(crate) fn opening_on(conn: &Connection, site: &Site, date: NaiveDate) -> Result<Opening> {
    let closure: Option<String> = conn
        .prepare_cached("SELECT reason FROM closures WHERE site_id = ?1 AND date = ?2")?
        .query_row(params![site.id, date.to_string()], |row| row.get(0))
        .optional()?;
    let hours: Option<(String, String)> = conn
        .prepare_cached("SELECT opens, closes FROM opening_hours WHERE site_id = ?1 AND weekday = ?2")?
        .query_row(params![site.id, date.weekday().num_days_from_monday()], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let hours = match hours {
        Some((opens, closes)) => Some(DayHours { opens: parse_hm(&opens)?, closes: parse_hm(&closes)? }),
        None => None,
    };
    Ok(opening(site.time_zone, date, hours, closure.as_deref()))
}

/// The rule itself: closed on a closure or a weekday without hours, else open from the opening to the closing
/// time, local to the hub (a boundary that falls in a daylight-saving gap moves to the first instant after it).
fn opening(zone: Tz, date: NaiveDate, hours: Option<DayHours>, closure: Option<&str>) -> Opening {
    if let Some(reason) = closure {
        return Opening::Closed { reason: reason.to_owned() };
    }
    let Some(hours) = hours else {
        return Opening::Closed { reason: format!("the hub is closed on {}s", date.format("%A")) };
    };
    let start = resolve_local_boundary(zone, date.and_time(hours.opens));
    let end = resolve_local_boundary(zone, date.and_time(hours.closes));
    match Slot::new(start, end) {
        Ok(slot) => Opening::Open { hours, slot },
        Err(_) => Opening::Closed { reason: "the hub is closed that day".into() },
    }
}

/// The hub's opening rules — its time zone, weekly hours and closures — read once, so "is the hub open at this
/// instant" can be asked often without the database (the door sensors ask from their own thread).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningRules {
    zone: Tz,
    week: [Option<DayHours>; 7],
    closures: Vec<Closure>,
}

impl OpeningRules {
    /// Whether and when the hub is open on a local date.
    pub fn on(&self, date: NaiveDate) -> Opening {
        let closure = self.closures.iter().find(|closure| closure.date == date).map(|closure| closure.reason.as_str());
        opening(self.zone, date, self.week[date.weekday().num_days_from_monday() as usize], closure)
    }

    /// Whether the hub is open at `instant`.
    pub fn is_open_at(&self, instant: DateTime<Utc>) -> bool {
        matches!(self.on(instant.with_timezone(&self.zone).date_naive()), Opening::Open { slot, .. } if slot.contains(instant))
    }
}

/// Whether and when the hub is open on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    Open { hours: DayHours, slot: Slot },
    Closed { reason: String },
}

pub(crate) fn hm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

fn parse_hm(text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| StoreError::Corrupt(format!("stored time {text}")))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The test hub's settings: London, 60 people, visitor data kept 30 days.
    pub(crate) fn london_site() -> NewSite {
        NewSite {
            name: "Riverside Hub".into(),
            time_zone: "Europe/London".into(),
            safe_capacity: 60,
            retention_days: 30,
        }
    }

    pub(crate) fn london_hub() -> Store {
        let mut store = crate::db::test_store::empty();
        store.init_site(&london_site()).unwrap();
        store
    }

    /// A second hub in the London hub's database: Cardiff, in the same zone but with its own rules.
    fn network() -> Store {
        let mut store = london_hub();
        let cardiff = NewSite {
            name: "Cardiff Bay Hub".into(),
            time_zone: "Europe/London".into(),
            safe_capacity: 20,
            retention_days: 7,
        };
        store.add_site("cardiff", &cardiff).unwrap();
        store.use_site("main").unwrap();
        store
    }

    #[test]
    fn sites_are_added_by_a_plain_code_once_and_chosen_by_it() {
        let mut store = network();
        let codes: Vec<String> = store.sites().unwrap().into_iter().map(|site| site.code).collect();
        assert_eq!(codes, ["main", "cardiff"]);
        assert_eq!(store.site().unwrap().name, "Riverside Hub");
        assert_eq!(store.use_site("cardiff").unwrap().safe_capacity, 20);
        let again = store.add_site("cardiff", &london_site()).unwrap_err();
        assert_eq!(again.to_string(), "there is already a site \"cardiff\"");
        let badly = store.add_site("Cardiff Bay", &london_site()).unwrap_err();
        assert!(badly.to_string().contains("lower-case letters, digits and hyphens"), "{badly}");
        let unknown = store.use_site("swansea").unwrap_err();
        assert!(unknown.to_string().contains("no site \"swansea\""), "{unknown}");
        assert_eq!(store.site().unwrap().code, "cardiff", "a refused choice keeps the site");
        let mut empty = crate::db::test_store::empty();
        let first = empty.add_site("north", &london_site()).unwrap();
        assert_eq!((first.id, first.code.as_str()), (crate::db::FIRST_SITE, "north"), "a network's first site");
    }

    #[test]
    fn rooms_hours_and_closures_belong_to_their_site() {
        use crate::rooms::NewRoom;
        let mut store = network();
        let riverside = store.add_room(&NewRoom::named("Meeting room", 8)).unwrap();
        let christmas = NaiveDate::from_ymd_opt(2027, 12, 24).unwrap();
        store.add_closure(christmas, "Christmas Eve").unwrap();
        store.use_site("cardiff").unwrap();
        let cardiff = store.add_room(&NewRoom::named("Meeting room", 4)).unwrap();
        assert_ne!(riverside.id, cardiff.id, "one name at two sites is two rooms");
        assert_eq!(store.rooms().unwrap(), std::slice::from_ref(&cardiff));
        assert_eq!(store.room_by_name("meeting ROOM").unwrap().capacity, 4);
        store.set_opening_hours(Weekday::Sat, None).unwrap();
        let saturday = NaiveDate::from_ymd_opt(2027, 12, 18).unwrap();
        assert!(matches!(store.opening_on(saturday).unwrap(), Opening::Closed { .. }));
        assert!(matches!(store.opening_on(christmas).unwrap(), Opening::Open { .. }), "Riverside's closure only");
        store.use_site("main").unwrap();
        assert!(matches!(store.opening_on(saturday).unwrap(), Opening::Open { .. }));
        assert_eq!(store.opening_on(christmas).unwrap(), Opening::Closed { reason: "Christmas Eve".into() });
        assert_eq!(store.rooms().unwrap(), [riverside]);
    }

    #[test]
    fn members_passes_work_at_every_site_unless_limited_and_a_day_pass_at_its_own() {
        use crate::passes::{NewPass, PassKey, PassRefusal};
        use crate::people::{NewPerson, Role};
        use crate::visits::{ScanOutcome, VisitReason, WalkIn, WalkInOutcome};
        let key = PassKey::from_secret([9; 32]);
        let at = |minute: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2027, 1, 5, 10, minute, 0).unwrap();
        let mut store = network();
        let ada = NewPerson { display_name: "Ada".into(), contact: None, role: Role::Member, rules_version: Some(1) };
        let ada = store.add_person(&ada, at(0)).unwrap();
        let card = store.issue_pass(&key, ada.id, NewPass::Member, at(0)).unwrap().payload;
        let riverside_only = store.issue_pass(&key, ada.id, NewPass::MemberHere, at(0)).unwrap();
        assert_eq!(riverside_only.pass.site, Some(store.site().unwrap().id));
        let walk_in = WalkIn {
            display_name: "Bea".into(),
            contact: None,
            reason: VisitReason::Working,
            visiting: None,
            agreed_rules_version: 1,
        };
        let WalkInOutcome::CheckedIn { pass: day_pass, .. } = store.walk_in(&key, &walk_in, at(0)).unwrap() else {
            panic!("Bea walks in at Riverside")
        };
        assert!(matches!(store.scan(&key, &card, at(1)).unwrap(), ScanOutcome::CheckedIn { .. }));
        assert_eq!(store.roll_call().unwrap().len(), 2);

        // Ada goes to Cardiff without scanning out: she is checked in there and off Riverside's roll.
        store.use_site("cardiff").unwrap();
        assert!(store.roll_call().unwrap().is_empty());
        assert!(matches!(store.scan(&key, &card, at(30)).unwrap(), ScanOutcome::CheckedIn { .. }));
        assert_eq!(store.roll_call().unwrap().iter().map(|on| on.display_name.as_str()).collect::<Vec<_>>(), ["Ada"]);
        assert!(store.is_on_site(ada.id).unwrap());
        assert_eq!(
            store.scan(&key, &day_pass.payload, at(31)).unwrap(),
            ScanOutcome::Refused(PassRefusal::OtherSite { site: "Riverside Hub".into() })
        );
        assert_eq!(
            store.scan(&key, &riverside_only.payload, at(31)).unwrap(),
            ScanOutcome::Refused(PassRefusal::OtherSite { site: "Riverside Hub".into() }),
            "a member's pass limited to Riverside"
        );
        assert_eq!(store.occupancy(at(32)).unwrap().on_site, 1);
        store.use_site("main").unwrap();
        assert_eq!(store.roll_call().unwrap().iter().map(|on| on.display_name.as_str()).collect::<Vec<_>>(), ["Bea"]);
        assert!(!store.is_on_site(ada.id).unwrap());
        assert!(!store.check_out(ada.id, at(33)).unwrap(), "Ada is not here to check out");
    }

    #[test]
    fn a_site_s_staff_pin_opens_its_own_staff_view_and_network_staff_open_every_one() {
        use crate::staff::{Pin, PinOutcome};
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2027, 1, 5, 10, 0, 0).unwrap();
        let pin: Pin = "4821".parse().unwrap();
        let mut store = network();
        let sam = store.add_staff("Sam Riverside", &pin, now).unwrap();
        assert!(matches!(store.check_pin(sam.id, &pin, now).unwrap(), PinOutcome::Accepted(_)));
        store.use_site("cardiff").unwrap();
        let refused = store.check_pin(sam.id, &pin, now).unwrap_err();
        assert!(refused.to_string().contains("PIN is for Riverside Hub, not this site"), "{refused}");
        let cai = store.add_staff("Cai Cardiff", &pin, now).unwrap();
        store.use_site("main").unwrap();
        assert!(store.check_pin(cai.id, &pin, now).is_err());
        store.set_network_staff(sam.id, true).unwrap();
        store.use_site("cardiff").unwrap();
        assert!(matches!(store.check_pin(sam.id, &pin, now).unwrap(), PinOutcome::Accepted(_)));
    }

    #[test]
    fn init_twice_is_refused_and_keeps_the_first() {
        let mut store = london_hub();
        let again =
            NewSite { name: "Other".into(), time_zone: "Europe/Paris".into(), safe_capacity: 5, retention_days: 5 };
        let error = store.init_site(&again).unwrap_err();
        assert!(error.to_string().contains("Riverside Hub"));
        assert_eq!(store.site().unwrap().time_zone, chrono_tz::Europe::London);
    }

    #[test]
    fn closed_sundays_and_closure_dates_give_reasons() {
        let mut store = london_hub();
        let sunday = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
        assert!(matches!(store.opening_on(sunday).unwrap(), Opening::Closed { reason } if reason.contains("Sundays")));
        let christmas = NaiveDate::from_ymd_opt(2027, 12, 24).unwrap();
        store.add_closure(christmas, "Christmas Eve").unwrap();
        assert_eq!(store.opening_on(christmas).unwrap(), Opening::Closed { reason: "Christmas Eve".into() });
    }

    #[test]
    fn opening_hours_are_local_on_both_sides_of_the_change() {
        let store = london_hub();
        let winter = NaiveDate::from_ymd_opt(2027, 3, 26).unwrap();
        let summer = NaiveDate::from_ymd_opt(2027, 3, 29).unwrap();
        let Opening::Open { slot: winter_slot, .. } = store.opening_on(winter).unwrap() else { panic!() };
        let Opening::Open { slot: summer_slot, .. } = store.opening_on(summer).unwrap() else { panic!() };
        assert_eq!(winter_slot.start().format("%H:%M").to_string(), "09:00");
        assert_eq!(summer_slot.start().format("%H:%M").to_string(), "08:00");
    }

    /// "Is the hub open now" is one rule: asked of the rules read once (as the door sensors do) or of the store,
    /// it answers the same at every quarter hour of a month that crosses the change to summer time, with a
    /// closure and a closed weekday in it.
    #[test]
    fn open_at_an_instant_agrees_with_the_day_s_opening_across_the_clock_change() {
        use chrono::{Duration, TimeZone};
        let mut store = london_hub();
        store.add_closure(NaiveDate::from_ymd_opt(2027, 3, 30).unwrap(), "Staff training").unwrap();
        let rules = store.opening_rules().unwrap();
        let (mut instant, end) =
            (Utc.with_ymd_and_hms(2027, 3, 15, 0, 0, 0).unwrap(), Utc.with_ymd_and_hms(2027, 4, 15, 0, 0, 0).unwrap());
        let mut open = 0;
        while instant < end {
            let date = instant.with_timezone(&chrono_tz::Europe::London).date_naive();
            let by_day =
                matches!(store.opening_on(date).unwrap(), Opening::Open { slot, .. } if slot.contains(instant));
            assert_eq!(rules.is_open_at(instant), by_day, "{instant}");
            assert_eq!(rules.on(date), store.opening_on(date).unwrap(), "{date}");
            open += usize::from(by_day);
            instant += Duration::minutes(15);
        }
        // 26 open days (31 days, 4 Sundays, 1 closure) of 9 hours, 36 quarter hours each.
        assert_eq!(open, 26 * 36);
        let summer_morning = Utc.with_ymd_and_hms(2027, 3, 29, 8, 30, 0).unwrap(); // 09:30 in London
        assert!(store.is_open_at(summer_morning).unwrap());
        assert!(!store.is_open_at(Utc.with_ymd_and_hms(2027, 3, 26, 8, 30, 0).unwrap()).unwrap(), "08:30 in winter");
    }
}
