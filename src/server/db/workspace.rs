//! The workspace row: what this deployment is.

use super::sql;

use super::Db;
use crate::domain::{ContactStatus, Total, WorkspaceSummary, COUNT_LIMIT};

impl Db {
    pub async fn workspace_summary(&self) -> Result<WorkspaceSummary, sqlx::Error> {
        let (name, created_at, schema_version): (String, String, i64) = sql::query_as(
            "SELECT w.name, w.created_at,
                    (SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success)
             FROM workspace w WHERE w.id = 1",
        )
        .fetch_one(&mut self.conn().await?)
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
    /// Shared by every request for a few seconds, like the lists' totals (`totals.rs`).
    pub async fn record_counts(&self) -> Result<(Vec<(ContactStatus, Total)>, Total), sqlx::Error> {
        let cached: Option<Vec<i64>> = ContactStatus::ALL
            .iter()
            .map(|status| self.cached_total("contacts", &format!("status={}", status.as_str())))
            .chain(std::iter::once(self.cached_total("companies", "")))
            .collect();
        let counts = match cached {
            Some(counts) => counts,
            None => self.count_records().await?,
        };
        let total = |n: i64| Total::from_capped(n.unsigned_abs());
        let statuses = ContactStatus::ALL
            .iter()
            .zip(&counts)
            .map(|(status, n)| (*status, total(*n)))
            .collect();
        Ok((statuses, total(counts[ContactStatus::ALL.len()])))
    }

    /// The capped counts of live contacts by status, then of live companies; remembered.
    async fn count_records(&self) -> Result<Vec<i64>, sqlx::Error> {
        let limit = COUNT_LIMIT + 1;
        let capped = |from: &str| {
            format!("(SELECT count(*) FROM (SELECT 1 FROM {from} LIMIT {limit}) AS n)")
        };
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
        let row = sql::query(&format!("SELECT {}", columns.join(", ")))
            .fetch_one(&mut self.conn().await?)
            .await?;
        let counts = (0..=ContactStatus::ALL.len())
            .map(|i| row.try_get::<i64, _>(i))
            .collect::<Result<Vec<_>, _>>()?;
        for (status, n) in ContactStatus::ALL.iter().zip(&counts) {
            self.store_total("contacts", format!("status={}", status.as_str()), *n);
        }
        self.store_total("companies", String::new(), counts[ContactStatus::ALL.len()]);
        Ok(counts)
    }
}
