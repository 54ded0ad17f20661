//! Who a booking made at the kiosk or on a web page is for — the holder of a pass, or a newcomer by name — and
//! finding that person inside the booking's own transaction, so the pass check, the booking and any new pass are
//! one use-case: all of it happens, or none.

use crate::sql::Transaction;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::ids::{PersonId, SiteId};
use crate::passes::{PassKey, PassRefusal, verify};
use crate::people::{NewPerson, Role, insert_person};
use crate::refusal::Refusal;
use crate::text;

/// Who a booking made at the kiosk or on a web page is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Booker<'a> {
    /// The holder of this pass (the text read from its QR code, or typed).
    Pass(&'a str),
    /// Someone with no pass yet, by name: recorded as a visitor (name only) only if the booking is made, and
    /// given a pass for it.
    Newcomer(&'a str),
    /// Someone the hub knows, named by staff (the command line).
    Person(PersonId),
}

/// Why a booking by a [`Booker`] was refused: their pass, or the rule the booking broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Refused<R> {
    Pass(PassRefusal),
    Rule(R),
}

impl<R: Refusal> Refusal for Refused<R> {
    fn code(&self) -> &'static str {
        match self {
            Refused::Pass(refusal) => refusal.code(),
            Refused::Rule(refusal) => refusal.code(),
        }
    }
}

/// A [`Booker`] once their pass (or a newcomer's name) is checked.
#[derive(Debug, Clone)]
pub(crate) enum Found {
    Holder(PersonId),
    /// The name, cleaned.
    Newcomer(String),
}

impl Booker<'_> {
    /// Checks the pass (shown at `site`), or the newcomer's name: first, before the booking's own rules. Writes
    /// nothing; a name the hub cannot keep is an error.
    pub(crate) fn find(
        self,
        tx: &Transaction<'_>,
        key: &PassKey,
        site: SiteId,
        now: DateTime<Utc>,
    ) -> Result<Result<Found, PassRefusal>> {
        Ok(match self {
            Booker::Pass(text) => verify(tx, key, site, text, now)?.map(|pass| Found::Holder(pass.person_id)),
            Booker::Newcomer(name) => Ok(Found::Newcomer(text::clean("name", name, 80)?)),
            Booker::Person(person) => {
                crate::people::load_person(tx, person)?;
                Ok(Found::Holder(person))
            }
        })
    }
}

impl Found {
    /// The pass holder; `None` for a newcomer, who is not recorded yet.
    pub(crate) fn holder(&self) -> Option<PersonId> {
        match self {
            Found::Holder(person) => Some(*person),
            Found::Newcomer(_) => None,
        }
    }

    /// The person to book for: the pass holder, or the newcomer, recorded now (name only, as a visitor). Call it
    /// once the booking's rules have passed, so a refused booking records no name.
    pub(crate) fn person(&self, tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<PersonId> {
        match self {
            Found::Holder(person) => Ok(*person),
            Found::Newcomer(name) => {
                let new =
                    NewPerson { display_name: name.clone(), contact: None, role: Role::Visitor, rules_version: None };
                insert_person(tx, &new, now)
            }
        }
    }
}
