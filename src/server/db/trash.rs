//! The trash: records deleted within 30 days, restorable, then deleted for good.

use super::sql;

use super::records::{classify, table_of, WriteError};
use super::Db;
use crate::domain::{RecordKind, TrashItem};

impl Db {
    /// Moves a live record to the trash; false if there is none.
    pub async fn trash_record(
        &self,
        kind: RecordKind,
        id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sql::query(&format!(
            "UPDATE {} SET deleted_at = ?1, updated_at = ?1, updated_by = ?2, version = version + 1
             WHERE id = ?3 AND deleted_at IS NULL",
            table_of(kind)
        ))
        .bind(now)
        .bind(user_id)
        .bind(id)
        .execute(&mut self.conn().await?)
        .await?;
        self.forget_total(table_of(kind));
        self.forget_total("contacts");
        Ok(done.rows_affected() == 1)
    }

    /// Brings a record back from the trash. `Duplicate` when a live record has since taken its
    /// e-mail or domain; `Missing` when it is not in the trash.
    pub async fn restore_record(
        &self,
        kind: RecordKind,
        id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        let done = sql::query(&format!(
            "UPDATE {} SET deleted_at = NULL, updated_at = ?1, updated_by = ?2,
                 version = version + 1
             WHERE id = ?3 AND deleted_at IS NOT NULL",
            table_of(kind)
        ))
        .bind(now)
        .bind(user_id)
        .bind(id)
        .execute(&mut self.conn().await?)
        .await
        .map_err(classify)?;
        self.forget_total(table_of(kind));
        self.forget_total("contacts");
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(WriteError::Missing)
        }
    }

    /// Up to `limit` records in the trash, most recently deleted first, after `after`
    /// (`deleted_at`, kind, id of the last item of the previous page).
    pub async fn trash(
        &self,
        after: Option<(i64, RecordKind, i64)>,
        limit: u32,
    ) -> Result<Vec<TrashItem>, sqlx::Error> {
        let (at, kind, id) = after.map_or((i64::MAX, "~", i64::MAX), |(at, kind, id)| {
            (at, kind.as_str(), id)
        });
        let rows = sql::query(
            "SELECT * FROM (
                 SELECT 'contact' AS kind, id, trim(first_name || ' ' || last_name) AS name,
                        deleted_at FROM contacts WHERE deleted_at IS NOT NULL AND deleted_at <= ?1
                 UNION ALL
                 SELECT 'company', id, name, deleted_at FROM companies
                 WHERE deleted_at IS NOT NULL AND deleted_at <= ?1
                 UNION ALL
                 SELECT 'activity', id, subject, deleted_at FROM activities
                 WHERE deleted_at IS NOT NULL AND deleted_at <= ?1
                 UNION ALL
                 SELECT 'task', id, title, deleted_at FROM tasks
                 WHERE deleted_at IS NOT NULL AND deleted_at <= ?1) AS trashed
             WHERE (deleted_at, kind, id) < (?1, ?2, ?3)
             ORDER BY deleted_at DESC, kind DESC, id DESC LIMIT ?4",
        )
        .bind(at)
        .bind(kind)
        .bind(id)
        .bind(limit)
        .fetch_all(&mut self.conn().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TrashItem {
                    kind: row
                        .try_get::<&str, _>("kind")?
                        .parse()
                        .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    deleted_at: row.try_get("deleted_at")?,
                })
            })
            .collect()
    }

    /// Deletes for good what has been in the trash since before `before`; returns how many.
    pub async fn empty_trash(&self, before: i64) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin().await?;
        let contacts = sql::query("DELETE FROM contacts WHERE deleted_at < ?")
            .bind(before)
            .execute(&mut tx)
            .await?
            .rows_affected();
        let companies = sql::query("DELETE FROM companies WHERE deleted_at < ?")
            .bind(before)
            .execute(&mut tx)
            .await?
            .rows_affected();
        let activities = sql::query("DELETE FROM activities WHERE deleted_at < ?")
            .bind(before)
            .execute(&mut tx)
            .await?
            .rows_affected();
        let tasks = sql::query("DELETE FROM tasks WHERE deleted_at < ?")
            .bind(before)
            .execute(&mut tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        self.forget_total("contacts");
        self.forget_total("companies");
        Ok(contacts + companies + activities + tasks)
    }
}
