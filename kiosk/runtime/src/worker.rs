//! The hub's one database thread. It owns the hub and runs jobs in the order they come, so every front end (the
//! touchscreen, the web pages, the door sensors, housekeeping) queues behind the others' writes instead of racing
//! them, and no front end ever waits on SQLite on its own thread (a durable commit waits for the disk). The web's
//! pages that only read use a second such thread over a read-only connection, so they never queue behind the door,
//! and it [gives way](give_way) to the others, so a busy web does not take the door's share of the processor either.

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

/// A handle any thread uses to queue work for a database thread.
pub struct JobSender<T = Hub>(mpsc::Sender<Message<T>>);

impl<T> Clone for JobSender<T> {
    fn clone(&self) -> Self {
        JobSender(self.0.clone())
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
        let (sender, queue) = mpsc::channel::<Message<T>>();
        let thread = std::thread::Builder::new().name(name.into()).spawn(move || {
            for message in queue {
                match message {
                    Message::Job(job) => job(&mut owned),
                    Message::Stop => break,
                }
            }
            // `owned` is dropped here: the database is closed on this thread, after its last write.
        })?;
        Ok(DatabaseThread { sender: JobSender(sender), thread })
    }

    pub fn sender(&self) -> JobSender<T> {
        self.sender.clone()
    }

    /// Runs every job queued so far, closes the database and waits for the thread to end. Jobs sent afterwards
    /// are refused ([`JobSender::submit`] returns false).
    pub fn stop(self) {
        let _ = self.sender.0.send(Message::Stop);
        if self.thread.join().is_err() {
            error!("the database thread failed while stopping");
        }
    }
}

impl<T: 'static> JobSender<T> {
    /// Queues `job`; false if the database thread has stopped.
    pub fn submit(&self, job: impl FnOnce(&mut T) + Send + 'static) -> bool {
        self.0.send(Message::Job(Box::new(job))).is_ok()
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
}
