//! What the record kinds (`contacts`, `companies`, `trash`) share: write errors, where a search looks,
//! the stamp of who saved a record, reading a rare filter value through its own index, telling a
//! stale write from a missing record, and the owners.

use super::sql::{self, Builder, Row};

use super::paging::{Count, NewestPage};
use super::Db;
use crate::domain::{iso_time, neutralise, RecordKind, Stamp, COUNT_LIMIT};

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A unique field (a contact's e-mail, a company's domain) is taken by a live record.
    #[error("a live record already has this value")]
    Duplicate,
    /// The record does not exist or is in the trash.
    #[error("no such record")]
    Missing,
    /// The record was saved by someone else since the form was opened.
    #[error("the record changed since it was read")]
    Stale,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub(super) fn classify(error: sqlx::Error) -> WriteError {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => WriteError::Duplicate,
        _ => WriteError::Db(error),
    }
}

/// Where a record kind's Search looks: its own search index, and the text of the live activities
/// logged on it (`activities_fts`). Every word must match within one of them: the record's fields
/// or one activity's subject and body.
pub(super) struct SearchIn {
    /// The kind's table (`contacts`) and the SQL of its id in a list query (`c.id`).
    pub table: &'static str,
    pub id: &'static str,
    /// Its search index, whose rowid is the record id.
    pub index: &'static str,
    /// The column of `activities` that links an activity to it.
    pub activity_column: &'static str,
}

impl SearchIn {
    /// Pushes ` AND {id} IN (…)`: the records matching `search`. In its own index (which holds live
    /// records only) the most recent [`SEARCH_LIMIT`] matches are considered, or only a page's worth
    /// for `newest`; through activities, the records of the most recent [`SEARCH_LIMIT`] matching
    /// activities (the list's own `deleted_at` test drops records in the trash).
    pub(super) fn push_filter(
        &self,
        q: &mut Builder<'_>,
        search: &str,
        newest: Option<NewestPage>,
    ) {
        let Self {
            table,
            id,
            index,
            activity_column: column,
        } = self;
        let below = newest.as_ref().and_then(|n| n.below);
        let rows = newest.as_ref().map(|n| n.rows);
        let limit = rows.map_or(SEARCH_LIMIT, u64::from);
        q.push(format_args!(
            " AND {id} IN (SELECT m.id FROM (SELECT id FROM (SELECT rowid AS id FROM {index} \
             WHERE {index} MATCH "
        ))
        .push_bind(sql::Param::search(search));
        if let Some(below) = below {
            q.push(" AND rowid < ").push_bind(below);
        }
        q.push(format_args!(
            " ORDER BY rowid DESC LIMIT {limit}) AS s UNION SELECT a.{column} FROM activities a \
             WHERE a.id IN (SELECT rowid FROM activities_fts WHERE activities_fts MATCH "
        ))
        .push_bind(sql::Param::search(search))
        .push(format_args!(
            " ORDER BY rowid DESC LIMIT {SEARCH_LIMIT}) AND a.{column} IS NOT NULL"
        ));
        if let Some(below) = below {
            q.push(format_args!(" AND a.{column} < ")).push_bind(below);
        }
        q.push(") m");
        // For one page newest first, only the page's ids are taken (live ones: activities may
        // belong to a record in the trash), so the list joins a page of rows, not every match.
        if let Some(rows) = rows {
            q.push(format_args!(
                " JOIN {table} live ON live.id = m.id AND live.deleted_at IS NULL \
                 ORDER BY m.id DESC LIMIT {rows}"
            ));
        }
        q.push(")");
    }

    /// Counts the live records matching a search (up to [`SEARCH_LIMIT`]); the count is shared for
    /// a few seconds by the pages and sort orders of the same search. When more activities match
    /// than are considered, the records they belong to cannot all be counted: the total is shown
    /// as "10,000+".
    pub(super) fn count(&'static self, search: Option<String>) -> Count<'static> {
        let search = search.unwrap_or_default();
        Count::Cached(
            self.table,
            format!("search:{search}"),
            Box::new(move |q| {
                let (table, alias) = (self.table, self.id.split('.').next().unwrap_or_default());
                q.push(format_args!(
                    "SELECT CASE WHEN (SELECT count(*) FROM (SELECT 1 FROM activities_fts \
                     WHERE activities_fts MATCH "
                ))
                .push_bind(sql::Param::search(&search))
                .push(format_args!(
                    " LIMIT {SEARCH_LIMIT}) AS n) >= {SEARCH_LIMIT} THEN {SEARCH_LIMIT} ELSE \
                     (SELECT count(*) FROM (SELECT 1 FROM {table} {alias} WHERE {alias}.deleted_at IS NULL"
                ));
                self.push_filter(q, &search, None);
                q.push(format_args!(" LIMIT {SEARCH_LIMIT}) AS n) END"));
            }),
        )
    }
}

/// The cells of an export's row, `columns` in order: text as it is, `…_at` times in ISO 8601,
/// `size` as digits (empty when unknown), `tags` joined by commas as the form takes them; each
/// neutralised against spreadsheet formulas.
pub(super) fn export_cells(row: &Row, columns: &[&str]) -> Result<Vec<String>, sqlx::Error> {
    columns
        .iter()
        .map(|&column| {
            let text = if column.ends_with("_at") {
                iso_time(row.try_get(column)?)
            } else if column == "size" {
                row.try_get::<Option<i64>, _>(column)?
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            } else if column == "tags" {
                serde_json::from_str::<Vec<String>>(row.try_get(column)?)
                    .map_err(|e| sqlx::Error::Decode(e.into()))?
                    .join(", ")
            } else {
                row.try_get(column)?
            };
            Ok(neutralise(&text).into_owned())
        })
        .collect()
}

/// A filter value with fewer live rows than this is read through its own index.
const RARE_BELOW: i64 = 2000;

/// Search matches considered for one list: the most recent ones, so that a query matching most
/// of a million rows still answers at once (its total shows as "10,000+").
pub(super) const SEARCH_LIMIT: u64 = COUNT_LIMIT + 1;

pub(super) fn stamp(row: &Row, at: &str, by: &str) -> Result<Stamp, sqlx::Error> {
    Ok(Stamp {
        at: row.try_get(at)?,
        by: row
            .try_get::<Option<String>, _>(by)?
            .unwrap_or_else(|| "someone".into()),
    })
}

impl Db {
    /// Whether fewer than [`RARE_BELOW`] live rows of `table` have `value` in `column` (read
    /// through `index`, at most that many entries).
    pub(super) async fn is_rare(
        &self,
        table: &str,
        index: &str,
        column: &str,
        value: sql::Param<'_>,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM {table} INDEXED BY {index} \
             WHERE {column} = ? AND deleted_at IS NULL LIMIT {RARE_BELOW}) AS n"
        );
        let seen: i64 = sql::query_scalar(&sql)
            .bind(value)
            .fetch_one(&mut self.conn().await?)
            .await?;
        Ok(seen < RARE_BELOW)
    }

    /// Runs the versioned UPDATE `query` of record `id` in `table`: done, or why not (a stale
    /// version, a record gone or in the trash, a unique value taken).
    pub(super) async fn update_versioned(
        &self,
        query: sql::Query<'_>,
        table: &str,
        id: i64,
    ) -> Result<(), WriteError> {
        let updated = query
            .execute(&mut self.conn().await?)
            .await
            .map_err(classify)?;
        if updated.rows_affected() == 1 {
            return Ok(());
        }
        self.why_not_written(table, id).await
    }

    /// After an update that changed nothing: was the record stale, or gone?
    async fn why_not_written(&self, table: &str, id: i64) -> Result<(), WriteError> {
        let live: Option<i64> = sql::query_scalar(&format!(
            "SELECT 1 FROM {table} WHERE id = ? AND deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn().await?)
        .await?;
        Err(if live.is_some() {
            WriteError::Stale
        } else {
            WriteError::Missing
        })
    }
}

pub(super) fn table_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Contact => "contacts",
        RecordKind::Company => "companies",
        RecordKind::Activity => "activities",
        RecordKind::Task => "tasks",
    }
}
