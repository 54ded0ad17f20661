//! Who owns the hub's files. The kiosk runs as its own user (`hub-kiosk`), but an installer runs some commands with
//! sudo, and a database or key owned by root would stop the kiosk, and every command run as its user, from opening
//! them. So a command run as root hands what it made in the device's data folder over to the kiosk's user, and
//! `kiosk doctor` run as root checks as that user.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt, lchown};
use std::path::Path;

use firmware_config::SERVICE_USER;

/// The user the kiosk runs as, as this machine knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// The kiosk's user, when this command runs as root on a machine where the package made that user.
pub fn when_root() -> Option<ServiceUser> {
    // /proc/self belongs to the process's effective user.
    let root = fs::metadata("/proc/self").is_ok_and(|process| process.uid() == 0);
    if root { service_user(&fs::read_to_string("/etc/passwd").ok()?) } else { None }
}

/// The kiosk's user in the text of /etc/passwd (the package makes it as a local system user).
fn service_user(passwd: &str) -> Option<ServiceUser> {
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.as_slice() {
            [name, _, uid, gid, ..] if *name == SERVICE_USER => {
                Some(ServiceUser { name: (*name).to_owned(), uid: uid.parse().ok()?, gid: gid.parse().ok()? })
            }
            _ => None,
        }
    })
}

/// Gives `dir` and everything in it that root owns to `user`, and returns how many were handed over. The folder
/// itself is kept from other users (`0750`, as systemd's `StateDirectoryMode`): it holds visitors' names.
pub fn hand_over(dir: &Path, user: &ServiceUser) -> io::Result<usize> {
    let mut handed = 0;
    let top = fs::symlink_metadata(dir)?;
    if top.uid() == 0 {
        lchown(dir, Some(user.uid), Some(user.gid))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o750))?;
        handed += 1;
    }
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder)? {
            let entry = entry?;
            let meta = entry.metadata()?; // of the entry itself: symbolic links are not followed
            if meta.is_dir() {
                folders.push(entry.path());
            }
            if meta.uid() == 0 {
                lchown(entry.path(), Some(user.uid), Some(user.gid))?;
                handed += 1;
            }
        }
    }
    Ok(handed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_user_is_found_by_name_only() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nhub-kiosk-old:x:998:998::/:/bin/false\n\
                      hub-kiosk:x:999:996:Hub Kiosk:/var/lib/hub-kiosk:/usr/sbin/nologin\n";
        assert_eq!(service_user(passwd), Some(ServiceUser { name: "hub-kiosk".into(), uid: 999, gid: 996 }));
        assert_eq!(service_user("root:x:0:0:root:/root:/bin/bash\n"), None);
    }
}
