//! The store. All SQL of the application lives under this module: pages and server functions call
//! methods of [`Db`] and never see a query, so a PostgreSQL backend can be added here later.

mod accounts;
mod idempotency;
mod paging;
mod records;
pub mod search;
pub mod seed;
mod workspace;

pub use accounts::{
    CurrentUser, Failures, OpenInvitation, SessionUser, UserRecord, WriteUserError,
};
pub use idempotency::KeyState;
pub use paging::{Cursor, Paging};
pub use records::{CompanyFilter, CompanyMatch, ContactFilter, WriteError};

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, Transaction};

use super::config::{ensure_parent_dir, DatabaseSettings};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// A handle on the database: cheap to clone, shared by every request.
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
    path: Arc<Path>,
    totals: Arc<Totals>,
}

/// How long a list total is reused (writes through this handle forget it at once).
const TOTALS_TTL: std::time::Duration = std::time::Duration::from_secs(5);
/// At most this many totals are kept (the oldest go first).
const TOTALS_KEPT: usize = 256;

/// The (capped) number of rows of a list, per table and filter (`""` for all live rows), shared by
/// every request for a few seconds: the unfiltered lists are the most visited pages, and a search
/// is counted again for each page of its results and each change of sort.
#[derive(Debug, Default)]
struct Totals(std::sync::Mutex<Vec<(&'static str, String, std::time::Instant, i64)>>);

impl Db {
    pub(crate) fn cached_total(&self, table: &'static str, key: &str) -> Option<i64> {
        let totals = self.totals.0.lock().ok()?;
        totals
            .iter()
            .find(|(t, k, at, _)| *t == table && k == key && at.elapsed() < TOTALS_TTL)
            .map(|(_, _, _, n)| *n)
    }

    pub(crate) fn store_total(&self, table: &'static str, key: String, total: i64) {
        if let Ok(mut totals) = self.totals.0.lock() {
            totals.retain(|(t, k, at, _)| !(*t == table && *k == key) && at.elapsed() < TOTALS_TTL);
            if totals.len() >= TOTALS_KEPT {
                totals.remove(0);
            }
            totals.push((table, key, std::time::Instant::now(), total));
        }
    }

    /// Forgets every total of `table` (its rows changed).
    pub(crate) fn forget_total(&self, table: &'static str) {
        if let Ok(mut totals) = self.totals.0.lock() {
            totals.retain(|(t, _, _, _)| *t != table);
        }
    }
}

/// Whether the database can serve requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Some embedded migrations have not been applied.
    MigrationsPending,
}

impl Db {
    /// Opens (creating if missing) the SQLite database: WAL journal, foreign keys enforced, a busy
    /// timeout, and a pool sized by the settings. Fails with a clear message on an unwritable or
    /// corrupt file.
    pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        let path = settings.path().to_path_buf();
        let is_memory = settings.connect.get_filename() == Path::new(":memory:");
        if !is_memory {
            ensure_parent_dir(&path)?;
        }
        let options = settings
            .connect
            .clone()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(settings.busy_timeout)
            .pragma("temp_store", "memory")
            // Reads go through a shared memory map instead of a copy per connection's page cache
            // (the OS page cache holds the pages once, for every connection).
            .pragma("mmap_size", "268435456");
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(plain)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        // Opening a corrupt file can succeed; reading its schema cannot.
        sqlx::query("SELECT count(*) FROM sqlite_schema")
            .execute(&pool)
            .await
            .map_err(plain)
            .with_context(|| format!("cannot read the database {}", path.display()))?;
        Ok(Self {
            pool,
            path: path.into(),
            totals: Arc::default(),
        })
    }

    /// Applies the embedded migrations; returns how many were applied.
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        migrate_with(&self.pool, &MIGRATOR).await
    }

    /// Checks that the database answers and every embedded migration has been applied.
    pub async fn readiness(&self) -> Result<Readiness, sqlx::Error> {
        let (count, latest): (i64, i64) = sqlx::query_as(
            "SELECT count(*), coalesce(max(version), 0) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&self.pool)
        .await?;
        let expected_latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let expected_count = i64::try_from(MIGRATOR.iter().count()).unwrap_or(i64::MAX);
        Ok(if count >= expected_count && latest >= expected_latest {
            Readiness::Ready
        } else {
            Readiness::MigrationsPending
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for connections in use to be returned, then closes them all (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Applies `migrator`'s pending migrations all in one transaction: if any fails, none is applied and
/// the database is left as it was.
pub async fn migrate_with(pool: &SqlitePool, migrator: &Migrator) -> anyhow::Result<usize> {
    let mut conn = pool
        .acquire()
        .await
        .context("cannot connect to the database")?;
    let mut tx: Transaction<'_, Sqlite> = conn.begin().await.context("cannot start migrating")?;
    let before = applied_count(&mut tx).await?;
    // Each migration runs in a savepoint inside our transaction.
    migrator
        .run(&mut *tx)
        .await
        .context("database migration failed; nothing was changed")?;
    let after = applied_count(&mut tx).await?;
    tx.commit()
        .await
        .context("cannot commit the database migrations")?;
    Ok(usize::try_from(after - before).unwrap_or(0))
}

async fn applied_count(tx: &mut Transaction<'_, Sqlite>) -> anyhow::Result<i64> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut **tx)
    .await
    .context("cannot read the database schema")?;
    if !exists {
        return Ok(0);
    }
    sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut **tx)
        .await
        .context("cannot read the applied migrations")
}

/// SQLite's own message for database errors ("file is not a database"), without sqlx's wrapping,
/// which would repeat it in a one-line error report.
fn plain(error: sqlx::Error) -> anyhow::Error {
    match error {
        sqlx::Error::Database(e) => anyhow::anyhow!("{}", e.message()),
        other => anyhow::Error::new(other),
    }
}
