//! The PostgreSQL side of [`super::Connection`]: the synchronous `postgres` client (it runs a small tokio runtime of
//! its own, which stays inside this file), a statement cache, `?N` parameters renumbered `$N`, and values converted
//! between rusqlite's five storage classes and the column types the server names.

use std::cell::{Cell, RefCell, RefMut};
use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::config::SslMode;
use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use super::tls::{parsed, tls};
use super::{Result, SqlError};

/// One session with the server, opened again when the server has closed it (restarted, or the network dropped) —
/// but never in the middle of a transaction, whose work would otherwise be half in and half out: that transaction
/// fails, and the next one starts on a new session.
pub(crate) struct PgConnection {
    url: String,
    read_only: bool,
    /// `None` until the first session opens, for a kiosk that started while the server could not be reached.
    client: RefCell<Option<Client>>,
    statements: RefCell<HashMap<String, Statement>>,
    in_transaction: Cell<bool>,
    /// An answer said the connection broke (the client may not know it is closed yet).
    broken: Cell<bool>,
    /// Once a session could not be opened or broke, wait to be told before trying again ([`PgConnection::hold`]).
    holds: Cell<bool>,
    /// Waiting to be told ([`PgConnection::retry`]).
    held: Cell<bool>,
}

impl std::fmt::Debug for PgConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConnection").finish_non_exhaustive()
    }
}

impl PgConnection {
    /// Connects to `url` (`postgres://user@host/database`, or `host=/run/postgresql dbname=hub`); a `read_only`
    /// session's transactions cannot write.
    pub(crate) fn connect(url: &str, read_only: bool) -> Result<PgConnection> {
        let connection = PgConnection::later(url, read_only)?;
        connection.client()?;
        Ok(connection)
    }

    /// [`PgConnection::connect`] without opening the session yet: the first statement opens it.
    pub(crate) fn later(url: &str, read_only: bool) -> Result<PgConnection> {
        parsed(url)?;
        Ok(PgConnection {
            url: url.to_owned(),
            read_only,
            client: RefCell::new(None),
            statements: RefCell::default(),
            in_transaction: Cell::new(false),
            broken: Cell::new(false),
            holds: Cell::new(false),
            held: Cell::new(false),
        })
    }

    /// From now on, once the server cannot be reached, answers at once that it cannot instead of trying again at
    /// every statement, until [`PgConnection::retry`]: on a network that drops packets each try waits out the
    /// connect timeout, and the kiosk's door must not. Whoever asks this must also ask `retry` when the server
    /// answers again (the kiosk asks it from a connection of its own, off its database thread).
    pub(crate) fn hold(&self) {
        self.holds.set(true);
        self.held.set(self.is_away());
    }

    /// Tries the server again at the next statement.
    pub(crate) fn retry(&self) {
        self.held.set(false);
    }

    /// A connection to the same database that can only read, opened when first used.
    pub(crate) fn reader(&self) -> Result<PgConnection> {
        PgConnection::later(&self.url, true)
    }

    /// Whether there is no session: none opened yet, or the last one broke (and opening another has not worked).
    pub(crate) fn is_away(&self) -> bool {
        self.client.borrow().as_ref().is_none_or(|client| self.broken.get() || client.is_closed())
    }

    /// The session, opened first if there is none yet or the server closed it between transactions.
    fn client(&self) -> Result<RefMut<'_, Client>> {
        if self.is_away() && !self.in_transaction.get() {
            if self.held.get() {
                return Err(SqlError::Away);
            }
            let opened = session(&self.url, self.read_only).inspect_err(|_| self.held.set(self.holds.get()))?;
            *self.client.borrow_mut() = Some(opened);
            self.statements.borrow_mut().clear(); // prepared in the session that ended
            self.broken.set(false);
        }
        RefMut::filter_map(self.client.borrow_mut(), Option::as_mut)
            .map_err(|_| SqlError::Value("the connection to the hub's database is closed".into()))
    }

    /// `error` as booking-core's, remembering that the session is gone when it says the connection broke.
    fn failed(&self, error: postgres::Error) -> SqlError {
        if error.is_closed() || Error::source(&error).is_some_and(|cause| cause.is::<std::io::Error>()) {
            self.broken.set(true);
            self.held.set(self.holds.get());
        }
        error.into()
    }

    /// Starts a transaction with `sql` (`BEGIN …`).
    pub(crate) fn begin(&self, sql: &str) -> Result<()> {
        self.client()?.batch_execute(sql).map_err(|error| self.failed(error))?;
        self.in_transaction.set(true);
        Ok(())
    }

    /// Ends the transaction with `sql` (`COMMIT` or `ROLLBACK`); it is over whatever the server answers.
    pub(crate) fn end(&self, sql: &str) -> Result<()> {
        let ended = self.client()?.batch_execute(sql).map_err(|error| self.failed(error));
        self.in_transaction.set(false);
        ended
    }

    /// The statement for `sql` (with `?N` parameters), prepared on the server once per session.
    pub(crate) fn prepare(&self, sql: &str) -> Result<Statement> {
        let mut client = self.client()?;
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(&numbered_parameters(sql)).map_err(|error| self.failed(error))?;
        self.statements.borrow_mut().insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(crate) fn execute(&self, statement: &Statement, values: &[&dyn ToSql]) -> Result<usize> {
        let values = parameters(values)?;
        let changed = self.client()?.execute(statement, &references(&values)).map_err(|error| self.failed(error))?;
        Ok(changed as usize)
    }

    pub(crate) fn query(&self, statement: &Statement, values: &[&dyn ToSql]) -> Result<Vec<postgres::Row>> {
        let values = parameters(values)?;
        self.client()?.query(statement, &references(&values)).map_err(|error| self.failed(error))
    }

    pub(crate) fn execute_batch(&self, sql: &str) -> Result<()> {
        self.client()?.batch_execute(sql).map_err(|error| self.failed(error))
    }

    /// The id the last `INSERT` of this session drew from its table's sequence.
    pub(crate) fn last_insert_id(&self) -> Result<i64> {
        Ok(self.client()?.query_one("SELECT lastval()", &[]).map_err(|error| self.failed(error))?.get(0))
    }
}

/// How long opening a session may take unless the connection string says (`connect_timeout=`): a server that does
/// not answer (a dropped network loses packets rather than refusing) must not hold a scan for the operating
/// system's minutes before the kiosk checks the person in on its own (`spool.rs`).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);
/// How long what was sent on an open session may go unacknowledged before the session is given up, unless the
/// connection string says (`tcp_user_timeout=`): without it, a statement sent just as the network drops waits for
/// the operating system's retransmissions, about a quarter of an hour.
const TCP_USER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens a session and closes it: whether the server answers now.
pub(crate) fn answers(url: &str) -> bool {
    session(url, true).is_ok()
}

/// A session as the connection string asks. `sslmode=require` makes it TLS, with the server's certificate checked
/// against the certificate authority in `sslrootcert=FILE` (PEM) or, without one, the system's; otherwise it is
/// plain (a Unix socket, or a server on the hub's own network).
fn session(url: &str, read_only: bool) -> Result<Client> {
    let (mut config, root_certificate) = parsed(url)?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(TCP_USER_TIMEOUT);
    }
    let mut client = match config.get_ssl_mode() {
        SslMode::Require => config.connect(tls(root_certificate.as_deref())?)?,
        _ => config.connect(NoTls)?,
    };
    if read_only {
        client.batch_execute("SET default_transaction_read_only = on")?;
    }
    Ok(client)
}

/// `?1`, `?2`… as PostgreSQL's `$1`, `$2`…, leaving quoted text and names alone. A bare `?` is numbered as SQLite
/// numbers it: one more than the largest number before it.
fn numbered_parameters(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quote: Option<char> = None;
    let mut largest = 0;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(open), _) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                let mut digits = String::new();
                while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                    digits.push(digit);
                }
                if digits.is_empty() {
                    digits = (largest + 1).to_string();
                }
                largest = largest.max(digits.parse().unwrap_or(0));
                out.push('$');
                out.push_str(&digits);
                continue;
            }
            (None, _) => {}
        }
        out.push(c);
    }
    out
}

/// A value bound as rusqlite would bind it, written in the type the server expects for its place.
#[derive(Debug)]
struct Parameter(Value);

fn parameters(values: &[&dyn ToSql]) -> Result<Vec<Parameter>> {
    values
        .iter()
        .map(|value| match value.to_sql()? {
            ToSqlOutput::Borrowed(value) => Ok(Parameter(match value {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(number) => Value::Integer(number),
                ValueRef::Real(number) => Value::Real(number),
                ValueRef::Text(text) => Value::Text(String::from_utf8_lossy(text).into_owned()),
                ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
            })),
            ToSqlOutput::Owned(value) => Ok(Parameter(value)),
            _ => Err(SqlError::Value("a value PostgreSQL cannot store".into())),
        })
        .collect()
}

fn references(values: &[Parameter]) -> Vec<&(dyn PgToSql + Sync)> {
    values.iter().map(|value| value as &(dyn PgToSql + Sync)).collect()
}

impl PgToSql for Parameter {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, Box<dyn Error + Sync + Send>> {
        match (&self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Integer(number), &Type::INT8) => PgToSql::to_sql(number, ty, out),
            (Value::Integer(number), &Type::INT4) => PgToSql::to_sql(&i32::try_from(*number)?, ty, out),
            (Value::Integer(number), &Type::INT2) => PgToSql::to_sql(&i16::try_from(*number)?, ty, out),
            (Value::Integer(number), &Type::BOOL) => PgToSql::to_sql(&(*number != 0), ty, out),
            (Value::Integer(number), &Type::FLOAT8) => PgToSql::to_sql(&(*number as f64), ty, out),
            (Value::Integer(number), &Type::TEXT | &Type::VARCHAR) => PgToSql::to_sql(&number.to_string(), ty, out),
            (Value::Real(number), &Type::FLOAT8) => PgToSql::to_sql(number, ty, out),
            (Value::Real(number), &Type::FLOAT4) => PgToSql::to_sql(&(*number as f32), ty, out),
            (Value::Text(text), &Type::INT8) => PgToSql::to_sql(&text.parse::<i64>()?, ty, out),
            (Value::Text(text), _) => PgToSql::to_sql(&text.as_str(), ty, out),
            (Value::Blob(bytes), &Type::BYTEA) => PgToSql::to_sql(&bytes.as_slice(), ty, out),
            (value, _) => Err(format!("{:?} cannot be stored as {ty}", value.data_type()).into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Column `index` of `row` as one of SQLite's storage classes, so rusqlite's `FromSql` reads it as on SQLite.
pub(crate) fn column(row: &postgres::Row, index: usize) -> Result<Value> {
    let kind = row.columns().get(index).map(|column| column.type_().clone());
    let value = match kind {
        Some(Type::INT8) => row.try_get::<_, Option<i64>>(index)?.map(Value::Integer),
        Some(Type::INT4) => row.try_get::<_, Option<i32>>(index)?.map(|n| Value::Integer(n.into())),
        Some(Type::INT2) => row.try_get::<_, Option<i16>>(index)?.map(|n| Value::Integer(n.into())),
        Some(Type::BOOL) => row.try_get::<_, Option<bool>>(index)?.map(|b| Value::Integer(b.into())),
        Some(Type::FLOAT8) => row.try_get::<_, Option<f64>>(index)?.map(Value::Real),
        Some(Type::FLOAT4) => row.try_get::<_, Option<f32>>(index)?.map(|n| Value::Real(n.into())),
        Some(Type::BYTEA) => row.try_get::<_, Option<Vec<u8>>>(index)?.map(Value::Blob),
        Some(Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN) => {
            row.try_get::<_, Option<String>>(index)?.map(Value::Text)
        }
        Some(other) => return Err(SqlError::Value(format!("column {index} has type {other}, which is not read"))),
        None => return Err(SqlError::Sqlite(rusqlite::Error::InvalidColumnIndex(index))),
    };
    Ok(value.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::numbered_parameters;

    #[test]
    fn parameters_are_numbered_outside_quotes() {
        assert_eq!(
            numbered_parameters("SELECT '?1', \"a?\" FROM t WHERE a = ?1 AND b IN (?2, ?12) AND c = ?"),
            "SELECT '?1', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $12) AND c = $13"
        );
    }
}
