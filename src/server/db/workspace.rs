//! The workspace row: what this deployment is.

use super::Db;
use crate::domain::{ContactStatus, Total, WorkspaceSummary, COUNT_LIMIT};

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

impl Db {
    /// Live contacts of each status, and live companies, each counted up to just past
    /// [`COUNT_LIMIT`] (shown as "10,000+").
    pub async fn record_counts(&self) -> Result<(Vec<(ContactStatus, Total)>, Total), sqlx::Error> {
        let limit = COUNT_LIMIT + 1;
        let mut statuses = Vec::new();
        for status in ContactStatus::ALL {
            let count: i64 = sqlx::query_scalar(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM contacts INDEXED BY contacts_live_by_status
                 WHERE status = ? AND deleted_at IS NULL LIMIT {limit})"
            ))
            .bind(status.as_str())
            .fetch_one(&mut *self.conn().await?)
            .await?;
            statuses.push((status, Total::from_capped(count.unsigned_abs())));
        }
        let companies: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM companies WHERE deleted_at IS NULL LIMIT {limit})"
        ))
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok((statuses, Total::from_capped(companies.unsigned_abs())))
    }
}
