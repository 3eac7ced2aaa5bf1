//! The workspace row: what this deployment is.

use sqlx::Row;

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
        let capped =
            |from: &str| format!("(SELECT count(*) FROM (SELECT 1 FROM {from} LIMIT {limit}))");
        // One statement: a capped count per status (through its index), then the companies.
        let mut columns: Vec<String> = ContactStatus::ALL
            .iter()
            .map(|status| {
                capped(&format!(
                    "contacts INDEXED BY contacts_live_by_status \
                     WHERE status = '{}' AND deleted_at IS NULL",
                    status.as_str()
                ))
            })
            .collect();
        columns.push(capped("companies WHERE deleted_at IS NULL"));
        let row = sqlx::query(&format!("SELECT {}", columns.join(", ")))
            .fetch_one(&mut *self.conn().await?)
            .await?;
        let count = |i: usize| -> Result<Total, sqlx::Error> {
            Ok(Total::from_capped(row.try_get::<i64, _>(i)?.unsigned_abs()))
        };
        let statuses = ContactStatus::ALL
            .iter()
            .enumerate()
            .map(|(i, status)| Ok((*status, count(i)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((statuses, count(ContactStatus::ALL.len())?))
    }
}
