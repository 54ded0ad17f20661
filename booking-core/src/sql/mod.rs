//! The one way booking-core runs SQL, whichever engine holds the hub: SQLite (embedded, the default) or PostgreSQL
//! (a network of hubs sharing one server). The domain modules write their statements once, with `?1`-style
//! parameters, and bind and read values through rusqlite's `ToSql` and `FromSql`, so a type converts the same way on
//! both engines; on PostgreSQL the parameters are renumbered `$1` and each value is converted to the type the server
//! expects (see `postgres.rs`).
//!
//! The SQLite side is a thin pass-through to rusqlite: no copying of rows, the same statement cache.

mod postgres;
mod tls;

pub(crate) use rusqlite::params;
use rusqlite::types::{FromSql, ToSql, Value, ValueRef};

pub(crate) use self::postgres::{PgConnection, answers as server_answers};

/// What the database said when it failed.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// The server's words only: its error is not also given as the cause, which would say them twice.
    #[error("{}", postgres_message(.0))]
    Postgres(::postgres::Error),
    /// A value that does not fit where it goes (text where a number is stored, a number too big).
    #[error("{0}")]
    Value(String),
    /// The server could not be reached at the last try, and the connection waits to be told to try again.
    #[error("the hub's database server could not be reached; it is tried again shortly")]
    Away,
}

impl SqlError {
    /// PostgreSQL gave the transaction up because another one wrote the same rows at the same moment: running it
    /// again from the start is the remedy, invisible to the person. Serialization failures and deadlocks, and — as
    /// PostgreSQL's manual advises for serializable transactions — unique and exclusion violations, which are the same
    /// clash when both transactions checked first and then wrote.
    pub(crate) fn is_a_clash(&self) -> bool {
        use ::postgres::error::SqlState;
        let SqlError::Postgres(error) = self else { return false };
        let clashes = [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::UNIQUE_VIOLATION,
            SqlState::EXCLUSION_VIOLATION,
        ];
        error.code().is_some_and(|code| clashes.contains(code))
    }

    /// The PostgreSQL server could not be reached, or the session to it broke: it is down, restarting, or the
    /// network between is. (SQLite, a file, is never unreachable.)
    pub(crate) fn is_unreachable(&self) -> bool {
        use ::postgres::error::SqlState;
        let error = match self {
            SqlError::Away => return true,
            SqlError::Postgres(error) => error,
            _ => return false,
        };
        let going_away = [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW];
        let network = std::error::Error::source(error).is_some_and(|cause| cause.is::<std::io::Error>());
        // A server certificate the kiosk does not trust is a setting to mend, not a network to wait for.
        (error.is_closed() || network || error.code().is_some_and(|code| going_away.contains(code)))
            && !tls::untrusted_certificate(error)
    }
}

impl From<::postgres::Error> for SqlError {
    fn from(error: ::postgres::Error) -> Self {
        SqlError::Postgres(error)
    }
}

/// The server's own words (`db error` alone says nothing), or the client's and its cause.
fn postgres_message(error: &::postgres::Error) -> String {
    match (error.as_db_error(), std::error::Error::source(error)) {
        (Some(db), _) => db.message().to_owned(),
        (None, Some(cause)) if tls::untrusted_certificate(error) => format!(
            "the database server's certificate was not accepted ({cause}): sslrootcert= in the connection string must \
             name the certificate authority that signed it"
        ),
        (None, Some(cause)) => format!("{error}: {cause}"),
        (None, None) => error.to_string(),
    }
}

pub(crate) type Result<T, E = SqlError> = std::result::Result<T, E>;

/// `Ok(None)` for a query that found no row, like rusqlite's `OptionalExtension`.
pub(crate) trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(SqlError::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Statement parameters: `params![a, b]`, `[a, b]` of one type, or `[]`. SQLite binds them as rusqlite does;
/// PostgreSQL reads each through its `ToSql`.
pub(crate) trait Params: rusqlite::Params {
    fn values(&self) -> Vec<&dyn ToSql>;
}

impl Params for &[&dyn ToSql] {
    fn values(&self) -> Vec<&dyn ToSql> {
        self.to_vec()
    }
}

impl Params for [&(dyn ToSql + Send + Sync); 0] {
    fn values(&self) -> Vec<&dyn ToSql> {
        Vec::new()
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn values(&self) -> Vec<&dyn ToSql> {
                self.iter().map(|value| value as &dyn ToSql).collect()
            }
        }
    )*};
}

array_params!(1 2 3 4 5 6 7 8);

/// A column's position in a row: from 0.
pub(crate) trait RowIndex {
    fn position(self) -> usize;
}

impl RowIndex for usize {
    fn position(self) -> usize {
        self
    }
}

/// An open connection to the hub's database.
#[derive(Debug)]
pub(crate) enum Connection {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConnection>),
}

impl Connection {
    /// Whether the server could not be reached at the last try (a file is never away).
    pub(crate) fn is_away(&self) -> bool {
        match self {
            Connection::Sqlite(_) => false,
            Connection::Postgres(conn) => conn.is_away(),
        }
    }

    /// See [`PgConnection::hold`] (a file is never away, so nothing to hold).
    pub(crate) fn hold(&self) {
        if let Connection::Postgres(conn) = self {
            conn.hold();
        }
    }

    /// See [`PgConnection::retry`].
    pub(crate) fn retry(&self) {
        if let Connection::Postgres(conn) = self {
            conn.retry();
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, the backup API).
    pub(crate) fn sqlite(&self) -> Result<&rusqlite::Connection> {
        match self {
            Connection::Sqlite(conn) => Ok(conn),
            Connection::Postgres(_) => Err(SqlError::Value("this needs the SQLite engine".into())),
        }
    }

    pub(crate) fn sqlite_mut(&mut self) -> Result<&mut rusqlite::Connection> {
        match self {
            Connection::Sqlite(conn) => Ok(conn),
            Connection::Postgres(_) => Err(SqlError::Value("this needs the SQLite engine".into())),
        }
    }

    pub(crate) fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(match self {
            Connection::Sqlite(conn) => Statement::Sqlite(conn.prepare_cached(sql)?),
            Connection::Postgres(conn) => Statement::Postgres(conn, conn.prepare(sql)?),
        })
    }

    pub(crate) fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// One row of a query, for tests' checks (the domain's queries are cached statements).
    #[cfg(test)]
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Runs statements separated by `;`, without parameters (migrations).
    pub(crate) fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Connection::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Connection::Postgres(conn) => conn.execute_batch(sql),
        }
    }

    /// The id the last `INSERT` on this connection gave its row.
    pub(crate) fn last_insert_rowid(&self) -> Result<i64> {
        match self {
            Connection::Sqlite(conn) => Ok(conn.last_insert_rowid()),
            Connection::Postgres(conn) => conn.last_insert_id(),
        }
    }

    /// Starts a write transaction that no other writer can invalidate before it commits: `BEGIN IMMEDIATE` on
    /// SQLite (the write lock up front); serializable isolation on PostgreSQL (a clash fails, and is run again).
    pub(crate) fn begin_write(&mut self) -> Result<Transaction<'_>> {
        match self {
            Connection::Sqlite(conn) => conn.execute_batch("BEGIN IMMEDIATE")?,
            Connection::Postgres(conn) => conn.begin("BEGIN ISOLATION LEVEL SERIALIZABLE")?,
        }
        Ok(Transaction { conn: self, finished: false })
    }

    fn end(&self, sql: &str) -> Result<()> {
        match self {
            Connection::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Connection::Postgres(conn) => conn.end(sql),
        }
    }
}

/// A write transaction: committed by [`Transaction::commit`], rolled back when dropped without it.
#[derive(Debug)]
pub(crate) struct Transaction<'c> {
    conn: &'c Connection,
    finished: bool,
}

impl Transaction<'_> {
    pub(crate) fn commit(mut self) -> Result<()> {
        self.finished = true;
        self.conn.end("COMMIT")
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // Nothing to report: a failed rollback leaves the transaction to end with the connection.
            let _ = self.conn.end("ROLLBACK");
        }
    }
}

/// A prepared statement, kept in its connection's cache.
pub(crate) enum Statement<'c> {
    Sqlite(rusqlite::CachedStatement<'c>),
    Postgres(&'c PgConnection, ::postgres::Statement),
}

impl Statement<'_> {
    /// Runs the statement; the number of rows it changed.
    pub(crate) fn execute(&mut self, params: impl Params) -> Result<usize> {
        match self {
            Statement::Sqlite(statement) => Ok(statement.execute(params)?),
            Statement::Postgres(conn, statement) => conn.execute(statement, &params.values()),
        }
    }

    /// The first row, through `f`; an error if there is none (see [`OptionalExtension`]).
    pub(crate) fn query_row<T>(&mut self, params: impl Params, f: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        let first = self
            .query_map(params, |row| f.take().map_or(Err(SqlError::Value("one row only".into())), |f| f(row)))?
            .next();
        first.unwrap_or(Err(SqlError::Sqlite(rusqlite::Error::QueryReturnedNoRows)))
    }

    /// Every row, each through `f`.
    pub(crate) fn query_map<T, F: FnMut(&Row<'_>) -> Result<T>>(
        &mut self,
        params: impl Params,
        f: F,
    ) -> Result<MappedRows<'_, F>> {
        let rows = match self {
            Statement::Sqlite(statement) => RowSource::Sqlite(statement.query(params)?),
            Statement::Postgres(conn, statement) => {
                RowSource::Postgres(conn.query(statement, &params.values())?.into_iter())
            }
        };
        Ok(MappedRows { rows, f })
    }
}

enum RowSource<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres(std::vec::IntoIter<::postgres::Row>),
}

/// The rows of a query, each turned into a value by the query's function.
pub(crate) struct MappedRows<'s, F> {
    rows: RowSource<'s>,
    f: F,
}

impl<T, F: FnMut(&Row<'_>) -> Result<T>> Iterator for MappedRows<'_, F> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match &mut self.rows {
            RowSource::Sqlite(rows) => match rows.next() {
                Ok(Some(row)) => Some((self.f)(&Row(RowInner::Sqlite(row)))),
                Ok(None) => None,
                Err(error) => Some(Err(error.into())),
            },
            RowSource::Postgres(rows) => rows.next().map(|row| (self.f)(&Row(RowInner::Postgres(&row)))),
        }
    }
}

/// One row of a query's answer.
pub(crate) struct Row<'r>(RowInner<'r>);

enum RowInner<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r ::postgres::Row),
}

impl Row<'_> {
    /// The value of column `index` (from 0), converted as rusqlite's `FromSql` converts it on either engine.
    /// (Inlined, and SQLite's value read by reference: a week of free time reads 19,000 of them.)
    #[inline]
    pub(crate) fn get<I: RowIndex, T: FromSql>(&self, index: I) -> Result<T> {
        let index = index.position();
        let convert = |value: ValueRef<'_>| {
            T::column_result(value).map_err(|error| {
                SqlError::Sqlite(rusqlite::Error::FromSqlConversionFailure(index, value.data_type(), error.into()))
            })
        };
        match &self.0 {
            RowInner::Sqlite(row) => convert(row.get_ref(index)?),
            RowInner::Postgres(row) => convert(ValueRef::from(&postgres::column(row, index)?)),
        }
    }

    /// The value of column `index` as stored (exports copy values as they are).
    pub(crate) fn value(&self, index: usize) -> Result<Value> {
        self.get(index)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ids::RoomId;

    /// A session with the test server (`HUB_TEST_POSTGRES`, set by `tests/run`) in a schema of its own, dropped
    /// when the value is.
    pub(crate) struct PgSchema {
        pub(crate) conn: Connection,
        server: String,
        name: String,
        kept: bool,
    }

    impl PgSchema {
        pub(crate) fn new() -> PgSchema {
            let server = std::env::var("HUB_TEST_POSTGRES").expect(
                "PostgreSQL tests need a server: run tests/run (it starts one and sets HUB_TEST_POSTGRES), or set \
                 HUB_TEST_POSTGRES to a connection string such as \"host=/var/run/postgresql dbname=hub_test\"",
            );
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let next = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!("test_{}_{next}", std::process::id());
            let conn = Connection::Postgres(Box::new(
                PgConnection::connect(&server, false).expect("connect to the test server"),
            ));
            conn.execute_batch(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")).unwrap();
            let schema = PgSchema { conn, server, name, kept: false };
            schema.conn.execute_batch(&format!("SET search_path = {}, public", schema.name)).unwrap();
            schema
        }

        /// The connection string of the schema, which then outlives this value (tests/run starts each run with an
        /// empty database).
        pub(crate) fn keep(mut self) -> String {
            self.kept = true;
            self.url()
        }

        /// A connection string for more sessions in this schema (extensions such as btree_gist live in `public`).
        pub(crate) fn url(&self) -> String {
            format!("{} options='-c search_path={},public'", self.server, self.name)
        }
    }

    impl Drop for PgSchema {
        fn drop(&mut self) {
            if self.kept {
                return;
            }
            let _ = self.conn.execute_batch(&format!("DROP SCHEMA {} CASCADE", self.name));
        }
    }

    /// A server that never answers: each connection is taken and closed at once, and counted.
    pub(crate) struct DeadServer {
        pub(crate) url: String,
        tries: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }

    impl DeadServer {
        pub(crate) fn start() -> DeadServer {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("host=127.0.0.1 port={} user=hub dbname=hub", listener.local_addr().unwrap().port());
            let tries = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let counted = tries.clone();
            std::thread::spawn(move || {
                for connection in listener.incoming() {
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    drop(connection);
                }
            });
            DeadServer { url, tries }
        }

        /// How many times a session was tried.
        pub(crate) fn tries(&self) -> usize {
            self.tries.load(std::sync::atomic::Ordering::SeqCst)
        }
    }

    #[test]
    fn a_held_connection_tries_the_server_again_only_when_told() {
        let server = DeadServer::start();
        let free = Connection::Postgres(Box::new(PgConnection::later(&server.url, false).unwrap()));
        for _ in 0..3 {
            assert!(free.execute_batch("SELECT 1").unwrap_err().is_unreachable());
        }
        assert_eq!(server.tries(), 3, "without a hold, every statement tries");

        let held = Connection::Postgres(Box::new(PgConnection::later(&server.url, false).unwrap()));
        held.hold();
        for _ in 0..3 {
            assert!(matches!(held.execute_batch("SELECT 1"), Err(SqlError::Away)));
        }
        assert_eq!(server.tries(), 3, "held from the start: the server was never reached");
        held.retry();
        assert!(matches!(held.execute_batch("SELECT 1"), Err(SqlError::Postgres(_))), "one try when told");
        assert!(matches!(held.execute_batch("SELECT 1"), Err(SqlError::Away)), "then held again");
        assert_eq!(server.tries(), 4);
        assert!(crate::StoreError::from(SqlError::Away).to_string().starts_with("Booking needs the network"));
    }

    /// The same table on each engine, in each one's words for an id the database gives.
    fn things(conn: &Connection) {
        let id = match conn {
            Connection::Sqlite(_) => "INTEGER PRIMARY KEY",
            Connection::Postgres(_) => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        };
        let blob = if matches!(conn, Connection::Sqlite(_)) { "BLOB" } else { "BYTEA" };
        conn.execute_batch(&format!(
            "CREATE TABLE things (id {id}, room BIGINT NOT NULL, name TEXT NOT NULL, note TEXT, seats INTEGER NOT NULL,
                                  open INTEGER NOT NULL, share DOUBLE PRECISION NOT NULL, data {blob})"
        ))
        .unwrap();
    }

    /// What booking-core asks of an engine, asked of both: values go in and come back as they went, `?N`
    /// parameters in any order and repeated, ids the database gives, no row as `None`, and transactions.
    fn same_answers(mut conn: Connection) {
        things(&conn);
        let insert =
            "INSERT INTO things (room, name, note, seats, open, share, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
        conn.execute(insert, params![RoomId(7), "Café Ŵ", None::<String>, 12_u32, true, 0.25, vec![0_u8, 255]])
            .unwrap();
        let first = conn.last_insert_rowid().unwrap();
        conn.execute(insert, params![RoomId(8), "Studio", Some("step-free"), 0_u32, false, 1.5, None::<Vec<u8>>])
            .unwrap();
        assert_eq!(conn.last_insert_rowid().unwrap(), first + 1);

        type Thing = (RoomId, String, Option<String>, u32, bool, f64, Option<Vec<u8>>);
        let read = |row: &Row<'_>| -> Result<Thing> {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
        };
        let cafe = conn
            .prepare_cached("SELECT room, name, note, seats, open, share, data FROM things WHERE id = ?1")
            .unwrap()
            .query_row([first], read)
            .unwrap();
        assert_eq!(cafe, (RoomId(7), "Café Ŵ".into(), None, 12, true, 0.25, Some(vec![0, 255])));
        let all: Vec<Thing> = (conn
            .prepare_cached("SELECT room, name, note, seats, open, share, data FROM things ORDER BY id"))
        .unwrap()
        .query_map([], read)
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
        assert_eq!(all[1], (RoomId(8), "Studio".into(), Some("step-free".into()), 0, false, 1.5, None));

        let named: Option<String> = conn
            .prepare_cached("SELECT name FROM things WHERE room = ?2 AND seats >= ?1 AND room = ?2")
            .unwrap()
            .query_row(params![1, 7], |row| row.get(0))
            .optional()
            .unwrap();
        assert_eq!(named.as_deref(), Some("Café Ŵ"));
        let none: Option<String> = conn
            .prepare_cached("SELECT name FROM things WHERE room = ?1")
            .unwrap()
            .query_row([99], |row| row.get(0))
            .optional()
            .unwrap();
        assert_eq!(none, None);
        assert!(
            conn.prepare_cached("SELECT 1 FROM things WHERE name = ?1")
                .unwrap()
                .query_map(["Studio"], |_| Ok(()))
                .unwrap()
                .next()
                .is_some()
        );

        let count = |conn: &Connection| -> i64 {
            conn.prepare_cached("SELECT count(*) FROM things").unwrap().query_row([], |row| row.get(0)).unwrap()
        };
        {
            let tx = conn.begin_write().unwrap();
            tx.execute("DELETE FROM things", []).unwrap();
        } // dropped: rolled back
        assert_eq!(count(&conn), 2);
        let tx = conn.begin_write().unwrap();
        assert_eq!(tx.execute("DELETE FROM things WHERE room = ?1", [RoomId(8)]).unwrap(), 1);
        tx.commit().unwrap();
        assert_eq!(count(&conn), 1);

        // A value that does not fit is an error, not a wrong number.
        let error = conn
            .prepare_cached("SELECT name FROM things")
            .unwrap()
            .query_row([], |row| row.get::<_, i64>(0))
            .unwrap_err();
        assert!(
            matches!(
                error,
                SqlError::Sqlite(
                    rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..)
                )
            ),
            "{error:?}"
        );
    }

    #[test]
    fn sqlite_answers_as_booking_core_expects() {
        same_answers(Connection::Sqlite(rusqlite::Connection::open_in_memory().unwrap()));
    }

    #[test]
    fn postgres_answers_as_sqlite_does() {
        let schema = PgSchema::new();
        same_answers(Connection::Postgres(Box::new(PgConnection::connect(&schema.url(), false).unwrap())));
    }

    #[test]
    fn a_session_the_server_ended_is_opened_again_between_transactions_never_inside_one() {
        let schema = PgSchema::new();
        let mut conn = Connection::Postgres(Box::new(PgConnection::connect(&schema.url(), false).unwrap()));
        conn.execute_batch("CREATE TABLE visits (person BIGINT)").unwrap();
        let backend = |conn: &Connection| conn.query_row("SELECT pg_backend_pid()", [], |row| row.get::<_, i64>(0));
        // Ends the session and waits until its process has gone (the server signals it and answers at once).
        let end_session = |pid: i64| {
            schema.conn.execute_batch(&format!("SELECT pg_terminate_backend({pid})")).unwrap();
            let alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = ?1";
            while schema.conn.query_row(alive, [pid], |row| row.get::<_, i64>(0)).unwrap() > 0 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        };

        // The server ends the session, as a restart would: what was under way fails, and the next read works.
        let first = backend(&conn).unwrap();
        end_session(first);
        let _ = backend(&conn);
        assert_ne!(backend(&conn).unwrap(), first);

        // Inside a transaction no new session is opened: the transaction fails whole, and the next one works.
        let tx = conn.begin_write().unwrap();
        tx.execute("INSERT INTO visits VALUES (1)", []).unwrap();
        end_session(backend(&tx).unwrap());
        assert!(tx.execute("INSERT INTO visits VALUES (2)", []).is_err());
        assert!(tx.commit().is_err());
        let tx = conn.begin_write().unwrap();
        tx.execute("INSERT INTO visits VALUES (3)", []).unwrap();
        tx.commit().unwrap();
        let people: Vec<i64> = conn
            .prepare_cached("SELECT person FROM visits")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(people, [3]);
    }

    #[test]
    fn a_clash_between_two_writers_on_postgres_is_a_serialization_failure_to_run_again() {
        let mut first = PgSchema::new();
        let mut second = Connection::Postgres(Box::new(PgConnection::connect(&first.url(), false).unwrap()));
        first.conn.execute_batch("CREATE TABLE seats (slot BIGINT NOT NULL, person BIGINT NOT NULL)").unwrap();
        // Both read how many sit at slot 1, then both take the last seat: serializable isolation lets one commit.
        let one = first.conn.begin_write().unwrap();
        let two = second.begin_write().unwrap();
        for tx in [&one, &two] {
            let _: i64 = tx
                .prepare_cached("SELECT count(*) FROM seats WHERE slot = 1")
                .unwrap()
                .query_row([], |row| row.get(0))
                .unwrap();
        }
        one.execute("INSERT INTO seats VALUES (1, ?1)", [1]).unwrap();
        two.execute("INSERT INTO seats VALUES (1, ?1)", [2]).unwrap();
        one.commit().unwrap();
        let error = two.commit().unwrap_err();
        assert!(error.is_a_clash(), "{error:?}");
    }
}
