//! Where the kiosk's database work runs. On the device a thread of its own owns the hub, so the UI thread never
//! waits on SQLite (a durable commit waits for the disk). The result comes back over a oneshot channel to a task
//! on Slint's event loop, so the code that shows it may use UI-thread state. Tests without an event loop run jobs
//! inline instead.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc;

use crate::hub::Hub;

type Job = Box<dyn FnOnce(&mut Hub) + Send>;

#[derive(Clone)]
pub enum Worker {
    /// One thread owns the hub and runs jobs in order: the kiosk's single writer.
    Thread(mpsc::Sender<Job>),
    /// Jobs run at once on the calling (UI) thread: only for tests.
    Inline(Rc<RefCell<Hub>>),
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Worker::Thread(_) => "Worker::Thread",
            Worker::Inline(_) => "Worker::Inline",
        })
    }
}

/// A handle other threads (the sensor task) use to queue work for the database thread, without waiting for it.
#[derive(Clone)]
pub struct JobSender(mpsc::Sender<Job>);

impl std::fmt::Debug for JobSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JobSender")
    }
}

impl JobSender {
    /// Queues `job`; false if the database thread has stopped.
    pub fn submit(&self, job: impl FnOnce(&mut Hub) + Send + 'static) -> bool {
        self.0.send(Box::new(job)).is_ok()
    }

    /// Runs `job` on the database thread and waits (asynchronously) for its result; `None` if the thread has
    /// stopped. The web server's requests go through here, so they queue behind the touchscreen's writes rather
    /// than racing them.
    pub async fn ask<R: Send + 'static>(&self, job: impl FnOnce(&mut Hub) -> R + Send + 'static) -> Option<R> {
        let (answer, result) = tokio::sync::oneshot::channel();
        let sent = self.submit(move |hub| {
            let _ = answer.send(job(hub));
        });
        if !sent {
            return None;
        }
        result.await.ok()
    }
}

impl Worker {
    /// A `Send` handle to the database thread; `None` for the inline worker of tests.
    pub fn sender(&self) -> Option<JobSender> {
        match self {
            Worker::Thread(jobs) => Some(JobSender(jobs.clone())),
            Worker::Inline(_) => None,
        }
    }

    /// Moves the hub to a new thread that runs jobs until every `Worker` handle is dropped.
    pub fn spawn(mut hub: Hub) -> std::io::Result<Worker> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new().name("hub-database".into()).spawn(move || {
            for job in queue {
                job(&mut hub);
            }
        })?;
        Ok(Worker::Thread(jobs))
    }

    pub fn inline(hub: Hub) -> Worker {
        Worker::Inline(Rc::new(RefCell::new(hub)))
    }

    /// Runs `job` with the hub, then `then` with its result on the UI thread.
    pub fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Hub) -> R + Send + 'static,
        then: impl FnOnce(R) + 'static,
    ) {
        match self {
            Worker::Thread(jobs) => {
                let (result_sender, result) = tokio::sync::oneshot::channel();
                let sent = jobs.send(Box::new(move |hub| {
                    // The receiver is gone only if the window has closed; nothing is left to show it to.
                    let _ = result_sender.send(job(hub));
                }));
                if sent.is_err() {
                    eprintln!("kiosk: the database thread has stopped");
                    return;
                }
                let shown = slint::spawn_local(async move {
                    if let Ok(result) = result.await {
                        then(result);
                    }
                });
                if let Err(error) = shown {
                    eprintln!("kiosk: no event loop to show a result on: {error}");
                }
            }
            Worker::Inline(hub) => {
                // The borrow ends before `then`, which may start the next job.
                let result = job(&mut hub.borrow_mut());
                then(result);
            }
        }
    }
}
