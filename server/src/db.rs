//! The SQLite database: a pool of readers and a single writer.
//!
//! SQLite allows one writer at a time. Funnelling every write transaction
//! through a one-connection pool makes writers queue in the process instead
//! of failing with `SQLITE_BUSY`, and keeps read-then-write upserts free of
//! races (two identifies for a new company cannot both create it). In WAL
//! mode readers never wait for the writer.
//!
//! Pools do not ping a connection before handing it out
//! (`test_before_acquire(false)`): a connection to a local file cannot have
//! gone away, and each ping is a round trip to the connection's worker
//! thread (sqlx runs every SQLite connection on its own thread), which on
//! `GET /v1/portal` cost as much as a query.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

#[derive(Clone, Debug)]
pub struct Db {
    pub reader: SqlitePool,
    pub writer: SqlitePool,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("bad database URL {url:?}: {source}")]
    Url { url: String, source: sqlx::Error },
    #[error("cannot open database: {0}")]
    Open(sqlx::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `url`:
    /// `sqlite://path/to/file.db`, a bare file path, or `sqlite::memory:`.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let url_with_scheme = if url.starts_with("sqlite:") {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let options = SqliteConnectOptions::from_str(&url_with_scheme)
            .map_err(|source| DbError::Url {
                url: url.to_owned(),
                source,
            })?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let db = if in_memory {
            // Each connection to `:memory:` is its own database: use one.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(DbError::Open)?;
            Db {
                reader: pool.clone(),
                writer: pool,
            }
        } else {
            let options = options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal);
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await
                .map_err(DbError::Open)?;
            // Four per core: a reader spends most of a request waiting for
            // hand-offs to and from its worker thread, not on a core, so
            // more of them keep the cores busy. On 2 cores, 8 readers
            // against 4 (`cargo xtask bench server`, paired runs): 9,538-
            // 9,913 -> 11,000-12,090 portal reads/s, p99 equal or lower,
            // identify unchanged.
            let readers = std::thread::available_parallelism()
                .map(|n| n.get() as u32)
                .unwrap_or(2)
                .max(2)
                * 4;
            let reader = SqlitePoolOptions::new()
                .max_connections(readers)
                .test_before_acquire(false)
                .connect_with(options.read_only(true))
                .await
                .map_err(DbError::Open)?;
            Db { reader, writer }
        };
        sqlx::migrate!("./migrations").run(&db.writer).await?;
        Ok(db)
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}
