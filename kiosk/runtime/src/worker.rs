//! The hub's one database thread. It owns the hub and runs jobs one at a time, so every front end (the
//! touchscreen, the web pages, the door sensors, housekeeping) queues behind the others' writes instead of racing
//! them, and no front end ever waits on SQLite on its own thread (a durable commit waits for the disk). Jobs come in
//! two lanes: the door's (everything but the web) and the web's, [behind the door](JobSender::behind_the_door), so a
//! check-in waits for at most the one write already under way, never for a queue of bookings from phones. Each lane
//! keeps its order. The web's pages that only read use a second such thread over a read-only connection, so they
//! never queue behind the door, and it [gives way](give_way) to the others, so a busy web does not take the door's
//! share of the processor either.

use std::sync::mpsc;
use std::thread::JoinHandle;

use tracing::{error, warn};

use crate::hub::Hub;

type Job<T> = Box<dyn FnOnce(&mut T) + Send>;

enum Message<T> {
    Job(Job<T>),
    /// Finish what is queued, close the database and end the thread.
    Stop,
}

/// A running database thread that owns a `T`: the hub (its one writer), or a read-only [`booking_core::Store`]
/// for pages that only read. [`DatabaseThread::stop`] closes it in order; dropping it without stopping leaves the
/// thread to end when every [`JobSender`] is gone.
#[derive(Debug)]
pub struct DatabaseThread<T = Hub> {
    sender: JobSender<T>,
    thread: JoinHandle<()>,
}

/// A handle any thread uses to queue work for a database thread, in the door's lane or the one behind it.
pub struct JobSender<T = Hub> {
    door: mpsc::Sender<Message<T>>,
    behind: mpsc::Sender<Message<T>>,
    /// Rung once for every message, after it is queued: the thread waits on the bell, then takes from the door's
    /// lane first.
    bell: mpsc::Sender<()>,
    at_the_door: bool,
}

impl<T> Clone for JobSender<T> {
    fn clone(&self) -> Self {
        JobSender {
            door: self.door.clone(),
            behind: self.behind.clone(),
            bell: self.bell.clone(),
            at_the_door: self.at_the_door,
        }
    }
}

impl<T> std::fmt::Debug for JobSender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JobSender")
    }
}

/// How far below the other threads one that [gives way](give_way) runs (a nice value; 10 leaves it about a tenth of a
/// processor's share next to a busy one of the default priority).
const GIVING_WAY: i32 = 10;

/// Lowers the calling thread's scheduling priority, for threads that serve pages and displays: when the processor is
/// busy, a page waits a moment rather than a check-in at the door. On Linux a thread has its own nice value
/// (`setpriority` for the process id 0 changes only the calling thread). A failure is logged and harmless.
pub fn give_way() {
    if let Err(error) = rustix::process::setpriority_process(None, GIVING_WAY) {
        warn!("could not lower the priority of thread {:?}: {error}", std::thread::current().name());
    }
}

impl DatabaseThread<Hub> {
    /// Moves `hub` to a thread of its own.
    pub fn spawn(hub: Hub) -> std::io::Result<DatabaseThread> {
        DatabaseThread::spawn_named("hub-database", hub)
    }
}

impl<T: Send + 'static> DatabaseThread<T> {
    /// Moves `owned` to a thread of its own called `name`.
    pub fn spawn_named(name: &str, mut owned: T) -> std::io::Result<DatabaseThread<T>> {
        let (door, door_lane) = mpsc::channel::<Message<T>>();
        let (behind, behind_lane) = mpsc::channel::<Message<T>>();
        let (bell, rings) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name(name.into()).spawn(move || {
            // Every ring follows a queued message, so one of the lanes holds one.
            for () in rings {
                match door_lane.try_recv().or_else(|_| behind_lane.try_recv()) {
                    Ok(Message::Job(job)) => job(&mut owned),
                    Ok(Message::Stop) => break,
                    Err(_) => {}
                }
            }
            // `owned` is dropped here: the database is closed on this thread, after its last write.
        })?;
        Ok(DatabaseThread { sender: JobSender { door, behind, bell, at_the_door: true }, thread })
    }

    pub fn sender(&self) -> JobSender<T> {
        self.sender.clone()
    }

    /// Runs every job queued so far, closes the database and waits for the thread to end. Jobs sent afterwards
    /// are refused ([`JobSender::submit`] returns false).
    pub fn stop(self) {
        // Behind everything: the door's lane is always emptied first, so every job queued so far runs.
        let _ = self.sender.behind_the_door().send(Message::Stop);
        if self.thread.join().is_err() {
            error!("the database thread failed while stopping");
        }
    }
}

impl<T> JobSender<T> {
    /// A sender whose jobs run only when none waits in the door's lane: for the web, whose phones can queue far more
    /// work than a door, so a check-in never waits behind it.
    pub fn behind_the_door(&self) -> JobSender<T> {
        JobSender { at_the_door: false, ..self.clone() }
    }

    fn send(&self, message: Message<T>) -> bool {
        let lane = if self.at_the_door { &self.door } else { &self.behind };
        lane.send(message).is_ok() && self.bell.send(()).is_ok()
    }
}

impl<T: 'static> JobSender<T> {
    /// Queues `job`; false if the database thread has stopped.
    pub fn submit(&self, job: impl FnOnce(&mut T) + Send + 'static) -> bool {
        self.send(Message::Job(Box::new(job)))
    }

    /// Runs `job` on the database thread and waits (asynchronously) for its result; `None` if the thread has
    /// stopped.
    pub async fn ask<R: Send + 'static>(&self, job: impl FnOnce(&mut T) -> R + Send + 'static) -> Option<R> {
        let (answer, result) = tokio::sync::oneshot::channel();
        let sent = self.submit(move |owned| {
            let _ = answer.send(job(owned));
        });
        if !sent {
            return None;
        }
        result.await.ok()
    }
}

impl JobSender<Hub> {
    /// A connection of its own to the hub's database, at the kiosk's site, that can only read
    /// ([`booking_core::Store::reader`]): made on the database thread from the connection it writes through. Not for
    /// an async task: it waits for the thread.
    pub fn reader(&self) -> anyhow::Result<booking_core::Store> {
        let (answer, reader) = mpsc::sync_channel(1);
        self.submit(move |hub| {
            let _ = answer.send(hub.store.reader());
        });
        Ok(reader.recv().map_err(|_| anyhow::anyhow!("the hub's database thread has stopped"))??)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn stopping_runs_what_is_queued_then_refuses_more() {
        let dir = tempfile::tempdir().unwrap();
        let thread = DatabaseThread::spawn(Hub::open(dir.path()).unwrap()).unwrap();
        let sender = thread.sender();
        let done = Arc::new(Mutex::new(Vec::new()));
        for n in 0..50 {
            let done = done.clone();
            assert!(sender.submit(move |_| done.lock().unwrap().push(n)));
        }
        thread.stop();
        assert_eq!(*done.lock().unwrap(), (0..50).collect::<Vec<_>>());
        assert!(!sender.submit(|_| {}), "a stopped thread takes no more work");
    }

    #[test]
    fn the_door_goes_first_and_each_lane_keeps_its_order() {
        let thread = DatabaseThread::spawn_named("test", Vec::new()).unwrap();
        let (door, web) = (thread.sender(), thread.sender().behind_the_door());
        // Hold the thread until everything is queued.
        let (release, held) = mpsc::channel::<()>();
        door.submit(move |_: &mut Vec<&str>| held.recv().unwrap());
        for job in ["web 1", "web 2"] {
            web.submit(move |done| done.push(job));
        }
        for job in ["door 1", "door 2"] {
            door.submit(move |done| done.push(job));
        }
        web.submit(|done| done.push("web 3"));
        release.send(()).unwrap();
        let (answer, order) = mpsc::channel();
        web.submit(move |done| answer.send(done.clone()).unwrap());
        assert_eq!(order.recv().unwrap(), ["door 1", "door 2", "web 1", "web 2", "web 3"]);
        thread.stop();
    }
}
