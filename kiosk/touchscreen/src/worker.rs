//! How the screens reach the hub: jobs go to the database thread, and each result comes back over a oneshot
//! channel to a task on Slint's event loop, so the code that shows it may use UI-thread state. Tests without a
//! database thread run jobs inline instead.

use std::cell::RefCell;
use std::rc::Rc;

use kiosk_runtime::hub::Hub;
use kiosk_runtime::worker::JobSender;
use tracing::error;

#[derive(Clone)]
pub enum Worker {
    /// The database thread: the kiosk's single writer.
    Thread(JobSender),
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

impl Worker {
    /// The database thread's handle; `None` for the inline worker of tests.
    pub fn sender(&self) -> Option<JobSender> {
        match self {
            Worker::Thread(jobs) => Some(jobs.clone()),
            Worker::Inline(_) => None,
        }
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
                let sent = jobs.submit(move |hub| {
                    // The receiver is gone only if the window has closed; nothing is left to show it to.
                    let _ = result_sender.send(job(hub));
                });
                if !sent {
                    error!("the database thread has stopped");
                    return;
                }
                let shown = slint::spawn_local(async move {
                    if let Ok(result) = result.await {
                        then(result);
                    }
                });
                if let Err(error) = shown {
                    error!("no event loop to show a result on: {error}");
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
