//! Failures. A refusal a person can act on (a conflict, a full slot) is not here: it is an `Ok` outcome value.

use thiserror::Error;

/// Something went wrong that is not a rule saying no: the input could not be understood, or the machine failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The caller passed something that cannot be used (an empty name, an unknown room). Shown to the person as is.
    #[error("{0}")]
    Invalid(String),
    /// The record asked for by its number does not exist ("there is no room number 9"). Shown as is.
    #[error("{0}")]
    NotFound(String),
    /// The database said no or failed (disk full, corrupt file, a constraint the Rust code should have caught).
    /// (Its words are in the message, so it is not given as the cause too: a log would say them twice.)
    #[error("database problem: {0}")]
    Database(crate::sql::SqlError),
    /// A file beside the database (the pass signing key) could not be read or written.
    #[error("could not use {path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Stored data that does not read back as written: a corrupt or hand-edited database or key file.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// The network's database server cannot be reached: nothing was sent to it. A kiosk keeps checking people in
    /// and out ([`crate::Store::keep_spool`]); everything else waits for the server.
    #[error("Booking needs the network; checking in still works. The hub's database cannot be reached just now.")]
    Offline,
    /// The connection to the server broke while this was being saved, so it may or may not have been.
    #[error(
        "the connection to the hub's database broke while saving, so this may not have been saved: please check, then try again"
    )]
    Interrupted,
}

impl From<crate::sql::SqlError> for StoreError {
    fn from(error: crate::sql::SqlError) -> Self {
        if error.is_unreachable() { StoreError::Offline } else { StoreError::Database(error) }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(error.into())
    }
}

impl StoreError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        StoreError::Invalid(message.into())
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        StoreError::NotFound(message.into())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
