//! The store. All SQL of the application lives under this module: pages and server functions call
//! methods of [`Db`] and never see a query, so a PostgreSQL backend can be added here later.

mod accounts;
mod activities;
mod api_tokens;
mod backup;
mod companies;
pub mod conn;
mod contacts;
mod copy;
mod dialect;
mod history;
mod idempotency;
mod import_effects;
mod import_files;
mod imports;
mod invitations;
mod owners;
mod paging;
mod postgres;
mod records;
pub mod search;
pub mod seed;
mod sessions;
mod sign_ins;
pub mod sql;
mod tasks;
mod totals;
mod trash;
mod turns;
mod workspace;

pub use accounts::{CurrentUser, RoleChange, SessionUser, UserRecord, WriteUserError};
pub use activities::TimelineOf;
pub use api_tokens::{TokenUser, TOKENS_PER_USER};
pub use backup::{check_backup, BackupContents, Check};
pub use companies::{CompanyFilter, CompanyMatch};
use conn::arm_deadline;
pub use conn::{is_busy, is_interrupted, without_deadline, Scope};
pub use contacts::ContactFilter;
pub use copy::Copied;
pub use history::HistoryFilter;
pub use idempotency::KeyState;
pub use import_effects::Effect;
pub use imports::PROBLEMS_KEPT;
pub use invitations::OpenInvitation;
pub use paging::{Cursor, Paging};
pub use postgres::migrate_postgres;
pub use records::WriteError;
pub use sign_ins::{Failures, SignInFailures};
pub use tasks::TaskFilter;
pub use turns::InFlight;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPool;
use sqlx::sqlite::{SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, Transaction};

use super::config::{ensure_parent_dir, DatabaseSettings};
use conn::Tx;

/// The SQLite migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The PostgreSQL migrations in `migrations/postgres/`: the same schema, version for version
/// from the first one there (a baseline equal to the SQLite migrations up to its version).
pub static PG_MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// A [`Db`]'s connection pool.
pub(crate) enum PoolRef<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// Which database server a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connections: to the SQLite file, or to the PostgreSQL server (with a second, small pool
/// whose statements have no deadline, for background upkeep).
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Lite { pool: SqlitePool, path: Arc<Path> },
    Pg { pool: PgPool, upkeep: PgPool },
}

/// A handle on the database: cheap to clone, shared by every request.
///
/// A handle made by [`Db::in_transaction`] runs every statement on one connection inside one
/// transaction instead (the effect of an exactly-once request and its stored outcome).
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    /// The data folder's database file (with PostgreSQL, where it would be).
    path: Arc<Path>,
    totals: Arc<totals::Totals>,
    owners: Arc<owners::OwnersCache>,
    turns: Arc<turns::Turns>,
    /// This server's name among those sharing the database (see [`Db::runner`]).
    runner: Arc<std::sync::OnceLock<String>>,
    scope: Option<Arc<tokio::sync::Mutex<Tx>>>,
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
    /// corrupt file. With PostgreSQL settings, connects to that server instead.
    pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        if settings.postgres.is_some() {
            return Self::connect_postgres(settings).await;
        }
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
        let path: Arc<Path> = path.into();
        Ok(Self {
            pool: Pool::Lite {
                pool,
                path: Arc::clone(&path),
            },
            path,
            totals: Arc::default(),
            owners: Arc::default(),
            turns: Arc::default(),
            runner: Arc::default(),
            scope: None,
        })
    }

    /// This server's name among the instances sharing the database: kept in the data folder's
    /// `instance-id` file (made at first use), so the same server keeps it across restarts and
    /// the command line run on that folder shares it.
    pub fn runner(&self) -> &str {
        self.runner.get_or_init(|| {
            let file = self.path.parent().unwrap_or(Path::new(".")).join("instance-id");
            if let Ok(id) = std::fs::read_to_string(&file) {
                if !id.trim().is_empty() {
                    return id.trim().to_owned();
                }
            }
            let id = uuid::Uuid::new_v4().to_string();
            if let Err(error) = std::fs::write(&file, &id) {
                tracing::warn!(%error, file = %file.display(), "cannot keep this server's instance id");
            }
            id
        })
    }

    /// Which database server this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Lite { .. } => Backend::Sqlite,
            Pool::Pg { .. } => Backend::Postgres,
        }
    }

    /// Applies the embedded migrations; returns how many were applied.
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        match &self.pool {
            Pool::Lite { pool, .. } => migrate_with(pool, &MIGRATOR).await,
            Pool::Pg { upkeep, .. } => migrate_postgres(upkeep, &PG_MIGRATOR).await,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend() {
            Backend::Sqlite => &MIGRATOR,
            Backend::Postgres => &PG_MIGRATOR,
        }
    }

    /// Checks that the database answers and every embedded migration has been applied.
    pub async fn readiness(&self) -> Result<Readiness, sqlx::Error> {
        let (count, latest): (i64, i64) = sql::query_as(
            "SELECT count(*), coalesce(max(version), 0) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&mut self.conn().await?)
        .await?;
        let migrator = self.migrator();
        let expected_latest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        let expected_count = i64::try_from(migrator.iter().count()).unwrap_or(i64::MAX);
        Ok(if count >= expected_count && latest >= expected_latest {
            Readiness::Ready
        } else {
            Readiness::MigrationsPending
        })
    }

    /// The database file (with PostgreSQL, where it would be: the data folder is its folder).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database for messages: the SQLite file, or the PostgreSQL server.
    pub fn describe(&self) -> String {
        match &self.pool {
            Pool::Lite { path, .. } => path.display().to_string(),
            Pool::Pg { pool, .. } => {
                let options = pool.connect_options();
                format!(
                    "postgres://{}:{}/{}",
                    options.get_host(),
                    options.get_port(),
                    options.get_database().unwrap_or_default()
                )
            }
        }
    }

    /// Waits for connections in use to be returned, then closes them all (checkpointing the WAL).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Lite { pool, .. } => pool.close().await,
            Pool::Pg { pool, upkeep } => {
                pool.close().await;
                upkeep.close().await;
            }
        }
    }

    /// The connection pool, for the libraries that take one (the session store).
    pub(crate) fn pool_ref(&self) -> PoolRef<'_> {
        match &self.pool {
            Pool::Lite { pool, .. } => PoolRef::Sqlite(pool),
            Pool::Pg { pool, .. } => PoolRef::Postgres(pool),
        }
    }

    /// The SQLite pool, if that is the backend.
    pub(crate) fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Lite { pool, .. } => Some(pool),
            Pool::Pg { .. } => None,
        }
    }
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
    let exists: bool = sql::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut **tx)
    .await
    .context("cannot read the database schema")?;
    if !exists {
        return Ok(0);
    }
    sql::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
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
