//! Signed-in hosts and staff. A session is a random token in an `HttpOnly`, `SameSite=Strict` cookie, kept in memory
//! only (a restart signs everyone out) and ended after 30 minutes without a request, like the kiosk's staff view
//! locking itself. The PIN check itself is booking-core's, so wrong PINs count towards the same lock as at the door.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use booking_core::{PersonId, Role};

use super::page::random_token;

pub const SESSION_COOKIE: &str = "hub_session";
/// How long a session lasts without a request.
pub const IDLE: Duration = Duration::from_secs(30 * 60);

/// Who a session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub person: PersonId,
    pub name: String,
    pub role: Role,
}

impl Login {
    pub fn is_staff(&self) -> bool {
        self.role == Role::Staff
    }
}

#[derive(Debug, Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, (Login, Instant)>>,
}

impl Sessions {
    /// Starts a session for `login`; returns its token.
    pub fn start(&self, login: Login) -> String {
        let token = random_token();
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        open.retain(|_, (_, seen)| now.duration_since(*seen) < IDLE);
        open.insert(token.clone(), (login, now));
        token
    }

    /// The session's person, if it is open; each use keeps it open for another [`IDLE`].
    pub fn get(&self, token: &str) -> Option<Login> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        let (login, seen) = open.get_mut(token)?;
        if now.duration_since(*seen) >= IDLE {
            open.remove(token);
            return None;
        }
        *seen = now;
        Some(login.clone())
    }

    pub fn end(&self, token: &str) {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_token_until_it_ends() {
        let sessions = Sessions::default();
        let login = Login { person: PersonId(7), name: "Sam Taylor".into(), role: Role::Staff };
        let token = sessions.start(login.clone());
        assert_eq!(token.len(), 64);
        assert_eq!(sessions.get(&token), Some(login));
        assert_eq!(sessions.get("0".repeat(64).as_str()), None);
        sessions.end(&token);
        assert_eq!(sessions.get(&token), None);
    }
}
