//! The PostgreSQL side of [`Db`]: connecting (every connection with the statement deadline and a
//! lock wait) and migrating (all pending migrations in one transaction, instances queued).

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Executor, Postgres, Transaction};

use super::{plain, sql, Db, Pool};
use crate::server::config::DatabaseSettings;
use std::sync::Arc;

impl Db {
    /// Connects to the PostgreSQL server of `settings`: every connection gets the statement
    /// deadline (`statement_timeout`) and a lock wait (`lock_timeout`) as SQLite's busy timeout.
    pub(super) async fn connect_postgres(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        let options = settings
            .postgres
            .clone()
            .context("no PostgreSQL settings")?;
        let open = |max: u32, budget: Option<std::time::Duration>| {
            let options = options.clone();
            let busy = settings.busy_timeout;
            PgPoolOptions::new()
                .max_connections(max)
                .min_connections(1)
                .acquire_timeout(std::time::Duration::from_secs(10))
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        let budget = budget.map_or(0, |b| b.as_millis());
                        conn.execute(
                            format!(
                                "SET statement_timeout = {budget}; SET lock_timeout = {}; \
                                 SET idle_in_transaction_session_timeout = 60000",
                                busy.as_millis()
                            )
                            .as_str(),
                        )
                        .await
                        .map(|_| ())
                    })
                })
                .connect_with(options)
        };
        // The data folder holds this server's uploads and its instance id.
        crate::server::config::ensure_parent_dir(settings.path())?;
        let describe = settings.describe();
        let pool = open(settings.max_connections, settings.statement_timeout)
            .await
            .map_err(plain)
            .with_context(|| format!("cannot connect to the database {describe}"))?;
        let upkeep = open(2, None)
            .await
            .map_err(plain)
            .with_context(|| format!("cannot connect to the database {describe}"))?;
        Ok(Self {
            pool: Pool::Pg { pool, upkeep },
            path: settings.path().into(),
            totals: Arc::default(),
            owners: Arc::default(),
            turns: Arc::default(),
            runner: Arc::default(),
            scope: None,
        })
    }
}

/// The advisory lock a PostgreSQL migration holds ("clientmi" in ASCII).
const MIGRATIONS_LOCK: i64 = 0x636c_6965_6e74_6d69;

/// Applies `migrator`'s pending PostgreSQL migrations like [`super::migrate_with`]: all in one
/// transaction (PostgreSQL's DDL is transactional), so a failure leaves the database as it was.
/// An advisory lock held until the commit makes instances starting together wait for the first
/// one's migrations instead of running them twice.
pub async fn migrate_postgres(pool: &PgPool, migrator: &Migrator) -> anyhow::Result<usize> {
    let mut tx: Transaction<'_, Postgres> = pool
        .begin()
        .await
        .context("cannot connect to the database")?;
    // sqlx's own lock is released before this transaction commits: instances starting together
    // queue on this one, held until the commit, and see each other's migrations applied.
    sqlx::query("SET LOCAL lock_timeout = 0")
        .execute(&mut *tx)
        .await
        .context("cannot start migrating")?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATIONS_LOCK)
        .execute(&mut *tx)
        .await
        .context("cannot start migrating")?;
    let before = pg_applied_count(&mut tx).await?;
    migrator
        .run(&mut *tx)
        .await
        .context("database migration failed; nothing was changed")?;
    let after = pg_applied_count(&mut tx).await?;
    tx.commit()
        .await
        .context("cannot commit the database migrations")?;
    Ok(usize::try_from(after - before).unwrap_or(0))
}

async fn pg_applied_count(conn: &mut sqlx::PgConnection) -> anyhow::Result<i64> {
    let exists: bool = sql::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .context("cannot read the database schema")?;
    if !exists {
        return Ok(0);
    }
    sqlx::query_scalar::<Postgres, i64>("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await
        .context("cannot read the applied migrations")
}
