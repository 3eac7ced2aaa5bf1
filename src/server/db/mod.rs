//! The store. All SQL of the application lives under this module: pages and server functions call
//! methods of [`Db`] and never see a query, so a PostgreSQL backend can be added here later.

mod accounts;
mod idempotency;
mod invitations;
mod paging;
mod records;
pub mod search;
pub mod seed;
mod sign_ins;
mod workspace;

pub use accounts::{CurrentUser, RoleChange, SessionUser, UserRecord, WriteUserError};
pub use idempotency::KeyState;
pub use invitations::OpenInvitation;
pub use paging::{Cursor, Paging};
pub use records::{CompanyFilter, CompanyMatch, ContactFilter, WriteError};
pub use sign_ins::{Failures, SignInFailures};

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, Transaction};

use super::config::{ensure_parent_dir, DatabaseSettings};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// A handle on the database: cheap to clone, shared by every request.
///
/// A handle made by [`Db::in_transaction`] runs every statement on one connection inside one
/// transaction instead (the effect of an exactly-once request and its stored outcome).
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
    path: Arc<Path>,
    totals: Arc<Totals>,
    scope: Option<Arc<tokio::sync::Mutex<Transaction<'static, Sqlite>>>>,
}

/// The connection a statement runs on: one from the pool, or the scope's transaction.
pub(crate) enum Conn<'a> {
    /// Dropping it before its statement finished (the request was cancelled) stops the statement.
    Pooled {
        conn: sqlx::pool::PoolConnection<Sqlite>,
        _stop: StopOnDrop,
    },
    Scoped(tokio::sync::MutexGuard<'a, Transaction<'static, Sqlite>>),
}

/// Tells the deadline of a connection's current use that its caller has gone.
pub(crate) struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

tokio::task_local! {
    /// Set while [`Db::conn`] acquires a connection: the flag its deadline also watches.
    static CALLER_GONE: Arc<AtomicBool>;
    /// Set for background upkeep, whose bulk deletes may take longer than a request.
    static NO_DEADLINE: ();
}

/// Runs `work` (background upkeep, not a request) with no statement deadline.
pub async fn without_deadline<T>(work: impl std::future::Future<Output = T>) -> T {
    NO_DEADLINE.scope((), work).await
}

impl std::ops::Deref for Conn<'_> {
    type Target = sqlx::SqliteConnection;

    fn deref(&self) -> &Self::Target {
        match self {
            Conn::Pooled { conn, .. } => conn,
            Conn::Scoped(tx) => tx,
        }
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Conn::Pooled { conn, .. } => &mut *conn,
            Conn::Scoped(tx) => &mut *tx,
        }
    }
}

/// A transaction every statement of a [`Db::in_transaction`] handle runs in.
pub struct Scope {
    db: Db,
    _stop: StopOnDrop,
}

impl Scope {
    /// The handle whose statements run in this transaction.
    pub fn db(&self) -> Db {
        self.db.clone()
    }

    /// Commits everything done through the handle. Dropping the scope instead rolls it back.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let Some(shared) = self.db.scope else {
            return Ok(());
        };
        let tx = Arc::try_unwrap(shared)
            .map_err(|_| sqlx::Error::Protocol("a scoped handle outlived its effect".into()))?
            .into_inner();
        tx.commit().await
    }
}

/// How long a list total is reused (writes through this handle forget it at once).
const TOTALS_TTL: std::time::Duration = std::time::Duration::from_secs(5);
/// At most this many totals are kept (the oldest go first).
const TOTALS_KEPT: usize = 256;
/// Totals of longer keys are not kept (search text is bounded well below this anyway).
const TOTALS_KEY_MAX: usize = 1024;

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
        if key.len() > TOTALS_KEY_MAX {
            return;
        }
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
        let budget = settings.statement_timeout;
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(std::time::Duration::from_secs(10))
            // A local file does not go stale: no ping before each use (arming the deadline
            // below costs the same round trip to the connection's thread instead).
            .test_before_acquire(false)
            .after_connect(move |conn, _| Box::pin(async move { arm_deadline(conn, budget).await }))
            .before_acquire(move |conn, _| {
                Box::pin(async move { arm_deadline(conn, budget).await.map(|()| true) })
            })
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
            scope: None,
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

    /// The connection for the next statement.
    pub(crate) async fn conn(&self) -> Result<Conn<'_>, sqlx::Error> {
        Ok(match &self.scope {
            Some(tx) => Conn::Scoped(tx.lock().await),
            None => {
                let gone = Arc::new(AtomicBool::new(false));
                let conn = CALLER_GONE
                    .scope(Arc::clone(&gone), self.pool.acquire())
                    .await?;
                Conn::Pooled {
                    conn,
                    _stop: StopOnDrop(gone),
                }
            }
        })
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`: it holds the write lock from its start, so
    /// its reads and writes see one state) whose handle runs every statement in it.
    pub async fn in_transaction(&self) -> Result<Scope, sqlx::Error> {
        // Like `conn`: when the caller goes, the statement it left running is stopped.
        let gone = Arc::new(AtomicBool::new(false));
        let tx = CALLER_GONE
            .scope(Arc::clone(&gone), self.pool.begin_with("BEGIN IMMEDIATE"))
            .await?;
        Ok(Scope {
            db: Self {
                scope: Some(Arc::new(tokio::sync::Mutex::new(tx))),
                ..self.clone()
            },
            _stop: StopOnDrop(gone),
        })
    }
}

/// How many SQLite virtual-machine steps run between two looks at the clock.
const PROGRESS_STEPS: i32 = 10_000;

/// Gives this use of `conn` a deadline: SQLite interrupts whatever statement still runs once
/// `budget` has passed since the connection was handed out, or once the caller that acquired it
/// through [`Db::conn`] has gone (its request was cancelled): the statement fails with
/// `SQLITE_INTERRUPT`, and the connection is free again at once. Without a budget, no deadline.
async fn arm_deadline(
    conn: &mut sqlx::SqliteConnection,
    budget: Option<std::time::Duration>,
) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    match budget.filter(|_| NO_DEADLINE.try_with(|()| ()).is_err()) {
        Some(budget) => {
            let deadline = std::time::Instant::now() + budget;
            let gone = CALLER_GONE.try_with(Arc::clone).ok();
            handle.set_progress_handler(PROGRESS_STEPS, move || {
                std::time::Instant::now() < deadline
                    && !gone.as_ref().is_some_and(|g| g.load(Ordering::Relaxed))
            });
        }
        None => handle.remove_progress_handler(),
    }
    Ok(())
}

/// Whether `error` comes from SQLite finding the database locked past the busy timeout (another
/// writer held it): the server is overloaded, not broken.
pub fn is_busy(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        matches!(e.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Database(e)) if matches!(e.code().as_deref(), Some("5" | "6")))
    })
}

/// Whether `error` comes from SQLite interrupting a statement that ran past its deadline.
pub fn is_interrupted(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        matches!(e.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Database(e)) if e.code().as_deref() == Some("9"))
    })
}

/// Applies `migrator`'s pending migrations all in one transaction: if any fails, none is applied and
/// the database is left as it was.
pub async fn migrate_with(pool: &SqlitePool, migrator: &Migrator) -> anyhow::Result<usize> {
    let mut conn = pool
        .acquire()
        .await
        .context("cannot connect to the database")?;
    // Migrations may rebuild large indexes: no deadline.
    arm_deadline(&mut conn, None)
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// A statement that would run for ever.
    const ENDLESS: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
                           SELECT count(*) FROM n";

    async fn database(budget: Duration) -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = DatabaseSettings::new(None, dir.path()).unwrap();
        settings.max_connections = 1;
        settings.statement_timeout = Some(budget);
        (dir, Db::connect(&settings).await.unwrap())
    }

    #[tokio::test]
    async fn a_statement_past_its_deadline_is_interrupted() {
        let (_dir, db) = database(Duration::from_millis(200)).await;
        let started = Instant::now();
        let error = sqlx::query_scalar::<_, i64>(ENDLESS)
            .fetch_one(&mut *db.conn().await.unwrap())
            .await
            .unwrap_err();
        assert!(is_interrupted(&anyhow::Error::from(error)));
        assert!(started.elapsed() < Duration::from_secs(5));
        // The (only) connection serves the next statement.
        let one: i64 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut *db.conn().await.unwrap())
            .await
            .unwrap();
        assert_eq!(one, 1);
    }

    #[tokio::test]
    async fn upkeep_runs_without_the_deadline() {
        let (_dir, db) = database(Duration::from_millis(50)).await;
        let endless = without_deadline(async {
            sqlx::query_scalar::<_, i64>(ENDLESS)
                .fetch_one(&mut *db.conn().await.unwrap())
                .await
        });
        // Still running well past the deadline (then cancelled, which stops it).
        assert!(tokio::time::timeout(Duration::from_millis(400), endless)
            .await
            .is_err());
    }

    #[tokio::test]
    async fn a_cancelled_caller_frees_its_connection_at_once() {
        let (_dir, db) = database(Duration::from_secs(60)).await;
        let endless = async {
            sqlx::query_scalar::<_, i64>(ENDLESS)
                .fetch_one(&mut *db.conn().await.unwrap())
                .await
        };
        assert!(tokio::time::timeout(Duration::from_millis(200), endless)
            .await
            .is_err());
        let started = Instant::now();
        let one: i64 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut *db.conn().await.unwrap())
            .await
            .unwrap();
        assert_eq!(one, 1);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the connection was held for {:?}",
            started.elapsed()
        );
    }
}
