//! A host's "your visitor is here" notices on the Welcome screen: the host's name and the time, never the
//! visitor's. One stays for [`HOST_NOTICE_FOR`], or until the visitor checks out.

use std::rc::Rc;

use booking_core::PersonId;
use chrono::{DateTime, Utc};
use slint::{ComponentHandle, ModelRc, VecModel};

use super::Touchscreen;
use crate::ui::{HostNotice, MainWindow, WelcomeAdapter};

/// How long a notice stays on the Welcome screen, unless the visitor leaves first.
const HOST_NOTICE_FOR: chrono::Duration = chrono::Duration::minutes(15);

/// A host's visitor has checked in: the host's name, and who and when.
#[derive(Debug, Clone)]
pub struct Notice {
    pub host: String,
    pub visitor: PersonId,
    pub at: DateTime<Utc>,
}

/// Tells a host on the Welcome screen that their visitor has arrived.
pub fn add(window: &MainWindow, kiosk: &Rc<Touchscreen>, notice: Notice) {
    kiosk.host_notices.borrow_mut().push(notice);
    show(window, kiosk);
}

/// The visitor has checked out: their host needs no notice any more.
pub fn visitor_left(window: &MainWindow, kiosk: &Rc<Touchscreen>, visitor: PersonId) {
    kiosk.host_notices.borrow_mut().retain(|notice| notice.visitor != visitor);
    show(window, kiosk);
}

/// Shows the notices still due, dropping older ones.
pub fn show(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let now = kiosk.now();
    let mut notices = kiosk.host_notices.borrow_mut();
    notices.retain(|notice| now - notice.at < HOST_NOTICE_FOR);
    let shown: Vec<HostNotice> = notices
        .iter()
        .map(|notice| HostNotice { host: notice.host.as_str().into(), time: kiosk.hm(notice.at).into() })
        .collect();
    window.global::<WelcomeAdapter>().set_notices(ModelRc::new(VecModel::from(shown)));
}
