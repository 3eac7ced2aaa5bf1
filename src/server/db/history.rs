//! The change history (`changes`): written by the save, trash and restore paths inside their own
//! transaction, read newest first by record, by user and kind, or all of it.

use super::sql::{self, Builder, Row};

use super::Db;
use crate::domain::{Change, ChangeAction, FieldChange, LiveChange, RecordKind};

/// What narrows the workspace's history.
#[derive(Debug, Clone, Copy, Default)]
pub struct HistoryFilter {
    pub record: Option<(RecordKind, i64)>,
    pub kind: Option<RecordKind>,
    pub user: Option<i64>,
}

fn decode_err(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> sqlx::Error {
    sqlx::Error::Decode(e.into())
}

fn change(row: &Row) -> Result<Change, sqlx::Error> {
    let fields: Vec<(String, String, String)> =
        serde_json::from_str(row.try_get("fields")?).map_err(decode_err)?;
    Ok(Change {
        id: row.try_get("id")?,
        kind: row
            .try_get::<&str, _>("kind")?
            .parse()
            .map_err(decode_err)?,
        record_id: row.try_get("record_id")?,
        action: row
            .try_get::<&str, _>("action")?
            .parse()
            .map_err(decode_err)?,
        at: row.try_get("at")?,
        by: row.try_get("by_name")?,
        import: row.try_get("import_id")?,
        fields: fields
            .into_iter()
            .map(|(field, old, new)| FieldChange { field, old, new })
            .collect(),
    })
}

impl Db {
    /// Records a change. Call it on the handle of the change's own transaction.
    pub async fn record_change(
        &self,
        kind: RecordKind,
        record_id: i64,
        action: ChangeAction,
        by: i64,
        at: i64,
        fields: &[FieldChange],
    ) -> Result<(), sqlx::Error> {
        let fields: Vec<(&str, &str, &str)> = fields
            .iter()
            .map(|f| (f.field.as_str(), f.old.as_str(), f.new.as_str()))
            .collect();
        sql::query(
            "INSERT INTO changes (kind, record_id, action, at, by, fields) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(kind.as_str())
        .bind(record_id)
        .bind(action.as_str())
        .bind(at)
        .bind(by)
        .bind(serde_json::to_string(&fields).map_err(|e| sqlx::Error::Encode(e.into()))?)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(())
    }

    /// Up to `limit` changes, newest first, older than the change `before`.
    pub async fn history(
        &self,
        filter: HistoryFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Change>, sqlx::Error> {
        let mut q = Builder::new(
            "SELECT ch.id, ch.kind, ch.record_id, ch.action, ch.at, ch.fields, ch.import_id, \
             coalesce(u.name, '') AS by_name \
             FROM changes ch LEFT JOIN users u ON u.id = ch.by WHERE TRUE",
        );
        if let Some((kind, id)) = filter.record {
            q.push(" AND ch.kind = ").push_bind(kind.as_str());
            q.push(" AND ch.record_id = ").push_bind(id);
        }
        if let Some(kind) = filter.kind {
            q.push(" AND ch.kind = ").push_bind(kind.as_str());
        }
        if let Some(user) = filter.user {
            q.push(" AND ch.by = ").push_bind(user);
        }
        if let Some(before) = before {
            q.push(" AND ch.id < ").push_bind(before);
        }
        q.push(" ORDER BY ch.id DESC LIMIT ")
            .push_bind(i64::from(limit));
        q.build()
            .fetch_all(&mut self.conn().await?)
            .await?
            .iter()
            .map(change)
            .collect()
    }

    /// The id of the newest change: the history's position now (changes written after it in an
    /// import's batch are the import's; an open page hears of those after it).
    pub async fn last_change(&self) -> Result<i64, sqlx::Error> {
        sql::query_scalar("SELECT coalesce(max(id), 0) FROM changes")
            .fetch_one(&mut self.conn().await?)
            .await
    }

    /// Up to `limit` changes after the change `after`, oldest first, as live updates carry them.
    /// (Writers take turns on both backends, so ids are committed in order: a change with a
    /// smaller id never appears after a larger one was read.)
    pub async fn changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<LiveChange>, sqlx::Error> {
        sql::query(
            "SELECT id, kind, record_id, action FROM changes WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&mut self.conn().await?)
        .await?
        .iter()
        .map(|row| {
            Ok(LiveChange {
                id: row.try_get("id")?,
                kind: row
                    .try_get::<&str, _>("kind")?
                    .parse()
                    .map_err(decode_err)?,
                record: row.try_get("record_id")?,
                action: row
                    .try_get::<&str, _>("action")?
                    .parse()
                    .map_err(decode_err)?,
            })
        })
        .collect()
    }
}
