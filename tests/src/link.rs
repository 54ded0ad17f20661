//! A network link to the PostgreSQL test server that a test can cut and mend: a TCP port on this machine relaying
//! each connection to the server's Unix socket. Cut, every connection through it is reset and new ones are refused
//! at once, as when the network between a kiosk and its server drops.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct Link {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Link {
    /// A link to the server `HUB_TEST_POSTGRES` names by its socket folder (`host=/var/run/postgresql`).
    pub fn to_test_server() -> Link {
        let server = std::env::var("HUB_TEST_POSTGRES").expect("the PostgreSQL test server (tests/run sets it)");
        let folder = server.split_whitespace().find_map(|pair| pair.strip_prefix("host=")).expect("host=… in it");
        let port = server.split_whitespace().find_map(|pair| pair.strip_prefix("port=")).unwrap_or("5432");
        let socket = PathBuf::from(folder).join(format!(".s.PGSQL.{port}"));
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let link = Link {
            port: listener.local_addr().expect("its address").port(),
            up: Arc::new(AtomicBool::new(true)),
            open: Arc::default(),
        };
        let (up, open) = (link.up.clone(), link.open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = UnixStream::connect(&socket) else { continue };
                open.lock().unwrap().push(client.try_clone().expect("clone"));
                relay(client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                relay(server, client);
            }
        });
        link
    }

    /// `url` (a connection string for the test server) through this link.
    pub fn url(&self, url: &str) -> String {
        let host = url.split_whitespace().find(|pair| pair.starts_with("host=")).expect("host=… in the url");
        url.replacen(host, &format!("host=127.0.0.1 port={}", self.port), 1)
    }

    /// Drops every connection through the link and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    pub fn mend(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Copies `from` to `to` on a thread of its own until either end closes.
fn relay(mut from: impl Read + Send + 'static, mut to: impl Write + Close + Send + 'static) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        to.close();
    });
}

/// Both stream kinds' `shutdown`, so a relay closes the other end when its own ends.
trait Close {
    fn close(&self);
}

impl Close for TcpStream {
    fn close(&self) {
        let _ = self.shutdown(Shutdown::Both);
    }
}

impl Close for UnixStream {
    fn close(&self) {
        let _ = self.shutdown(Shutdown::Both);
    }
}
