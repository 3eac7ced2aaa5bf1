//! The connection each statement runs on, and its deadline: every hand-out of a pooled
//! connection arms a SQLite progress handler that interrupts the statement once the budget has
//! passed or its caller has gone; a [`Db::in_transaction`] handle runs everything on one
//! transaction instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use sqlx::{Postgres, Sqlite, Transaction};

use super::sql::{Exec, Target};
use super::{Db, Pool};

/// The connection a statement runs on: one from the pool, or the scope's transaction.
pub enum Conn<'a> {
    /// Dropping it before its statement finished (the request was cancelled) stops the statement.
    Lite {
        conn: sqlx::pool::PoolConnection<Sqlite>,
        _stop: StopOnDrop,
    },
    /// PostgreSQL stops a statement whose connection's client has gone (the pool then closes it).
    Pg(sqlx::pool::PoolConnection<Postgres>),
    Scoped(tokio::sync::MutexGuard<'a, Tx>),
}

/// A transaction on either backend.
#[derive(Debug)]
pub enum Tx {
    Lite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

impl Exec for Conn<'_> {
    fn target(&mut self) -> Target<'_> {
        match self {
            Conn::Lite { conn, .. } => Target::Lite(&mut *conn),
            Conn::Pg(conn) => Target::Pg(&mut *conn),
            Conn::Scoped(tx) => match &mut **tx {
                Tx::Lite(tx) => Target::Lite(&mut *tx),
                Tx::Pg(tx) => Target::Pg(&mut *tx),
            },
        }
    }
}

impl Exec for Tx {
    fn target(&mut self) -> Target<'_> {
        match self {
            Tx::Lite(tx) => Target::Lite(&mut *tx),
            Tx::Pg(tx) => Target::Pg(&mut *tx),
        }
    }
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Lite(tx) => tx.commit().await,
            Tx::Pg(tx) => tx.commit().await,
        }
    }
}

/// Tells the deadline of a connection's current use that its caller has gone.
pub struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

tokio::task_local! {
    /// Set while [`Db::conn`] acquires a connection: the flag its deadline also watches.
    pub(super) static CALLER_GONE: Arc<AtomicBool>;
    /// Set for background upkeep, whose bulk deletes may take longer than a request.
    static NO_DEADLINE: ();
}

/// Runs `work` (background upkeep, not a request) with no statement deadline.
pub async fn without_deadline<T>(work: impl std::future::Future<Output = T>) -> T {
    NO_DEADLINE.scope((), work).await
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

impl Db {
    /// The connection for the next statement.
    pub async fn conn(&self) -> Result<Conn<'_>, sqlx::Error> {
        Ok(match &self.scope {
            Some(tx) => Conn::Scoped(tx.lock().await),
            None => match &self.pool {
                Pool::Lite { pool, .. } => {
                    let gone = Arc::new(AtomicBool::new(false));
                    let conn = CALLER_GONE.scope(Arc::clone(&gone), pool.acquire()).await?;
                    Conn::Lite {
                        conn,
                        _stop: StopOnDrop(gone),
                    }
                }
                Pool::Pg { pool, upkeep } => Conn::Pg(pg_pool(pool, upkeep).acquire().await?),
            },
        })
    }

    /// Counts a request as in flight until the guard is dropped (see [`Db::background_turn`]).
    pub fn request_in_flight(&self) -> super::InFlight {
        self.turns.request()
    }

    /// Requests in flight now.
    pub fn requests_in_flight(&self) -> usize {
        self.turns.in_flight()
    }

    /// The pool's connections: (open, idle).
    pub fn pool_usage(&self) -> (u32, usize) {
        match &self.pool {
            Pool::Lite { pool, .. } => (pool.size(), pool.num_idle()),
            Pool::Pg { pool, .. } => (pool.size(), pool.num_idle()),
        }
    }

    /// Waits (briefly) until no request is in flight: a background job calls it before each of
    /// its write transactions, so that people's saves never queue behind its batches.
    pub async fn background_turn(&self) {
        self.turns.background().await;
    }

    /// Starts a write transaction whose handle runs every statement in it. Write transactions
    /// run one at a time, so that their reads and writes see one state: SQLite's
    /// `BEGIN IMMEDIATE` holds the write lock from the start; on PostgreSQL every one takes the
    /// same transaction-level advisory lock first (every instance's writers queue on it).
    pub async fn in_transaction(&self) -> Result<Scope, sqlx::Error> {
        // Like `conn`: when the caller goes, the statement it left running is stopped.
        let gone = Arc::new(AtomicBool::new(false));
        let tx = match &self.pool {
            Pool::Lite { pool, .. } => Tx::Lite(
                CALLER_GONE
                    .scope(Arc::clone(&gone), pool.begin_with("BEGIN IMMEDIATE"))
                    .await?,
            ),
            Pool::Pg { pool, upkeep } => Tx::Pg(begin_writing(pg_pool(pool, upkeep)).await?),
        };
        Ok(Scope {
            db: Self {
                scope: Some(Arc::new(tokio::sync::Mutex::new(tx))),
                ..self.clone()
            },
            _stop: StopOnDrop(gone),
        })
    }

    /// Starts a transaction on a connection of its own (SQLite's deferred `BEGIN`; on
    /// PostgreSQL one holding the writers' lock, as [`Db::in_transaction`]'s): for bulk work that
    /// uses it directly (upkeep, copies). Never on a scoped handle, whose transaction holds
    /// the write lock this one would wait for: use [`Db::atomically`] there.
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match &self.pool {
            Pool::Lite { pool, .. } => Tx::Lite(pool.begin().await?),
            Pool::Pg { pool, upkeep } => Tx::Pg(begin_writing(pg_pool(pool, upkeep)).await?),
        })
    }

    /// Runs `work` in one transaction: this handle's when it is already scoped (the effect of
    /// an exactly-once request), else a new one, committed if `work` succeeds.
    pub async fn atomically<T, E, Fut>(&self, work: impl FnOnce(Db) -> Fut) -> Result<T, E>
    where
        Fut: std::future::Future<Output = Result<T, E>>,
        E: From<sqlx::Error>,
    {
        if self.scope.is_some() {
            return work(self.clone()).await;
        }
        let scope = self.in_transaction().await?;
        let result = work(scope.db()).await;
        if result.is_ok() {
            scope.commit().await?;
        }
        result
    }
}

/// The PostgreSQL advisory lock every write transaction holds ("clientel" in ASCII).
const WRITERS_LOCK: i64 = 0x636c_6965_6e74_656c;

/// The PostgreSQL pool for the next use: upkeep's (no statement timeout) within
/// [`without_deadline`], else the requests'.
fn pg_pool<'p>(pool: &'p sqlx::PgPool, upkeep: &'p sqlx::PgPool) -> &'p sqlx::PgPool {
    if NO_DEADLINE.try_with(|()| ()).is_ok() {
        upkeep
    } else {
        pool
    }
}

/// A PostgreSQL transaction holding the writers' lock.
async fn begin_writing(pool: &sqlx::PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITERS_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// How many SQLite virtual-machine steps run between two looks at the clock.
const PROGRESS_STEPS: i32 = 10_000;

/// Gives this use of `conn` a deadline: SQLite interrupts whatever statement still runs once
/// `budget` has passed since the connection was handed out, or once the caller that acquired it
/// through [`Db::conn`] has gone (its request was cancelled): the statement fails with
/// `SQLITE_INTERRUPT`, and the connection is free again at once. Without a budget, no deadline.
pub(super) async fn arm_deadline(
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

/// Whether `error` comes from the database finding what it needs locked past its wait (another
/// writer held it; on PostgreSQL also a deadlock or a serialization failure): the server is
/// overloaded, not broken.
pub fn is_busy(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        matches!(e.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Database(e))
                if matches!(e.code().as_deref(), Some("5" | "6" | "55P03" | "40001" | "40P01")))
    })
}

/// Whether `error` comes from the database stopping a statement that ran past its deadline
/// (SQLite's interrupt, PostgreSQL's `statement_timeout`).
pub fn is_interrupted(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        matches!(e.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Database(e)) if matches!(e.code().as_deref(), Some("9" | "57014")))
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::server::config::DatabaseSettings;

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
        let error = super::super::sql::query_scalar::<i64>(ENDLESS)
            .fetch_one(&mut db.conn().await.unwrap())
            .await
            .unwrap_err();
        assert!(is_interrupted(&anyhow::Error::from(error)));
        assert!(started.elapsed() < Duration::from_secs(5));
        // The (only) connection serves the next statement.
        let one: i64 = super::super::sql::query_scalar("SELECT 1")
            .fetch_one(&mut db.conn().await.unwrap())
            .await
            .unwrap();
        assert_eq!(one, 1);
    }

    #[tokio::test]
    async fn upkeep_runs_without_the_deadline() {
        let (_dir, db) = database(Duration::from_millis(50)).await;
        let endless = without_deadline(async {
            super::super::sql::query_scalar::<i64>(ENDLESS)
                .fetch_one(&mut db.conn().await.unwrap())
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
            super::super::sql::query_scalar::<i64>(ENDLESS)
                .fetch_one(&mut db.conn().await.unwrap())
                .await
        };
        assert!(tokio::time::timeout(Duration::from_millis(200), endless)
            .await
            .is_err());
        let started = Instant::now();
        let one: i64 = super::super::sql::query_scalar("SELECT 1")
            .fetch_one(&mut db.conn().await.unwrap())
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
