//! Imports: their state and counts, the invalid rows they found, and what their runs did to each
//! record (for undo). The rows themselves are written through the records' own save path.

use super::sql::{self, Row};

use super::Db;
use crate::domain::{ImportCounts, ImportView, OnExisting, RecordKind, UNDO_STOPPED};

/// Invalid rows kept per import (the count goes on).
pub const PROBLEMS_KEPT: i64 = 1_000;

pub(super) fn json_of<T: serde::Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(e.into()))
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(e.into()))
}

fn decode<T: std::str::FromStr<Err = String>>(text: &str) -> Result<T, sqlx::Error> {
    text.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}

fn count(row: &Row, column: &str) -> Result<u64, sqlx::Error> {
    Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or_default())
}

fn import_view(row: &Row) -> Result<ImportView, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(ImportView {
        id: row.try_get("id")?,
        kind: if kind == "company" {
            RecordKind::Company
        } else {
            RecordKind::Contact
        },
        file_name: row.try_get("file_name")?,
        by: row
            .try_get::<Option<String>, _>("by_name")?
            .unwrap_or_else(|| "someone".into()),
        created_at: row.try_get("created_at")?,
        state: decode(row.try_get("state")?)?,
        on_existing: decode(row.try_get("on_existing")?)?,
        header: from_json(row.try_get("header")?)?,
        mapping: from_json(row.try_get("mapping")?)?,
        rows_total: count(row, "rows_total")?,
        rows_done: count(row, "rows_done")?,
        counts: ImportCounts {
            created: count(row, "created")?,
            updated: count(row, "updated")?,
            skipped: count(row, "skipped")?,
            invalid: count(row, "invalid")?,
        },
        message: row.try_get("message")?,
        finished_at: row.try_get("finished_at")?,
        problems: Vec::new(),
    })
}

const IMPORT_COLUMNS: &str =
    "i.*, u.name AS by_name FROM imports i LEFT JOIN users u ON u.id = i.by";

impl Db {
    /// Records an uploaded file with its header and guessed mapping; returns the import's id.
    pub async fn create_import(
        &self,
        kind: RecordKind,
        file_name: &str,
        by: i64,
        now: i64,
        header: &[String],
        mapping: &[Option<&str>],
    ) -> Result<i64, sqlx::Error> {
        sql::query_scalar(
            "INSERT INTO imports (kind, file_name, by, created_at, header, mapping)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(kind.as_str())
        .bind(file_name)
        .bind(by)
        .bind(now)
        .bind(json_of(&header)?)
        .bind(json_of(&mapping)?)
        .fetch_one(&mut self.conn().await?)
        .await
    }

    /// An import, with its first `problems` invalid rows.
    pub async fn import(&self, id: i64, problems: i64) -> Result<Option<ImportView>, sqlx::Error> {
        let row = sql::query(&format!("SELECT {IMPORT_COLUMNS} WHERE i.id = ?"))
            .bind(id)
            .fetch_optional(&mut self.conn().await?)
            .await?;
        let Some(mut view) = row.as_ref().map(import_view).transpose()? else {
            return Ok(None);
        };
        let rows = sql::query(
            "SELECT line, reason FROM import_problems WHERE import_id = ? ORDER BY line LIMIT ?",
        )
        .bind(id)
        .bind(problems)
        .fetch_all(&mut self.conn().await?)
        .await?;
        view.problems = rows
            .iter()
            .map(|r| {
                Ok((
                    u64::try_from(r.try_get::<i64, _>("line")?).unwrap_or_default(),
                    r.try_get("reason")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Some(view))
    }

    /// The most recent imports, newest first.
    pub async fn recent_imports(&self, limit: i64) -> Result<Vec<ImportView>, sqlx::Error> {
        sql::query(&format!(
            "SELECT {IMPORT_COLUMNS} ORDER BY i.id DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(&mut self.conn().await?)
        .await?
        .iter()
        .map(import_view)
        .collect()
    }

    /// Imports whose file is needed no more: their run has ended (done, failed, cancelled — a run
    /// is never resumed — or undone).
    pub async fn finished_imports(&self) -> Result<Vec<i64>, sqlx::Error> {
        sql::query_scalar(
            "SELECT id FROM imports WHERE state IN ('done', 'failed', 'cancelled', 'undone')",
        )
        .fetch_all(&mut self.conn().await?)
        .await
    }

    /// Moves an import from state `from` to `to` (starting over its progress when it starts a
    /// check or a run, and its message when it starts any work); false when it was not in `from` (someone else moved it first).
    pub async fn move_import(&self, id: i64, from: &str, to: &str) -> Result<bool, sqlx::Error> {
        let restart = matches!(to, "checking" | "running");
        let done = sql::query(
            "UPDATE imports SET state = ?1, cancel = FALSE,
                 message = CASE WHEN ?1 IN ('checking', 'running', 'undone') THEN '' ELSE message END,
                 runner = CASE WHEN ?1 IN ('checking', 'running', 'undone') THEN ?5 ELSE runner END,
                 beat_at = CASE WHEN ?1 IN ('checking', 'running', 'undone') THEN ?6 ELSE beat_at END,
                 finished_at = CASE WHEN ?1 IN ('checking', 'running', 'undone') THEN NULL
                     ELSE finished_at END,
                 rows_done = CASE WHEN ?3 THEN 0 ELSE rows_done END,
                 created = CASE WHEN ?3 THEN 0 ELSE created END,
                 updated = CASE WHEN ?3 THEN 0 ELSE updated END,
                 skipped = CASE WHEN ?3 THEN 0 ELSE skipped END,
                 invalid = CASE WHEN ?3 THEN 0 ELSE invalid END
             WHERE id = ?2 AND state = ?4",
        )
        .bind(to)
        .bind(id)
        .bind(restart)
        .bind(from)
        .bind(self.runner())
        .bind(crate::server::auth::session::now())
        .execute(&mut self.conn().await?)
        .await?;
        if done.rows_affected() == 1 && restart {
            sql::query("DELETE FROM import_problems WHERE import_id = ?")
                .bind(id)
                .execute(&mut self.conn().await?)
                .await?;
        }
        Ok(done.rows_affected() == 1)
    }

    /// Sets the mapping and the rule for existing records (before a check).
    pub async fn plan_import(
        &self,
        id: i64,
        mapping: &[Option<&str>],
        on_existing: OnExisting,
    ) -> Result<(), sqlx::Error> {
        sql::query("UPDATE imports SET mapping = ?, on_existing = ? WHERE id = ?")
            .bind(json_of(&mapping)?)
            .bind(on_existing.as_str())
            .bind(id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Adds a batch's progress (on the batch's own transaction when it writes records), and the
    /// invalid rows it found (the first [`PROBLEMS_KEPT`] of them are kept).
    pub async fn import_progress(
        &self,
        id: i64,
        rows: u64,
        counts: ImportCounts,
        problems: &[(u64, String)],
    ) -> Result<(), sqlx::Error> {
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        sql::query(
            "UPDATE imports SET rows_done = rows_done + ?, created = created + ?,
                 updated = updated + ?, skipped = skipped + ?, invalid = invalid + ?, beat_at = ?
             WHERE id = ?",
        )
        .bind(as_i64(rows))
        .bind(as_i64(counts.created))
        .bind(as_i64(counts.updated))
        .bind(as_i64(counts.skipped))
        .bind(as_i64(counts.invalid))
        .bind(crate::server::auth::session::now())
        .bind(id)
        .execute(&mut self.conn().await?)
        .await?;
        for (line, reason) in problems {
            sql::query(
                "INSERT INTO import_problems (import_id, line, reason)
                 SELECT ?1, ?2, ?3
                 WHERE (SELECT count(*) FROM import_problems WHERE import_id = ?1) < ?4
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(as_i64(*line))
            .bind(reason)
            .bind(PROBLEMS_KEPT)
            .execute(&mut self.conn().await?)
            .await?;
        }
        Ok(())
    }

    /// Ends a check or a run in `state`, saying why when it stopped early.
    pub async fn finish_import(
        &self,
        id: i64,
        state: &str,
        rows_total: Option<u64>,
        message: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sql::query(
            "UPDATE imports SET state = ?, message = ?, finished_at = ?,
                 rows_total = coalesce(?, rows_total)
             WHERE id = ?",
        )
        .bind(state)
        .bind(message)
        .bind(now)
        .bind(rows_total.map(|n| i64::try_from(n).unwrap_or(i64::MAX)))
        .bind(id)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(())
    }

    /// Asks a check or run under way to stop after its current batch.
    pub async fn cancel_import(&self, id: i64) -> Result<bool, sqlx::Error> {
        let done = sql::query(
            "UPDATE imports SET cancel = TRUE WHERE id = ? AND state IN ('checking', 'running')",
        )
        .bind(id)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether a check or run under way should stop: asked to, or stopped by another instance
    /// that found it quiet (see [`Db::stop_quiet_imports`]).
    pub async fn import_cancelled(&self, id: i64) -> Result<bool, sqlx::Error> {
        let cancel: Option<bool> = sql::query_scalar(
            "SELECT cancel OR state NOT IN ('checking', 'running') FROM imports WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&mut self.conn().await?)
        .await?;
        Ok(cancel.unwrap_or(true))
    }

    /// Imports a previous process left checking, running or undoing: they stopped with it.
    pub async fn fail_interrupted_imports(&self, now: i64) -> Result<u64, sqlx::Error> {
        let done = sql::query(
            "UPDATE imports SET finished_at = ?1,
                 message = 'The server stopped during this ' ||
                     CASE state WHEN 'checking' THEN 'check' ELSE 'import' END ||
                     ', after row ' || rows_done || '.',
                 state = CASE state WHEN 'checking' THEN 'uploaded' ELSE 'failed' END
             WHERE state IN ('checking', 'running') AND (runner IS NULL OR runner = ?2)",
        )
        .bind(now)
        .bind(self.runner())
        .execute(&mut self.conn().await?)
        .await?;
        let undoing = self.stop_undos(None, now).await?;
        Ok(done.rows_affected() + undoing)
    }

    /// Checks, runs and undos that another server runs but that have shown no sign of life since
    /// `quiet_since` (it records one each batch): that server was lost, so they are stopped as
    /// if it had stopped, to be started (or undone) again; how many.
    pub async fn stop_quiet_imports(&self, now: i64, quiet_since: i64) -> Result<u64, sqlx::Error> {
        let quiet = "(runner IS NULL OR runner <> ?3) AND coalesce(beat_at, 0) < ?2";
        let done = sql::query(&format!(
            "UPDATE imports SET finished_at = ?1,
                 message = 'The server running this ' ||
                     CASE state WHEN 'checking' THEN 'check' ELSE 'import' END ||
                     ' stopped answering, after row ' || rows_done || '.',
                 state = CASE state WHEN 'checking' THEN 'uploaded' ELSE 'failed' END
             WHERE state IN ('checking', 'running') AND {quiet}"
        ))
        .bind(now)
        .bind(quiet_since)
        .bind(self.runner())
        .execute(&mut self.conn().await?)
        .await?;
        let undos = sql::query(&format!(
            "UPDATE imports SET state = 'failed', message = ?4, finished_at = ?1
             WHERE state = 'undone' AND message = '' AND {quiet}"
        ))
        .bind(now)
        .bind(quiet_since)
        .bind(self.runner())
        .bind(UNDO_STOPPED)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(done.rows_affected() + undos.rows_affected())
    }

    /// Records that the server running import `id`'s step is alive (each batch).
    pub async fn import_beat(&self, id: i64, now: i64) -> Result<(), sqlx::Error> {
        sql::query("UPDATE imports SET beat_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Undos under way (their import `undone` with no message yet) that stopped — import `id`'s,
    /// or at start-up every one this server ran — go back to `failed`, to be undone again; how
    /// many. One that had finished is left as it is.
    pub async fn stop_undos(&self, id: Option<i64>, now: i64) -> Result<u64, sqlx::Error> {
        let done = sql::query(
            "UPDATE imports SET state = 'failed', message = ?, finished_at = ?
             WHERE (?3 IS NULL AND (runner IS NULL OR runner = ?4) OR id = ?3)
               AND state = 'undone' AND message = ''",
        )
        .bind(UNDO_STOPPED)
        .bind(now)
        .bind(id)
        .bind(self.runner())
        .execute(&mut self.conn().await?)
        .await?;
        Ok(done.rows_affected())
    }

    /// The live contact with this e-mail, if any.
    pub async fn contact_by_email(&self, email: &str) -> Result<Option<i64>, sqlx::Error> {
        sql::query_scalar(
            "SELECT id FROM contacts WHERE email = ? AND deleted_at IS NULL AND email <> ''",
        )
        .bind(email)
        .fetch_optional(&mut self.conn().await?)
        .await
    }

    /// Active users by e-mail (an import's owners are given by e-mail).
    pub async fn active_users_by_email(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sql::query_as("SELECT email, id FROM users WHERE active")
            .fetch_all(&mut self.conn().await?)
            .await
    }
}
