//! Backups of a running database, and the check of a backup before it is restored. A backup is
//! SQLite's `VACUUM INTO`: one read transaction copies every live page to a new file, so it is a
//! consistent snapshot while the server goes on writing (unlike the page-by-page backup API,
//! which starts over whenever another connection writes).

use std::path::Path;

use anyhow::{bail, Context};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::sql;
use super::{Db, MIGRATOR};

/// What a backup holds, read from it after checking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupContents {
    /// The newest migration applied to it.
    pub migration: i64,
    /// Migrations of this version of Clientele it does not have yet (the server applies them).
    pub behind: usize,
    pub users: i64,
    pub companies: i64,
    pub contacts: i64,
    pub activities: i64,
    pub tasks: i64,
}

impl Db {
    /// About how many bytes a backup of this database takes: its pages less the free ones.
    pub async fn live_bytes(&self) -> Result<u64, sqlx::Error> {
        let bytes: i64 = sql::query_scalar(
            "SELECT (page_count - freelist_count) * page_size
             FROM pragma_page_count, pragma_freelist_count, pragma_page_size",
        )
        .fetch_one(&mut self.conn().await?)
        .await?;
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    /// Writes a consistent copy of the whole database to `path`, which must not exist. Other
    /// connections go on reading and writing meanwhile; the copy is what was committed when it
    /// began. Runs without a statement deadline.
    pub async fn backup_into(&self, path: &Path) -> Result<(), sqlx::Error> {
        let pool = self.sqlite_pool().ok_or_else(|| {
            sqlx::Error::Configuration("a PostgreSQL database is backed up with pg_dump".into())
        })?;
        let mut conn = pool.acquire().await?;
        super::arm_deadline(&mut conn, None).await?;
        sql::query("VACUUM INTO ?")
            .bind(path.to_string_lossy().as_ref())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// How closely a backup is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Every page and the structure of every table and index (`quick_check`): right after
    /// writing it, a few seconds a gigabyte.
    Quick,
    /// That, and every index entry against its row too (`integrity_check`): before restoring.
    Full,
}

/// Opens the backup at `path` read-only and checks it: a SQLite database that is intact (see
/// [`Check`]), whose references hold (`foreign_key_check`), made by this version of Clientele or
/// an older one.
pub async fn check_backup(path: &Path, check: Check) -> anyhow::Result<BackupContents> {
    if !path.is_file() {
        bail!("{} is not a file", path.display());
    }
    // A copy of a live database without its log would lack what the log holds: refused.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        bail!(
            "{} has a write-ahead log beside it: it is a live database, not a backup (make one with `clientele backup`)",
            path.display()
        );
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let result = check_open(&mut conn, check).await;
    conn.close().await.ok();
    result.with_context(|| format!("{} is not a usable backup", path.display()))
}

async fn check_open(
    conn: &mut sqlx::SqliteConnection,
    check: Check,
) -> anyhow::Result<BackupContents> {
    let pragma = match check {
        Check::Quick => "PRAGMA quick_check",
        Check::Full => "PRAGMA integrity_check",
    };
    let integrity: Vec<String> = sql::query_scalar(pragma)
        .fetch_all(&mut *conn)
        .await
        .context("it is not a SQLite database")?;
    if integrity != ["ok"] {
        bail!(
            "it is damaged: {}",
            integrity.into_iter().take(5).collect::<Vec<_>>().join("; ")
        );
    }
    let broken: Vec<(String, Option<i64>)> =
        sql::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check LIMIT 5")
            .fetch_all(&mut *conn)
            .await?;
    if let Some((table, row)) = broken.first() {
        bail!("a row of {table} ({row:?}) refers to one that does not exist");
    }
    let applied: Vec<i64> =
        sql::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .context("it is not a Clientele database (it has no migrations)")?;
    let known: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    if let Some(newer) = applied.iter().find(|v| !known.contains(v)) {
        bail!(
            "it was made by a newer version of Clientele (migration {newer}): restore it with that version"
        );
    }
    let (users, companies, contacts, activities, tasks) = sql::query_as(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM companies),
                (SELECT count(*) FROM contacts), (SELECT count(*) FROM activities),
                (SELECT count(*) FROM tasks)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(BackupContents {
        migration: applied.last().copied().unwrap_or(0),
        behind: known.len().saturating_sub(applied.len()),
        users,
        companies,
        contacts,
        activities,
        tasks,
    })
}
