//! The command line: what each `kiosk` command does, one module per family. Every command that changes the hub
//! calls exactly one booking-core use-case; these modules only read arguments and say what happened.

pub mod args;
pub mod calendars;
pub mod commands;
pub mod config;
pub mod data;
pub mod device;
pub mod doctor;
pub mod events;
pub mod input;
pub mod notify;
pub mod ownership;
pub mod report;
pub mod sensors;
pub mod unconference;

use anyhow::Result;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kiosk_runtime::hub::Hub;

/// Everything a command needs: the open hub and the time it is.
#[derive(Debug)]
pub struct Invocation<'a> {
    pub hub: &'a mut Hub,
    pub now: DateTime<Utc>,
}

impl Invocation<'_> {
    pub(crate) fn zone(&self) -> Result<Tz> {
        Ok(self.hub.store.site()?.time_zone)
    }

    pub(crate) fn person(&self, name_or_id: &str) -> Result<booking_core::Person> {
        Ok(self.hub.store.person_by_name_or_id(name_or_id)?)
    }

    /// Who a command acts for: a person the hub knows, a newcomer's name, or a pass.
    pub(crate) fn booker<'a>(&self, who: &'a args::WhoArgs) -> Result<booking_core::Booker<'a>> {
        Ok(match (&who.person, &who.name, &who.pass) {
            (Some(person), _, _) => booking_core::Booker::Person(self.person(person)?.id),
            (_, Some(name), _) => booking_core::Booker::Newcomer(name),
            (_, _, Some(pass)) => booking_core::Booker::Pass(pass),
            _ => return Err(input::bad_input("say who: --person NAME, --name NAME or --pass CODE")),
        })
    }
}
