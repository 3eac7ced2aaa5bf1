//! The indexes, triggers and search entries a bulk load drops and builds again once, at its end
//! (or at the next start, when the load was interrupted: `seed_pending` holds the steps).

use sqlx::{Connection, Row, SqliteConnection};

use super::Progress;
use crate::server::db::Db;

/// The first id of each table a load will write (everything before it is indexed already).
pub(super) struct FirstIds {
    pub company: i64,
    pub contact: i64,
    pub activity: i64,
}

impl FirstIds {
    /// The ids the next rows of each table will get.
    pub(super) async fn next(conn: &mut SqliteConnection) -> Result<Self, sqlx::Error> {
        let next = |table: &str| format!("SELECT coalesce(max(id), 0) + 1 FROM {table}");
        Ok(Self {
            company: sqlx::query_scalar(&next("companies"))
                .fetch_one(&mut *conn)
                .await?,
            contact: sqlx::query_scalar(&next("contacts"))
                .fetch_one(&mut *conn)
                .await?,
            activity: sqlx::query_scalar(&next("activities"))
                .fetch_one(&mut *conn)
                .await?,
        })
    }
}

/// Drops the secondary indexes and triggers of the record and work tables. In the same
/// transaction, it writes down (in `seed_pending`) everything needed to put them back and to index
/// what will be loaded from `first` on, so that an interrupted load is finished by
/// [`finish_pending`] at the next start.
pub(super) async fn drop_derived(
    conn: &mut SqliteConnection,
    first: &FirstIds,
) -> Result<u64, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let rows = sqlx::query(
        "SELECT type, name, sql FROM sqlite_master
         WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
           AND tbl_name IN ('companies', 'contacts', 'contact_tags', 'activities', 'tasks')",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut steps: Vec<String> = Vec::new();
    for row in rows {
        let kind: String = row.try_get("type")?;
        let name: String = row.try_get("name")?;
        sqlx::query(&format!("DROP {kind} \"{name}\""))
            .execute(&mut *tx)
            .await?;
        steps.push(row.try_get("sql")?);
    }
    steps.push(format!(
        "INSERT INTO companies_fts (rowid, name, domain, industry, city, notes)
         SELECT id, name, domain, industry, city, notes FROM companies
         WHERE id >= {} AND deleted_at IS NULL",
        first.company
    ));
    steps.push(format!(
        "INSERT INTO contacts_fts (rowid, name, company, email, phone, notes)
         SELECT id, name, company, email, phone, notes FROM contacts_search WHERE id >= {}",
        first.contact
    ));
    steps.push(format!(
        "INSERT OR IGNORE INTO contact_tags (tag, contact_id)
         SELECT j.value, c.id FROM contacts c, json_each(c.tags) j
         WHERE c.id >= {} AND c.deleted_at IS NULL",
        first.contact
    ));
    steps.push(format!(
        "INSERT INTO activities_fts (rowid, subject, body)
         SELECT id, subject, body FROM activities WHERE id >= {} AND deleted_at IS NULL",
        first.activity
    ));
    for sql in &steps {
        sqlx::query("INSERT INTO seed_pending (sql) VALUES (?)")
            .bind(sql)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(steps.len() as u64)
}

/// Rebuilds what an earlier bulk load dropped, if anything (all of it in one transaction); returns
/// how many steps ran.
pub async fn finish_pending(db: &Db, progress: &mut dyn Progress) -> Result<u64, sqlx::Error> {
    // Only a SQLite bulk load leaves anything to rebuild.
    let Some(pool) = db.sqlite_pool() else {
        return Ok(0);
    };
    let mut conn = pool.acquire().await?;
    // Index builds over a million rows take as long as they take.
    conn.lock_handle().await?.remove_progress_handler();
    let steps: Vec<String> = sqlx::query_scalar("SELECT sql FROM seed_pending ORDER BY step")
        .fetch_all(&mut *conn)
        .await?;
    if steps.is_empty() {
        return Ok(0);
    }
    progress.stage("building indexes and search", steps.len() as u64);
    let mut tx = conn.begin().await?;
    for sql in &steps {
        sqlx::query(sql).execute(&mut *tx).await?;
        progress.advance(1);
    }
    sqlx::query("DELETE FROM seed_pending")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    progress.finish();
    Ok(steps.len() as u64)
}
