//! Room calendars the kiosk subscribes to (`[[calendars]]` in kiosk.toml): fetched over HTTP(S) when their refresh
//! comes round, conditionally (`If-None-Match` with the last ETag, `If-Modified-Since` with the last date), and
//! handed to the database thread, which keeps the last good copy when a fetch fails. Every day the blocks of every
//! calendar are worked out again, so a weekly meeting keeps appearing as the days move on.

use std::time::Duration;

use booking_core::{CalendarRead, FeedDue, Fetched, MAX_ICS_BYTES};
use chrono::{DateTime, NaiveDate, Utc};
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use tracing::{info, warn};

use kiosk_runtime::clock::Clock;
use kiosk_runtime::worker::JobSender;

/// How long a calendar server has to answer before the fetch counts as failed.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(30);
/// How often to look for feeds whose refresh has come round.
const LOOK_EVERY: Duration = Duration::from_secs(60);

/// Fetches calendar feeds: one HTTP client, and how long a server has to answer.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    timeout: Duration,
}

impl Fetcher {
    pub fn new(timeout: Duration) -> Fetcher {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("hub-kiosk/", env!("CARGO_PKG_VERSION"), " (room calendars)"))
            .build()
            .unwrap_or_default();
        Fetcher { client, timeout }
    }

    /// Fetches one feed. Never fails: a problem is `Fetched::Failed` with the reason in plain words.
    pub async fn fetch(&self, feed: &FeedDue) -> Fetched {
        let failure = |error: reqwest::Error| self.failure(&error);
        fetch(&self.client, feed, failure).await
    }

    fn failure(&self, error: &reqwest::Error) -> String {
        if error.is_timeout() {
            format!("no answer within {} seconds", self.timeout.as_secs_f32())
        } else if error.is_connect() {
            match error.url().and_then(|url| url.host_str()) {
                Some(host) => format!("could not reach {host}"),
                None => "could not reach the server".to_owned(),
            }
        } else {
            format!("the fetch failed ({error})")
        }
    }
}

async fn fetch(client: &reqwest::Client, feed: &FeedDue, failure: impl Fn(reqwest::Error) -> String) -> Fetched {
    let mut request = client.get(&feed.url);
    if let Some(etag) = &feed.etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    if let Some(date) = &feed.last_modified {
        request = request.header(IF_MODIFIED_SINCE, date);
    }
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Fetched::Failed(failure(error)),
    };
    match response.status() {
        StatusCode::NOT_MODIFIED => return Fetched::NotModified,
        status if !status.is_success() => return Fetched::Failed(format!("the server answered {status}")),
        _ => {}
    }
    let header = |name| response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned);
    let (etag, last_modified) = (header(ETAG), header(LAST_MODIFIED));
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_ICS_BYTES {
                    return Fetched::Failed(format!("the calendar is larger than {} MB", MAX_ICS_BYTES / 1024 / 1024));
                }
            }
            Ok(None) => break,
            Err(error) => return Fetched::Failed(failure(error)),
        }
    }
    match String::from_utf8(body) {
        Ok(text) => Fetched::Copy { text, etag, last_modified },
        Err(_) => Fetched::Failed("what came back is not a calendar (it is not UTF-8 text)".to_owned()),
    }
}

/// Fetches every feed due by `due_by` and records what came back. One line per feed, for the log or the person.
async fn fetch_due(
    jobs: &JobSender,
    fetcher: &Fetcher,
    due_by: DateTime<Utc>,
    clock: &Clock,
) -> Vec<(String, Result<CalendarRead, String>)> {
    let Some(Ok(due)) = jobs.ask(move |hub| hub.store.feeds_due(due_by)).await else {
        return Vec::new();
    };
    let mut done = Vec::new();
    for feed in due {
        let fetched = fetcher.fetch(&feed).await;
        let (url, now) = (feed.url.clone(), clock.now());
        let outcome = jobs.ask(move |hub| hub.store.feed_fetched(&url, fetched, now)).await;
        match outcome {
            Some(Ok(outcome)) => done.push((feed.url, outcome)),
            Some(Err(error)) => done.push((feed.url, Err(error.to_string()))),
            None => break,
        }
    }
    done
}

/// Every minute, the feeds whose refresh has come round; once a day, every calendar's blocks worked out again.
/// Problems are logged and shown to staff (`kiosk calendar status`, the staff page), never to visitors.
pub async fn keep_up(jobs: JobSender, clock: Clock) {
    let fetcher = Fetcher::new(FETCH_TIMEOUT);
    let mut blocks_worked_out: Option<NaiveDate> = None;
    loop {
        let now = clock.now();
        if blocks_worked_out != Some(now.date_naive()) {
            match jobs.ask(move |hub| hub.store.refresh_calendar_blocks(now)).await {
                None => return,
                Some(Ok(_)) => blocks_worked_out = Some(now.date_naive()),
                Some(Err(error)) => warn!("could not work out the room calendars' blocks again: {error}"),
            }
        }
        for (url, outcome) in fetch_due(&jobs, &fetcher, now, &clock).await {
            match outcome {
                Ok(read) if !read.collisions.is_empty() => warn!(
                    "calendar {url}: {} blocks, {} landing on bookings (see kiosk calendar status)",
                    read.blocks,
                    read.collisions.len()
                ),
                Ok(read) => info!("calendar {url}: {} blocks", read.blocks),
                Err(reason) => warn!("calendar {url} kept its last good copy: {reason}"),
            }
        }
        tokio::time::sleep(LOOK_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    use super::*;

    /// A calendar server on this machine that gives the answers listed, one per request, and hands back each
    /// request's head.
    fn server(answers: Vec<(&'static [u8], Duration)>) -> (String, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/room.ics", listener.local_addr().unwrap());
        let (heads, received) = mpsc::channel();
        std::thread::spawn(move || {
            for (answer, delay) in answers {
                let Ok((mut stream, _)) = listener.accept() else { return };
                let mut head = Vec::new();
                let mut byte = [0; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                heads.send(String::from_utf8_lossy(&head).into_owned()).ok();
                std::thread::spawn(move || {
                    std::thread::sleep(delay);
                    stream.write_all(answer).ok();
                });
            }
        });
        (url, received)
    }

    const CALENDAR: &[u8] = b"HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nLast-Modified: Tue, 05 Jan 2027 09:00:00 GMT\r\n\
                            Content-Length: 30\r\nConnection: close\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_feed_is_fetched_conditionally_and_every_failure_is_said_plainly() {
        let quick = Duration::ZERO;
        let (url, heads) = server(vec![
            (CALENDAR, quick),
            (b"HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n", quick),
            (b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", quick),
            (CALENDAR, Duration::from_secs(3)),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\n\xff\xfe\xfd\xfc", quick),
        ]);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let fetcher = Fetcher::new(Duration::from_millis(500));
        let mut feed = FeedDue { url, etag: None, last_modified: None };
        let fetch = |feed: &FeedDue| runtime.block_on(fetcher.fetch(feed));

        let Fetched::Copy { text, etag, last_modified } = fetch(&feed) else { panic!("a copy") };
        assert!(text.starts_with("BEGIN:VCALENDAR"));
        assert!(!heads.recv().unwrap().to_ascii_lowercase().contains("if-none-match"));
        (feed.etag, feed.last_modified) = (etag, last_modified);

        assert_eq!(fetch(&feed), Fetched::NotModified);
        let head = heads.recv().unwrap().to_ascii_lowercase();
        assert!(head.contains("if-none-match: \"v1\""), "{head}");
        assert!(head.contains("if-modified-since: tue, 05 jan 2027 09:00:00 gmt"), "{head}");

        assert_eq!(fetch(&feed), Fetched::Failed("the server answered 500 Internal Server Error".into()));
        assert_eq!(fetch(&feed), Fetched::Failed("no answer within 0.5 seconds".into()));
        assert_eq!(fetch(&feed), Fetched::Failed("what came back is not a calendar (it is not UTF-8 text)".into()));
        let nobody = FeedDue { url: "http://127.0.0.1:9/room.ics".into(), etag: None, last_modified: None };
        assert_eq!(fetch(&nobody), Fetched::Failed("could not reach 127.0.0.1".into()));
    }
}
