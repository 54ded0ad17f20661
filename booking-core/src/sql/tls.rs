//! TLS to the PostgreSQL server: `sslmode=require` in the connection string asks for it, and `sslrootcert=FILE`
//! names the certificate authority that signed the server's certificate (libpq's option, which the driver does not
//! read, so it is taken out here); without it, the system's authorities are asked. rustls with ring, as the kiosk's
//! e-mail and webhooks use: no OpenSSL.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{Result, SqlError};

/// The driver's settings from a connection string, and the certificate authority it names (`sslrootcert`), which
/// the driver does not read.
pub(super) fn parsed(url: &str) -> Result<(postgres::Config, Option<String>)> {
    let (url, root_certificate) = take_option(url, "sslrootcert");
    Ok((url.parse()?, root_certificate))
}

/// What checks the server's certificate: the authority in `root_certificate` (a PEM file), else the system's.
pub(super) fn tls(root_certificate: Option<&str>) -> Result<MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    match root_certificate {
        Some(path) => {
            let unreadable = |error: &dyn std::fmt::Display| {
                SqlError::Value(format!(
                    "the certificate authority file \"{path}\" (sslrootcert) cannot be read: {error}"
                ))
            };
            let certificates = CertificateDer::pem_file_iter(path).map_err(|error| unreadable(&error))?;
            for certificate in certificates {
                roots.add(certificate.map_err(|error| unreadable(&error))?).map_err(|error| unreadable(&error))?;
            }
        }
        None => {
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| SqlError::Value(format!("TLS cannot be set up: {error}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// `url` without its option `key`, and that option's value: how libpq's options the driver does not know
/// (`sslrootcert`) are read. Both forms: `key=value …` (a value may be 'quoted') and `postgres://…?key=value&…`.
fn take_option(url: &str, key: &str) -> (String, Option<String>) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else { return (url.to_owned(), None) };
        let (mut kept, mut value) = (Vec::new(), None);
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some((name, found)) if name == key => value = Some(percent_decoded(found)),
                _ => kept.push(pair),
            }
        }
        let url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        return (url, value);
    }
    let mut rest = url;
    let (mut kept, mut value) = (String::new(), None);
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let end = option_end(rest);
        let option = &rest[..end];
        match option.split_once('=') {
            Some((name, found)) if name.trim() == key => value = Some(unquoted(found.trim())),
            _ => {
                kept.push_str(option);
                kept.push(' ');
            }
        }
        rest = &rest[end..];
    }
    match value {
        Some(value) => (kept.trim_end().to_owned(), Some(value)),
        None => (url.to_owned(), None),
    }
}

/// Where the `key=value` option at the start of `text` ends: after its value, which is 'quoted' (with `\'` inside)
/// or runs to the next whitespace; spaces around `=` are allowed.
fn option_end(text: &str) -> usize {
    let Some(equals) = text.find('=') else { return text.len() };
    let value_start = equals + 1 + (text[equals + 1..].len() - text[equals + 1..].trim_start().len());
    let value = &text[value_start..];
    let length = if let Some(quoted) = value.strip_prefix('\'') {
        let mut escaped = false;
        quoted
            .char_indices()
            .find(|&(_, c)| {
                let closes = c == '\'' && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            })
            .map_or(value.len(), |(at, _)| at + 2)
    } else {
        value.find(char::is_whitespace).unwrap_or(value.len())
    };
    value_start + length
}

/// A `key=value` option's value as meant: 'quoted' with `\'` and `\\` inside, or as it is.
fn unquoted(value: &str) -> String {
    let Some(quoted) = value.strip_prefix('\'').and_then(|value| value.strip_suffix('\'')) else {
        return value.to_owned();
    };
    let mut chars = quoted.chars();
    let mut out = String::with_capacity(quoted.len());
    while let Some(c) = chars.next() {
        out.extend(if c == '\\' { chars.next() } else { Some(c) });
    }
    out
}

/// `%2F` and the like in a URL's query value, as the bytes they stand for.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes.get(index + 1..index + 3).and_then(|pair| std::str::from_utf8(pair).ok());
        match (bytes[index], hex.and_then(|hex| u8::from_str_radix(hex, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The TLS handshake refused the server's certificate (rustls's error, inside the input/output error the driver gives).
pub(super) fn untrusted_certificate(error: &::postgres::Error) -> bool {
    let network = std::error::Error::source(error).and_then(|cause| cause.downcast_ref::<std::io::Error>());
    network.and_then(std::io::Error::get_ref).is_some_and(|inner| inner.is::<rustls::Error>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Connection, PgConnection};

    #[test]
    fn the_certificate_authority_is_read_from_either_form_of_connection_string() {
        let take = |url: &str| take_option(url, "sslrootcert");
        assert_eq!(
            take("host=db.example sslmode=require  sslrootcert=/etc/hub/ca.pem options='-c search_path=a,public'"),
            (
                "host=db.example sslmode=require options='-c search_path=a,public'".to_owned(),
                Some("/etc/hub/ca.pem".to_owned())
            )
        );
        assert_eq!(
            take(r"sslrootcert = '/srv/my ca\'s.pem' dbname=hub"),
            ("dbname=hub".to_owned(), Some(r"/srv/my ca's.pem".to_owned()))
        );
        assert_eq!(
            take("postgres://hub@db.example/hub?sslmode=require&sslrootcert=%2Fetc%2Fhub%2Fca.pem&application_name=k"),
            (
                "postgres://hub@db.example/hub?sslmode=require&application_name=k".to_owned(),
                Some("/etc/hub/ca.pem".into())
            )
        );
        let plain = "host=/run/postgresql  dbname=hub options='-c x=1'";
        assert_eq!(take(plain), (plain.to_owned(), None), "left as it is");
        assert_eq!(take("postgres://hub@db/hub"), ("postgres://hub@db/hub".to_owned(), None));
    }

    /// `tests/run` gives the test server a certificate signed by a test authority and a login over TCP.
    fn tls_url() -> String {
        std::env::var("HUB_TEST_POSTGRES_TLS").expect(
            "this test needs the PostgreSQL test server over TLS: run tests/run (it sets HUB_TEST_POSTGRES_TLS)",
        )
    }

    #[test]
    fn a_session_over_tls_is_encrypted_and_checks_the_servers_certificate() {
        let url = tls_url();
        let conn = Connection::Postgres(Box::new(PgConnection::connect(&url, false).unwrap()));
        let encrypted: bool = conn
            .prepare_cached("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .unwrap()
            .query_row([], |row| row.get(0))
            .unwrap();
        assert!(encrypted);

        // Signed by another authority: refused, in words about the certificate, not taken for a network outage.
        let (_, authority) = take_option(&url, "sslrootcert");
        let authority = authority.expect("tests/run names the authority");
        let other = url.replace(&authority, &authority.replace("ca.pem", "other-ca.pem"));
        let refused = PgConnection::connect(&other, false).unwrap_err();
        assert!(!refused.is_unreachable(), "{refused}");
        assert!(refused.to_string().contains("sslrootcert= in the connection string must name"), "{refused}");
        // Without an authority, the system's are asked, and none of them signed the test server's certificate.
        let (system, _) = take_option(&url, "sslrootcert");
        assert!(PgConnection::connect(&system, false).unwrap_err().to_string().contains("certificate"));
        let missing = url.replace(&authority, "/nowhere/ca.pem");
        let refused = PgConnection::connect(&missing, false).unwrap_err().to_string();
        assert!(refused.contains("\"/nowhere/ca.pem\" (sslrootcert) cannot be read"), "{refused}");
    }
}
