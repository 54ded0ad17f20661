//! Joining on the web: a person gives their name and e-mail address, gets a link there, and opening it makes them
//! a member — their agreement to be contacted recorded with its date — and sends their member pass. Staff open or
//! close it (`site.sign_up_open`). A request not confirmed within [`SIGN_UP_LINK_VALID`] is erased by the purge.

use crate::sql::{Connection, OptionalExtension, Transaction, params};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{PersonId, SiteId};
use crate::outbox::{self, MessageFacts};
use crate::passes::{IssuedPass, NewPass, PassKey, insert_pass};
use crate::refusal::Refusal;
use crate::text;
use crate::time::to_db;

/// How long a sign-up link works.
pub const SIGN_UP_LINK_VALID: Duration = Duration::hours(48);

/// Why joining did not go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SignUpRefusal {
    /// Staff have closed joining on the web.
    Closed,
    /// Someone with this address is a member already.
    AlreadyMember,
    /// The link is not one the hub sent, or was replaced by a newer one.
    UnknownLink,
    /// The link is older than [`SIGN_UP_LINK_VALID`].
    ExpiredLink,
    /// The link was used already: the person is a member.
    AlreadyConfirmed,
}

impl Refusal for SignUpRefusal {
    fn code(&self) -> &'static str {
        match self {
            SignUpRefusal::Closed => "sign_up_closed",
            SignUpRefusal::AlreadyMember => "already_member",
            SignUpRefusal::UnknownLink => "unknown_link",
            SignUpRefusal::ExpiredLink => "expired_link",
            SignUpRefusal::AlreadyConfirmed => "already_confirmed",
        }
    }
}

/// A person who has just joined, and their member pass (also on its way by e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Joined {
    pub person: PersonId,
    pub name: String,
    pub pass: IssuedPass,
}

fn token_hash(token: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(token.trim().as_bytes()))
}

/// An address people can be written to: one `@` with something either side, no spaces.
fn clean_email(email: &str) -> Result<String> {
    let email = text::clean("e-mail address", email, 254)?;
    let shaped = email.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    });
    if !shaped || email.chars().any(char::is_whitespace) || email.matches('@').count() != 1 {
        return Err(StoreError::invalid(format!("\"{email}\" is not an e-mail address, such as name@example.org")));
    }
    Ok(email)
}

/// Whether `site`'s web pages let people join (the network's membership).
fn sign_up_open(conn: &Connection, site: SiteId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT sign_up_open FROM site WHERE id = ?1")?
        .query_row([site], |row| row.get(0))
        .optional()?
        .unwrap_or(false))
}

impl Store {
    /// Whether people may join on this site's web pages.
    pub fn sign_up_is_open(&self) -> Result<bool> {
        sign_up_open(&self.conn, self.site)
    }

    /// Opens or closes joining on this site's web pages (staff).
    pub fn set_sign_up_open(&mut self, open: bool) -> Result<()> {
        let site = self.site;
        self.write(|tx| {
            if tx.execute("UPDATE site SET sign_up_open = ?1 WHERE id = ?2", params![open, site])? == 0 {
                return Err(StoreError::invalid("this hub has not been set up yet"));
            }
            Ok(())
        })
    }

    /// Someone asks to join with `name` and `email` (read in `language`): they are recorded as a visitor whose
    /// address is not yet confirmed, and sent the link `link_base` + a new token, which [`Store::confirm_sign_up`]
    /// takes. Asking again before confirming sends a new link (the old one stops working). One transaction.
    pub fn request_sign_up(
        &mut self,
        name: &str,
        email: &str,
        language: Option<&str>,
        link_base: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<PersonId, SignUpRefusal>> {
        let name = text::clean("name", name, 80)?;
        let email = clean_email(email)?;
        let mut random = [0u8; 32];
        getrandom::fill(&mut random).map_err(|error| StoreError::Corrupt(format!("no random bytes: {error}")))?;
        let token = data_encoding::BASE32_NOPAD.encode(&random).to_lowercase();
        let site = self.site;
        self.write(|tx| {
            if !sign_up_open(tx, site)? {
                return Ok(Err(SignUpRefusal::Closed));
            }
            let member: bool = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM people WHERE lower(contact) = lower(?1) AND erased_at IS NULL
                                AND (role != 'visitor' OR contact_agreed_at IS NOT NULL))",
                )?
                .query_row([&email], |row| row.get(0))?;
            if member {
                return Ok(Err(SignUpRefusal::AlreadyMember));
            }
            let pending: Option<PersonId> = tx
                .prepare_cached(
                    "SELECT s.person_id FROM sign_ups s JOIN people p ON p.id = s.person_id
                     WHERE lower(p.contact) = lower(?1) AND s.confirmed_at IS NULL AND p.erased_at IS NULL",
                )?
                .query_row([&email], |row| row.get(0))
                .optional()?;
            let person = match pending {
                Some(person) => {
                    tx.execute(
                        "UPDATE people SET display_name = ?2, contact = ?3, language = ?4 WHERE id = ?1",
                        params![person, name, email, language],
                    )?;
                    tx.execute(
                        "UPDATE sign_ups SET token_hash = ?2, requested_at = ?3 WHERE person_id = ?1",
                        params![person, token_hash(&token), to_db(now)],
                    )?;
                    person
                }
                None => {
                    tx.execute(
                        "INSERT INTO people (display_name, contact, role, created_at, language)
                         VALUES (?1, ?2, 'visitor', ?3, ?4)",
                        params![name, email, to_db(now), language],
                    )?;
                    let person = PersonId(tx.last_insert_rowid()?);
                    tx.execute(
                        "INSERT INTO sign_ups (person_id, token_hash, requested_at) VALUES (?1, ?2, ?3)",
                        params![person, token_hash(&token), to_db(now)],
                    )?;
                    person
                }
            };
            let facts = MessageFacts::ConfirmSignUp { link: format!("{link_base}{token}") };
            outbox::insert_message(tx, person, None, &facts, now)?;
            Ok(Ok(person))
        })
    }

    /// The link from the e-mail is opened: the person becomes a member who agreed to be contacted (now), gets a
    /// member pass, and is sent it. One transaction.
    pub fn confirm_sign_up(
        &mut self,
        key: &PassKey,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<Joined, SignUpRefusal>> {
        let site = self.site;
        self.write(|tx| {
            let found: Option<(PersonId, i64, Option<i64>, String)> = tx
                .prepare_cached(
                    "SELECT s.person_id, s.requested_at, s.confirmed_at, p.display_name
                     FROM sign_ups s JOIN people p ON p.id = s.person_id
                     WHERE s.token_hash = ?1 AND p.erased_at IS NULL",
                )?
                .query_row([token_hash(token)], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
                .optional()?;
            let Some((person, requested, confirmed, name)) = found else {
                return Ok(Err(SignUpRefusal::UnknownLink));
            };
            if confirmed.is_some() {
                return Ok(Err(SignUpRefusal::AlreadyConfirmed));
            }
            if crate::time::from_db(requested) + SIGN_UP_LINK_VALID < now {
                return Ok(Err(SignUpRefusal::ExpiredLink));
            }
            tx.execute(
                "UPDATE people SET role = 'member', contact_agreed_at = ?2 WHERE id = ?1",
                params![person, to_db(now)],
            )?;
            tx.execute("UPDATE sign_ups SET confirmed_at = ?2 WHERE person_id = ?1", params![person, to_db(now)])?;
            let pass = insert_pass(tx, key, site, person, NewPass::Member, now)?;
            outbox::enqueue(tx, person, None, &MessageFacts::Welcome { pass: pass.payload.clone() }, now)?;
            Ok(Ok(Joined { person, name, pass }))
        })
    }
}

/// Erases the requests not confirmed in time (the purge, inside its transaction); how many.
pub(crate) fn expire(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<Vec<(PersonId, String)>> {
    let expired: Vec<(PersonId, String)> = tx
        .prepare_cached(
            "SELECT p.id, p.display_name FROM sign_ups s JOIN people p ON p.id = s.person_id
             WHERE s.confirmed_at IS NULL AND s.requested_at < ?1 AND p.erased_at IS NULL",
        )?
        .query_map([to_db(now - SIGN_UP_LINK_VALID)], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<crate::sql::Result<_>>()?;
    for (person, _) in &expired {
        tx.execute("DELETE FROM sign_ups WHERE person_id = ?1", [person])?;
    }
    Ok(expired)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::site::tests::london_hub;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, hour, 0, 0).unwrap()
    }

    /// The token at the end of the link in the newest confirmation message.
    fn link_token(store: &Store) -> String {
        let due = store.due_messages(at(23), 50).unwrap();
        let link = due
            .iter()
            .rev()
            .find_map(|message| match &message.facts {
                MessageFacts::ConfirmSignUp { link } => Some(link.clone()),
                _ => None,
            })
            .expect("a confirmation link was sent");
        link.rsplit('=').next().unwrap().to_owned()
    }

    #[test]
    fn joining_takes_a_confirmed_address_and_sends_a_member_pass() {
        let mut store = london_hub();
        let key = PassKey::from_secret([4; 32]);
        let base = "http://hub.test/join/confirm?token=";
        assert_eq!(
            store.request_sign_up("Nia", "nia@example.org", None, base, at(9)).unwrap(),
            Err(SignUpRefusal::Closed)
        );
        store.set_sign_up_open(true).unwrap();
        assert!(store.request_sign_up("Nia", "not an address", None, base, at(9)).is_err(), "a plain error");

        let person = store.request_sign_up("Nia", "nia@example.org", Some("cy"), base, at(9)).unwrap().unwrap();
        let due = store.due_messages(at(9), 10).unwrap();
        assert_eq!((due.len(), due[0].to.as_str()), (1, "nia@example.org"), "the link goes before any agreement");
        let first = link_token(&store);
        // Asking again sends a new link; the first stops working.
        store.request_sign_up("Nia Evans", "NIA@example.org", Some("cy"), base, at(10)).unwrap().unwrap();
        let second = link_token(&store);
        assert_ne!(first, second);
        assert_eq!(store.confirm_sign_up(&key, &first, at(11)).unwrap(), Err(SignUpRefusal::UnknownLink));

        let joined = store.confirm_sign_up(&key, &second, at(11)).unwrap().unwrap();
        assert_eq!((joined.person, joined.name.as_str()), (person, "Nia Evans"));
        let member = store.person(person).unwrap();
        assert_eq!(member.role, crate::Role::Member);
        assert!(store.verify_pass(&key, &joined.pass.payload, at(11)).unwrap().is_ok());
        let welcome = store.due_messages(at(11), 10).unwrap();
        assert!(
            welcome.iter().any(|m| matches!(&m.facts, MessageFacts::Welcome { pass } if *pass == joined.pass.payload))
        );
        assert_eq!(store.confirm_sign_up(&key, &second, at(12)).unwrap(), Err(SignUpRefusal::AlreadyConfirmed));
        assert_eq!(
            store.request_sign_up("Nia", "nia@example.org", None, base, at(12)).unwrap(),
            Err(SignUpRefusal::AlreadyMember)
        );
    }

    #[test]
    fn a_link_not_opened_in_time_stops_working_and_the_request_is_erased() {
        let mut store = london_hub();
        store.set_sign_up_open(true).unwrap();
        let person = store.request_sign_up("Sam", "sam@example.org", None, "x?token=", at(9)).unwrap().unwrap();
        let token = link_token(&store);
        let late = at(9) + SIGN_UP_LINK_VALID + Duration::minutes(1);
        let key = PassKey::from_secret([4; 32]);
        assert_eq!(store.confirm_sign_up(&key, &token, late).unwrap(), Err(SignUpRefusal::ExpiredLink));
        let report = store.purge(late).unwrap();
        assert_eq!(report.sign_ups_expired, 1);
        assert_eq!(store.person(person).unwrap().display_name, crate::ERASED_NAME);
        assert_eq!(store.confirm_sign_up(&key, &token, late).unwrap(), Err(SignUpRefusal::UnknownLink));
    }
}
