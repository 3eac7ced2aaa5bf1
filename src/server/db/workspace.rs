//! The workspace row: what this deployment is.

use super::Db;
use crate::domain::WorkspaceSummary;

impl Db {
    pub async fn workspace_summary(&self) -> Result<WorkspaceSummary, sqlx::Error> {
        let (name, created_at, schema_version): (String, String, i64) = sqlx::query_as(
            "SELECT w.name, w.created_at,
                    (SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success)
             FROM workspace w WHERE w.id = 1",
        )
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(WorkspaceSummary {
            name,
            created_at,
            schema_version,
        })
    }
}
