//! What an import's run did to each record — created it, or changed these fields from these
//! values — and which changes in the history are its: written in each batch's transaction, read
//! back (and forgotten, record by record) by its undo.

use super::sql;

use super::imports::{from_json, json_of};
use super::Db;

/// What a run did to one record.
#[derive(Debug, Clone)]
pub struct Effect {
    pub record_id: i64,
    pub created: bool,
    /// The record's version right after the run wrote it.
    pub version: i64,
    /// For an update: each changed field's value before, as the form has it.
    pub old_values: Vec<(String, String)>,
}

impl Db {
    /// Records what a run did to a record (on the batch's transaction).
    pub async fn record_effect(&self, id: i64, effect: &Effect) -> Result<(), sqlx::Error> {
        sql::query(
            "INSERT INTO import_effects (import_id, record_id, created, version, old_values)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (import_id, record_id) DO UPDATE SET created = excluded.created,
                 version = excluded.version, old_values = excluded.old_values",
        )
        .bind(id)
        .bind(effect.record_id)
        .bind(effect.created)
        .bind(effect.version)
        .bind(json_of(&effect.old_values)?)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(())
    }

    /// Up to `limit` of an import's effects, by record id after `after`.
    pub async fn import_effects(
        &self,
        id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Effect>, sqlx::Error> {
        sql::query(
            "SELECT record_id, created, version, old_values FROM import_effects
             WHERE import_id = ? AND record_id > ? ORDER BY record_id LIMIT ?",
        )
        .bind(id)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut self.conn().await?)
        .await?
        .iter()
        .map(|row| {
            Ok(Effect {
                record_id: row.try_get("record_id")?,
                created: row.try_get("created")?,
                version: row.try_get("version")?,
                old_values: from_json(row.try_get("old_values")?)?,
            })
        })
        .collect()
    }

    /// How many records a run touched that are not undone yet.
    pub async fn import_effects_left(&self, id: i64) -> Result<u64, sqlx::Error> {
        let left: i64 =
            sql::query_scalar("SELECT count(*) FROM import_effects WHERE import_id = ?")
                .bind(id)
                .fetch_one(&mut self.conn().await?)
                .await?;
        Ok(u64::try_from(left).unwrap_or(0))
    }

    /// Forgets what a run did to a record once that is undone (so a second undo passes it by).
    pub async fn forget_effect(&self, id: i64, record_id: i64) -> Result<(), sqlx::Error> {
        sql::query("DELETE FROM import_effects WHERE import_id = ? AND record_id = ?")
            .bind(id)
            .bind(record_id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Marks the changes after `after` as made by import `id` (on the batch's transaction, where
    /// no one else writes).
    pub async fn tag_changes(&self, id: i64, after: i64) -> Result<(), sqlx::Error> {
        sql::query("UPDATE changes SET import_id = ? WHERE id > ?")
            .bind(id)
            .bind(after)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }
}
