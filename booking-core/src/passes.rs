//! Passes: what a QR code carries. No personal data, only a signed claim that pass N of kind K is valid until T.
//!
//! Wire format, version 1: the text `HK` followed by RFC 4648 base32 (no padding) of 47 bytes:
//! `version (1) | kind (1) | key id (1) | pass id (8, big-endian) | expires (4, big-endian Unix seconds) |
//! HMAC-SHA256 (32) over the first 15 bytes`. Base32 uses only QR "alphanumeric" characters, so the 78-character
//! text fits a version-4 QR code at error-correction level M (capacity 90).

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

use crate::sql::{OptionalExtension, params};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{BookingId, PassId, PersonId, SiteId};
use crate::people::load_person;
use crate::refusal::Refusal;
use crate::site::load_site;
use crate::time::{from_db, local_day, to_db};

const PREFIX: &str = "HK";
const VERSION: u8 = 1;
const CLAIM_LEN: usize = 15;
const MAC_LEN: usize = 32;
/// The encoded length of a version-1 pass, prefix included.
pub const PASS_TEXT_LEN: usize = 78;
/// How long a member pass is valid for.
const MEMBER_PASS_DAYS: i64 = 365;

/// What a pass admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PassKind {
    /// A one-day visitor invite: valid until the end of the local day it was issued.
    Day,
    /// A member's long-lived pass; revocable.
    Member,
    /// Admits the holder for one booking.
    Booking,
}

impl PassKind {
    fn code(self) -> u8 {
        match self {
            PassKind::Day => 1,
            PassKind::Member => 2,
            PassKind::Booking => 3,
        }
    }

    fn from_code(code: u8) -> Option<PassKind> {
        match code {
            1 => Some(PassKind::Day),
            2 => Some(PassKind::Member),
            3 => Some(PassKind::Booking),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PassKind::Day => "day",
            PassKind::Member => "member",
            PassKind::Booking => "booking",
        }
    }
}

/// What kind of pass to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewPass {
    Day,
    /// A day pass for a later local date (a place booked from home): valid from now to the end of that day.
    DayOf(NaiveDate),
    Member,
    /// A member's pass valid at the site it is issued at only: a hub of the network that keeps its members its own.
    MemberHere,
    Booking(BookingId),
}

/// The secret that signs passes. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct PassKey {
    id: u8,
    secret: [u8; 32],
}

impl fmt::Debug for PassKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PassKey {{ id: {} }}", self.id)
    }
}

impl PassKey {
    pub fn from_secret(secret: [u8; 32]) -> PassKey {
        let id = Sha256::digest(secret)[0];
        PassKey { id, secret }
    }

    pub fn generate() -> Result<PassKey> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|error| StoreError::Corrupt(format!("the system gave no random bytes: {error}")))?;
        Ok(PassKey::from_secret(secret))
    }

    /// A short public name for the key, so a pass from another kiosk is recognised as such.
    pub fn id(&self) -> u8 {
        self.id
    }

    /// Reads the key at `path`, or creates one there (readable by its owner only) if there is none.
    /// A file that exists but does not hold a key is an error: it is never overwritten.
    pub fn load_or_create(path: &Path) -> Result<PassKey> {
        let file_error = |source| StoreError::File { path: path.display().to_string(), source };
        match fs::read_to_string(path) {
            Ok(text) => {
                let bytes = data_encoding::HEXLOWER_PERMISSIVE
                    .decode(text.trim().as_bytes())
                    .ok()
                    .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("{} does not hold a pass key (64 hex digits)", path.display()))
                    })?;
                restrict_to_owner(path).map_err(file_error)?;
                Ok(PassKey::from_secret(bytes))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = PassKey::generate()?;
                let mut options = fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(file_error)?;
                writeln!(file, "{}", data_encoding::HEXLOWER.encode(&key.secret)).map_err(file_error)?;
                file.sync_all().map_err(file_error)?;
                Ok(key)
            }
            Err(error) => Err(file_error(error)),
        }
    }

    fn mac(&self, claim: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(claim);
        mac
    }
}

fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = fs::metadata(path)?.permissions();
        if permissions.mode() & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// The signed content of a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PassClaim {
    pub kind: PassKind,
    pub pass_id: PassId,
    pub expires_at: DateTime<Utc>,
}

/// Why a scanned code was not accepted. Every message tells the person what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PassRefusal {
    /// Not a Hub pass at all (another QR code, a damaged scan).
    Malformed,
    /// Made by another kiosk or altered.
    BadSignature,
    Expired {
        at: DateTime<Utc>,
    },
    Revoked,
    /// Correctly signed but not in this hub's records (e.g. a restored older database).
    Unknown,
    /// A pass for one site of the network (a visitor's day pass, a booking's) shown at another.
    OtherSite {
        site: String,
    },
}

impl Refusal for PassRefusal {
    fn code(&self) -> &'static str {
        match self {
            PassRefusal::Malformed => "not_a_pass",
            PassRefusal::BadSignature => "not_this_hubs_pass",
            PassRefusal::Expired { .. } => "pass_expired",
            PassRefusal::Revoked => "pass_cancelled",
            PassRefusal::Unknown => "unknown_pass",
            PassRefusal::OtherSite { .. } => "pass_for_another_site",
        }
    }
}

/// Encodes and signs a claim.
pub fn encode_pass(claim: &PassClaim, key: &PassKey) -> String {
    let mut bytes = Vec::with_capacity(CLAIM_LEN + MAC_LEN);
    bytes.push(VERSION);
    bytes.push(claim.kind.code());
    bytes.push(key.id);
    bytes.extend_from_slice(&claim.pass_id.0.to_be_bytes());
    let expires = u32::try_from(claim.expires_at.timestamp().max(0)).unwrap_or(u32::MAX);
    bytes.extend_from_slice(&expires.to_be_bytes());
    let mac = key.mac(&bytes).finalize().into_bytes();
    bytes.extend_from_slice(&mac);
    format!("{PREFIX}{}", BASE32_NOPAD.encode(&bytes))
}

/// Decodes and verifies a scanned text: format, signature, then expiry. Never panics, whatever the input.
/// Whether the pass is known and not revoked is the database's question: see [`Store::verify_pass`].
pub fn decode_pass(text: &str, key: &PassKey, now: DateTime<Utc>) -> Result<PassClaim, PassRefusal> {
    let text = text.trim();
    if text.len() != PASS_TEXT_LEN || !text.is_ascii() {
        return Err(PassRefusal::Malformed);
    }
    let upper = text.to_ascii_uppercase();
    let body = upper.strip_prefix(PREFIX).ok_or(PassRefusal::Malformed)?;
    let bytes = BASE32_NOPAD.decode(body.as_bytes()).map_err(|_| PassRefusal::Malformed)?;
    if bytes.len() != CLAIM_LEN + MAC_LEN || bytes[0] != VERSION {
        return Err(PassRefusal::Malformed);
    }
    let (claim, mac) = bytes.split_at(CLAIM_LEN);
    if claim[2] != key.id || key.mac(claim).verify_slice(mac).is_err() {
        return Err(PassRefusal::BadSignature);
    }
    let kind = PassKind::from_code(claim[1]).ok_or(PassRefusal::Malformed)?;
    let pass_id = i64::from_be_bytes(claim[3..11].try_into().map_err(|_| PassRefusal::Malformed)?);
    let expires = u32::from_be_bytes(claim[11..15].try_into().map_err(|_| PassRefusal::Malformed)?);
    let expires_at = from_db(i64::from(expires));
    if now >= expires_at {
        return Err(PassRefusal::Expired { at: expires_at });
    }
    Ok(PassClaim { kind, pass_id: PassId(pass_id), expires_at })
}

/// A pass as the hub records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pass {
    pub id: PassId,
    pub person_id: PersonId,
    pub kind: PassKind,
    pub booking_id: Option<BookingId>,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    /// The one site the pass is valid at; `None` for every site of the network (a member's pass).
    pub site: Option<SiteId>,
}

/// A freshly issued pass and the text to put in its QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedPass {
    pub pass: Pass,
    pub payload: String,
}

/// Issues a pass at `site`: a day pass is for that site's day there, a booking's pass for its room's site, a
/// member's for every site of the network unless limited to this one ([`NewPass::MemberHere`]).
pub(crate) fn insert_pass(
    tx: &crate::sql::Transaction<'_>,
    key: &PassKey,
    site: SiteId,
    person: PersonId,
    new: NewPass,
    now: DateTime<Utc>,
) -> Result<IssuedPass> {
    load_person(tx, person)?;
    let (kind, booking_id, expires_at, valid_at) = match new {
        NewPass::Day => {
            let zone = load_site(tx, site)?.time_zone;
            (PassKind::Day, None, local_day(zone, now.with_timezone(&zone).date_naive()).end(), Some(site))
        }
        NewPass::DayOf(date) => {
            let zone = load_site(tx, site)?.time_zone;
            let end = local_day(zone, date).end();
            if end <= now {
                return Err(StoreError::invalid(format!("{date} is over, so a pass for it would never work")));
            }
            (PassKind::Day, None, end, Some(site))
        }
        NewPass::Member => (PassKind::Member, None, now + Duration::days(MEMBER_PASS_DAYS), None),
        NewPass::MemberHere => (PassKind::Member, None, now + Duration::days(MEMBER_PASS_DAYS), Some(site)),
        NewPass::Booking(id) => {
            // Only who the booking is for or by, when it ends and where: read here rather than through
            // bookings.rs, which issues passes itself.
            let (by, for_, ends, room_site): (Option<PersonId>, Option<PersonId>, i64, SiteId) = tx
                .prepare_cached(
                    "SELECT b.booked_by, b.booked_for, b.end_utc, r.site_id
                     FROM bookings b JOIN rooms r ON r.id = b.room_id WHERE b.id = ?1",
                )?
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
                .optional()?
                .ok_or_else(|| StoreError::not_found(format!("there is no booking #{id}")))?;
            if for_ != Some(person) && by != Some(person) {
                return Err(StoreError::invalid(format!("booking #{id} is not for person #{person}")));
            }
            (PassKind::Booking, Some(id), from_db(ends), Some(room_site))
        }
    };
    tx.execute(
        "INSERT INTO passes (person_id, kind, booking_id, issued_at, expires_at, site_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![person, kind.as_str(), booking_id, to_db(now), to_db(expires_at), valid_at],
    )?;
    let id = PassId(tx.last_insert_rowid()?);
    let payload = encode_pass(&PassClaim { kind, pass_id: id, expires_at }, key);
    let pass = Pass { id, person_id: person, kind, booking_id, expires_at, revoked: false, site: valid_at };
    Ok(IssuedPass { pass, payload })
}

pub(crate) fn load_pass(conn: &crate::sql::Connection, id: PassId) -> Result<Option<Pass>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, person_id, kind, booking_id, expires_at, revoked_at IS NOT NULL, site_id
             FROM passes WHERE id = ?1",
        )?
        .query_row([id], |row| {
            let kind: String = row.get(2)?;
            Ok(Pass {
                id: row.get(0)?,
                person_id: row.get(1)?,
                kind: match kind.as_str() {
                    "member" => PassKind::Member,
                    "booking" => PassKind::Booking,
                    _ => PassKind::Day,
                },
                booking_id: row.get(3)?,
                expires_at: from_db(row.get(4)?),
                revoked: row.get(5)?,
                site: row.get(6)?,
            })
        })
        .optional()?)
}

/// Checks a scanned text against the key and the records, at `site`.
pub(crate) fn verify(
    conn: &crate::sql::Connection,
    key: &PassKey,
    site: SiteId,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Result<Pass, PassRefusal>> {
    let claim = match decode_pass(text, key, now) {
        Ok(claim) => claim,
        Err(refusal) => return Ok(Err(refusal)),
    };
    Ok(match load_pass(conn, claim.pass_id)? {
        None => Err(PassRefusal::Unknown),
        Some(pass) if pass.kind != claim.kind => Err(PassRefusal::BadSignature),
        Some(pass) if pass.revoked => Err(PassRefusal::Revoked),
        Some(pass) if now >= pass.expires_at => Err(PassRefusal::Expired { at: pass.expires_at }),
        Some(Pass { site: Some(valid_at), .. }) if valid_at != site => {
            Err(PassRefusal::OtherSite { site: load_site(conn, valid_at)?.name })
        }
        Some(pass) => Ok(pass),
    })
}

impl Store {
    /// Issues a pass for a person. A booking pass must be for a booking the person made or is the guest of.
    pub fn issue_pass(
        &mut self,
        key: &PassKey,
        person: PersonId,
        new: NewPass,
        now: DateTime<Utc>,
    ) -> Result<IssuedPass> {
        let site = self.site;
        self.write(|tx| insert_pass(tx, key, site, person, new, now))
    }

    /// Cancels a pass for good (a lost member card). Returns false if it was already revoked.
    pub fn revoke_pass(&mut self, id: PassId, now: DateTime<Utc>) -> Result<bool> {
        self.write(|tx| {
            if load_pass(tx, id)?.is_none() {
                return Err(StoreError::not_found(format!("there is no pass number {id}")));
            }
            let changed = tx.execute(
                "UPDATE passes SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, to_db(now)],
            )?;
            Ok(changed == 1)
        })
    }

    /// Whether a scanned text is a valid pass of this hub right now.
    pub fn verify_pass(&self, key: &PassKey, text: &str, now: DateTime<Utc>) -> Result<Result<Pass, PassRefusal>> {
        verify(&self.conn, key, self.site, text, now)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn key() -> PassKey {
        PassKey::from_secret([7; 32])
    }

    fn claim() -> PassClaim {
        PassClaim {
            kind: PassKind::Member,
            pass_id: PassId(123_456),
            expires_at: Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap(),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn round_trip_and_fixed_length() {
        let text = encode_pass(&claim(), &key());
        assert_eq!(text.len(), PASS_TEXT_LEN);
        assert!(text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert_eq!(decode_pass(&text, &key(), now()), Ok(claim()));
        // Scanners may add a newline or send lower case; both still read.
        assert_eq!(decode_pass(&format!("{}\r\n", text.to_lowercase()), &key(), now()), Ok(claim()));
    }

    #[test]
    fn every_flipped_character_is_refused() {
        let text = encode_pass(&claim(), &key());
        for index in 2..text.len() {
            let mut altered: Vec<char> = text.chars().collect();
            altered[index] = if altered[index] == 'A' { 'B' } else { 'A' };
            let altered: String = altered.into_iter().collect();
            let outcome = decode_pass(&altered, &key(), now());
            assert!(
                matches!(outcome, Err(PassRefusal::BadSignature | PassRefusal::Malformed)),
                "position {index}: {outcome:?}"
            );
        }
    }

    #[test]
    fn wrong_key_expired_and_garbage() {
        let text = encode_pass(&claim(), &key());
        assert_eq!(decode_pass(&text, &PassKey::from_secret([8; 32]), now()), Err(PassRefusal::BadSignature));
        let later = claim().expires_at;
        assert_eq!(decode_pass(&text, &key(), later), Err(PassRefusal::Expired { at: later }));
        for garbage in ["", "HK", "https://example.org", "😀😀", &"HK".repeat(39), "'; DROP TABLE passes; --"] {
            assert_eq!(decode_pass(garbage, &key(), now()), Err(PassRefusal::Malformed), "{garbage}");
        }
    }

    proptest::proptest! {
        #[test]
        fn decoding_any_text_never_panics(text in ".{0,200}") {
            let _ = decode_pass(&text, &key(), now());
        }

        #[test]
        fn decoding_near_misses_never_panics(body in "[A-Z2-7a-z0-9=]{70,80}") {
            let _ = decode_pass(&format!("HK{body}"), &key(), now());
        }

        #[test]
        fn any_claim_round_trips(id in 0i64..i64::MAX, kind in 0usize..3, expires in 1_800_000_000i64..4_000_000_000) {
            let claim = PassClaim {
                kind: [PassKind::Day, PassKind::Member, PassKind::Booking][kind],
                pass_id: PassId(id),
                expires_at: from_db(expires),
            };
            let text = encode_pass(&claim, &key());
            proptest::prop_assert_eq!(text.len(), PASS_TEXT_LEN);
            proptest::prop_assert_eq!(decode_pass(&text, &key(), now()), Ok(claim));
        }
    }

    #[test]
    fn key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pass.key");
        let created = PassKey::load_or_create(&path).unwrap();
        let loaded = PassKey::load_or_create(&path).unwrap();
        assert_eq!(created.secret, loaded.secret);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(!format!("{created:?}").contains(&data_encoding::HEXLOWER.encode(&created.secret)));
    }

    #[test]
    fn a_damaged_key_file_is_an_error_and_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pass.key");
        fs::write(&path, "not a key").unwrap();
        assert!(PassKey::load_or_create(&path).unwrap_err().to_string().contains("does not hold a pass key"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "not a key");
    }
}
