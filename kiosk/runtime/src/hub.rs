//! The hub's data folder: where it is, and opening its database and pass key.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use booking_core::{Database, PassKey, Store};

pub const DATABASE_FILE: &str = "hub.db";
pub const PASS_KEY_FILE: &str = "pass.key";
pub const BACKUP_DIR: &str = "backups";
/// A kiosk on a network's server keeps check-ins here while the server cannot be reached.
pub const SPOOL_FILE: &str = "offline.db";

/// The data folder to use when `--data` is not given: systemd's `StateDirectory` for the service
/// (`/var/lib/hub-kiosk`), otherwise the user's data folder (`~/.local/share/hub-kiosk` on Linux).
pub fn default_data_dir() -> PathBuf {
    if let Some(state) = std::env::var_os("STATE_DIRECTORY").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(state);
    }
    directories::ProjectDirs::from("org", "Hub Kiosk", "hub-kiosk")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("hub-kiosk-data"))
}

/// An open hub: its database and the key that signs its passes.
#[derive(Debug)]
pub struct Hub {
    pub store: Store,
    pub key: PassKey,
    /// The data folder: the pass key, backups, and the database file unless the hub lives on a server.
    pub dir: PathBuf,
    /// Where `store` was opened, for the connections that only read.
    pub database: Database,
}

impl Hub {
    /// Opens the hub in `dir`, creating the folder, database and key on first use.
    pub fn open(dir: &Path) -> Result<Hub> {
        Hub::open_on(dir, None, None)
    }

    /// [`Hub::open`], with the data on the PostgreSQL server `server` names (a connection string) when given, as in
    /// a network of kiosks that share one database, at the site of the network `site` names; the pass key stays in
    /// `dir`, with the kiosk's offline copy ([`SPOOL_FILE`]), which it starts from if the server cannot be reached.
    pub fn open_on(dir: &Path, server: Option<&str>, site: Option<&str>) -> Result<Hub> {
        let spool = dir.join(SPOOL_FILE);
        Hub::open_with(dir, server, site, |database| {
            unreachable_said_plainly(
                database.open_with_spool(&spool, chrono::Utc::now()),
                "the server cannot be reached, and this kiosk has no copy of its passes to check people in with \
                 meanwhile (it keeps one once it has reached the server)",
            )
        })
    }

    /// [`Hub::open_on`] to set the kiosk's site up (`kiosk init`, `kiosk config apply`): the store is at the
    /// database's first site, since the kiosk's may not be there yet.
    pub fn open_to_set_up(dir: &Path, server: Option<&str>, site: Option<&str>) -> Result<Hub> {
        Hub::open_with(dir, server, site, |database| {
            unreachable_said_plainly(database.open_to_set_up(), "the server cannot be reached")
        })
    }

    fn open_with(
        dir: &Path,
        server: Option<&str>,
        site: Option<&str>,
        open: impl FnOnce(&Database) -> Result<Store>,
    ) -> Result<Hub> {
        if let (None, Some(site)) = (server, site) {
            anyhow::bail!(
                "the site \"{site}\" is a site of a network's shared database: give the database too ([database] \
                 url in kiosk.toml, or --database)"
            );
        }
        fs::create_dir_all(dir).with_context(|| format!("could not create the data folder {}", dir.display()))?;
        let database = match server {
            Some(url) => Database::Server { url: url.to_owned(), site: site.map(str::to_owned) },
            None => Database::File(dir.join(DATABASE_FILE)),
        };
        let store = open(&database).with_context(|| {
            let locked_out = matches!(&database, Database::File(file) if fs::OpenOptions::new()
                .write(true)
                .open(file)
                .is_err_and(|error| error.kind() == std::io::ErrorKind::PermissionDenied));
            let hint = if locked_out {
                format!(
                    " (it belongs to another user: run the command as the kiosk's user, sudo -u {} kiosk …)",
                    firmware_config::SERVICE_USER
                )
            } else {
                String::new()
            };
            match &database {
                Database::File(_) => format!("could not open the hub database in {}{hint}", dir.display()),
                Database::Server { .. } => format!("could not open the hub database on {database}"),
            }
        })?;
        let key = PassKey::load_or_create(&dir.join(PASS_KEY_FILE))?;
        Ok(Hub { store, key, dir: dir.to_path_buf(), database })
    }
}

/// booking-core's [`StoreError::Offline`](booking_core::StoreError::Offline) speaks to a person at the door
/// ("checking in still works"); opening the hub, it is said as `instead`.
fn unreachable_said_plainly(opened: booking_core::Result<Store>, instead: &str) -> Result<Store> {
    opened.map_err(|error| match error {
        booking_core::StoreError::Offline => anyhow::anyhow!("{instead}"),
        error => error.into(),
    })
}
