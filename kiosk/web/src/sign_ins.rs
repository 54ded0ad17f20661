//! Signed-in hosts and staff: "sign-ins", never "sessions", which are drop-in sessions here. A sign-in is a random
//! token in an `HttpOnly`, `SameSite=Strict` cookie, kept in memory only (a restart signs everyone out) and ended
//! after 30 minutes without a request, like the kiosk's staff view locking itself. The PIN check itself is
//! booking-core's, so wrong PINs count towards the same lock as at the door.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use booking_core::{PersonId, Role};

pub const SIGN_IN_COOKIE: &str = "hub_sign_in";
/// How long a sign-in lasts without a request.
pub const IDLE: Duration = Duration::from_secs(30 * 60);

/// Who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub person: PersonId,
    pub name: String,
    pub role: Role,
}

impl SignedIn {
    pub fn is_staff(&self) -> bool {
        self.role == Role::Staff
    }
}

#[derive(Debug, Default)]
pub struct SignIns {
    open: Mutex<HashMap<String, (SignedIn, Instant)>>,
}

impl SignIns {
    /// Starts a sign-in for `login`; returns its token.
    pub fn start(&self, login: SignedIn) -> String {
        let token = random_token();
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        open.retain(|_, (_, seen)| now.duration_since(*seen) < IDLE);
        open.insert(token.clone(), (login, now));
        token
    }

    /// The signed-in person, if the sign-in is open; each use keeps it open for another [`IDLE`].
    pub fn get(&self, token: &str) -> Option<SignedIn> {
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

/// 32 random bytes as hex: sign-in and form tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // Without randomness no token is safe to hand out; the OS failing here is not something to carry on from.
    getrandom::fill(&mut bytes).expect("the operating system gave no random bytes");
    bytes.iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_is_found_by_its_token_until_it_ends() {
        let sign_ins = SignIns::default();
        let login = SignedIn { person: PersonId(7), name: "Sam Taylor".into(), role: Role::Staff };
        let token = sign_ins.start(login.clone());
        assert_eq!(token.len(), 64);
        assert_eq!(sign_ins.get(&token), Some(login));
        assert_eq!(sign_ins.get("0".repeat(64).as_str()), None);
        sign_ins.end(&token);
        assert_eq!(sign_ins.get(&token), None);
    }
}
