//! Uploaded import files kept in the database, in parts, when instances share it (PostgreSQL):
//! the check or the run may happen on another instance than the upload.

use super::sql;
use super::{Backend, Db};

impl Db {
    /// Whether an import's file is kept in the database rather than in the data folder: when
    /// several instances may share the database.
    pub fn keeps_import_files(&self) -> bool {
        self.backend() == Backend::Postgres
    }

    /// Adds part `part` (from 0) of import `id`'s file.
    pub async fn add_import_file_part(
        &self,
        id: i64,
        part: i64,
        data: &[u8],
    ) -> Result<(), sqlx::Error> {
        sql::query("INSERT INTO import_files (import_id, part, data) VALUES (?, ?, ?)")
            .bind(id)
            .bind(part)
            .bind(data)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Part `part` of import `id`'s file; None past its end.
    pub async fn import_file_part(
        &self,
        id: i64,
        part: i64,
    ) -> Result<Option<Vec<u8>>, sqlx::Error> {
        sql::query_scalar("SELECT data FROM import_files WHERE import_id = ? AND part = ?")
            .bind(id)
            .bind(part)
            .fetch_optional(&mut self.conn().await?)
            .await
    }

    /// Whether import `id`'s file is kept in the database.
    pub async fn import_file_kept(&self, id: i64) -> Result<bool, sqlx::Error> {
        let parts: i64 =
            sql::query_scalar("SELECT count(*) FROM import_files WHERE import_id = ? AND part = 0")
                .bind(id)
                .fetch_one(&mut self.conn().await?)
                .await?;
        Ok(parts > 0)
    }

    /// Imports that still need their file: uploaded, being checked or checked.
    pub async fn waiting_imports(&self) -> Result<Vec<i64>, sqlx::Error> {
        sql::query_scalar(
            "SELECT id FROM imports WHERE state IN ('uploaded', 'checking', 'checked')",
        )
        .fetch_all(&mut self.conn().await?)
        .await
    }

    /// Forgets the files of the imports whose run has ended (an undo needs no file); how many.
    pub async fn forget_finished_import_files(&self) -> Result<u64, sqlx::Error> {
        // Every file has a part 0: deleting those first counts the files.
        let done = sql::query(
            "DELETE FROM import_files WHERE part = 0 AND import_id IN (SELECT id FROM imports
                 WHERE state IN ('done', 'failed', 'cancelled', 'undone'))",
        )
        .execute(&mut self.conn().await?)
        .await?;
        sql::query(
            "DELETE FROM import_files WHERE import_id IN (SELECT id FROM imports
                 WHERE state IN ('done', 'failed', 'cancelled', 'undone'))",
        )
        .execute(&mut self.conn().await?)
        .await?;
        Ok(done.rows_affected())
    }

    /// Removes import `id` (with its file) while it is only uploaded: its file could not be
    /// kept whole.
    pub async fn remove_uploaded_import(&self, id: i64) -> Result<(), sqlx::Error> {
        sql::query("DELETE FROM imports WHERE id = ? AND state = 'uploaded'")
            .bind(id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Forgets import `id`'s file.
    pub async fn forget_import_file(&self, id: i64) -> Result<(), sqlx::Error> {
        sql::query("DELETE FROM import_files WHERE import_id = ?")
            .bind(id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }
}
