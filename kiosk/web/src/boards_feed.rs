//! Keeps what the displays show up to date. One thread with its own read-only connection polls SQLite's
//! `data_version`, which moves whenever any connection commits — the touchscreen, the web, a command run in a
//! terminal — and reads the boards again when it moves or the minute turns. Displays and their live streams read
//! the latest boards from memory: twenty tablets cost one query per change, and never queue behind the door.

use std::sync::Arc;
use std::time::Duration;

use booking_core::{Boards, Store};
use kiosk_runtime::clock::Clock;
use tokio::sync::watch;
use tracing::warn;

/// How often the thread asks whether anything changed: well inside the 2 s a display may lag.
const POLL: Duration = Duration::from_millis(200);

/// The latest boards (`None` until first read, or while the hub cannot be read).
#[derive(Debug, Clone)]
pub struct BoardFeed(watch::Receiver<Option<Arc<Boards>>>);

impl BoardFeed {
    /// Starts following the hub through `store`, a connection of its own that only reads; the thread ends when the
    /// last copy of the feed is dropped.
    pub fn start(store: Store, clock: Clock) -> anyhow::Result<BoardFeed> {
        let (sender, receiver) = watch::channel(None);
        // The first reading before any page can ask for it.
        let read = read_if_changed(&store, clock, Read::Never, &sender);
        std::thread::Builder::new().name("hub-boards".into()).spawn(move || {
            kiosk_runtime::worker::give_way();
            let mut read = read;
            while !sender.is_closed() {
                std::thread::sleep(POLL);
                read = read_if_changed(&store, clock, read, &sender);
            }
        })?;
        Ok(BoardFeed(receiver))
    }

    pub fn latest(&self) -> Option<Arc<Boards>> {
        self.0.borrow().clone()
    }

    /// A receiver that wakes on every new reading.
    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<Boards>>> {
        self.0.clone()
    }
}

/// When the boards were last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Never,
    /// At this data version, in this minute.
    At(i64, i64),
    /// The last try failed (and was logged).
    Failing,
}

/// Reads the boards again if the hub has changed or the minute has turned since `read`, and hands them on.
fn read_if_changed(store: &Store, clock: Clock, read: Read, sender: &watch::Sender<Option<Arc<Boards>>>) -> Read {
    let now = clock.now();
    let reading = store.data_version().and_then(|version| {
        let stamp = Read::At(version, now.timestamp() / 60);
        if read == stamp { Ok(None) } else { Ok(Some((stamp, store.boards(now)?))) }
    });
    match reading {
        Ok(None) => read,
        Ok(Some((stamp, boards))) => {
            sender.send_replace(Some(Arc::new(boards)));
            stamp
        }
        Err(error) => {
            // Said once, and the displays told once, however long it lasts.
            if read != Read::Failing {
                warn!("the displays cannot read the hub: {error}");
            }
            sender.send_if_modified(|latest| latest.take().is_some());
            Read::Failing
        }
    }
}
