//! Activities: timelines (a contact's, a company's, everyone's; newest first, keyset paged), one
//! activity, and writes with optimistic locking.

use super::sql::{self, Builder, Row};

use super::records::{classify, stamp, WriteError};
use super::Db;
use crate::domain::{contact_name, ActivityDraft, ActivityView, RecordKind};

/// Whose timeline.
#[derive(Debug, Clone, Copy)]
pub enum TimelineOf {
    Contact(i64),
    Company(i64),
    Everyone,
}

const COLUMNS: &str = "SELECT a.id, a.version, a.kind, a.subject, a.body, a.happened_at, \
     a.author_id, coalesce(au.name, '') AS author, a.contact_id, \
     c.first_name AS contact_first, c.last_name AS contact_last, \
     a.company_id, co.name AS company_name, a.updated_at, ub.name AS updated_by_name \
     FROM activities a";
/// What an activity's view joins (after `activities a` and its `INDEXED BY`, if any).
const JOINS: &str = " LEFT JOIN users au ON au.id = a.author_id \
     LEFT JOIN users ub ON ub.id = a.updated_by \
     LEFT JOIN contacts c ON c.id = a.contact_id AND c.deleted_at IS NULL \
     LEFT JOIN companies co ON co.id = a.company_id AND co.deleted_at IS NULL";

fn activity(row: &Row) -> Result<ActivityView, sqlx::Error> {
    let contact = match row.try_get::<Option<String>, _>("contact_first")? {
        Some(first) => Some((
            row.try_get("contact_id")?,
            contact_name(&first, row.try_get("contact_last")?),
        )),
        None => None,
    };
    let company = match row.try_get::<Option<String>, _>("company_name")? {
        Some(name) => Some((row.try_get("company_id")?, name)),
        None => None,
    };
    Ok(ActivityView {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        kind: row
            .try_get::<&str, _>("kind")?
            .parse()
            .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        happened_at: row.try_get("happened_at")?,
        author_id: row.try_get("author_id")?,
        author: row.try_get("author")?,
        contact,
        company,
        updated: stamp(row, "updated_at", "updated_by_name")?,
    })
}

impl Db {
    /// Up to `limit` live activities of a timeline, newest first, before `before`
    /// (`happened_at`, id of the last one of the previous page).
    pub async fn timeline(
        &self,
        of: TimelineOf,
        before: Option<(i64, i64)>,
        limit: u32,
    ) -> Result<Vec<ActivityView>, sqlx::Error> {
        let mut q = Builder::new(COLUMNS);
        let index = match of {
            TimelineOf::Contact(_) => "activities_by_contact",
            TimelineOf::Company(_) => "activities_by_company",
            TimelineOf::Everyone => "activities_recent",
        };
        q.push(format_args!(" INDEXED BY {index}{JOINS} WHERE TRUE"));
        match of {
            TimelineOf::Contact(id) => {
                q.push(" AND a.contact_id = ").push_bind(id);
            }
            TimelineOf::Company(id) => {
                q.push(" AND a.company_id = ").push_bind(id);
            }
            TimelineOf::Everyone => {}
        }
        q.push(" AND a.deleted_at IS NULL");
        if let Some((at, id)) = before {
            q.push(" AND (a.happened_at, a.id) < (")
                .push_bind(at)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(" ORDER BY a.happened_at DESC, a.id DESC LIMIT ")
            .push_bind(i64::from(limit));
        q.build()
            .fetch_all(&mut self.conn().await?)
            .await?
            .iter()
            .map(activity)
            .collect()
    }

    /// A live activity.
    pub async fn activity(&self, id: i64) -> Result<Option<ActivityView>, sqlx::Error> {
        sql::query(&format!(
            "{COLUMNS}{JOINS} WHERE a.id = ? AND a.deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn().await?)
        .await?
        .map(|row| activity(&row))
        .transpose()
    }

    /// Who logged activity `id` (in the trash or not); `None` if there is no such activity.
    pub async fn activity_author(&self, id: i64) -> Result<Option<Option<i64>>, sqlx::Error> {
        sql::query_scalar("SELECT author_id FROM activities WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut self.conn().await?)
            .await
    }

    /// The record whose page shows activity `id` (in the trash or not): its contact, else its
    /// company.
    pub async fn activity_home(&self, id: i64) -> Result<Option<(RecordKind, i64)>, sqlx::Error> {
        let row: Option<(Option<i64>, Option<i64>)> =
            sql::query_as("SELECT contact_id, company_id FROM activities WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut self.conn().await?)
                .await?;
        Ok(match row {
            Some((Some(contact), _)) => Some((RecordKind::Contact, contact)),
            Some((None, Some(company))) => Some((RecordKind::Company, company)),
            _ => None,
        })
    }

    /// Whether a live contact `id` exists, and its company.
    pub async fn live_contact_company(&self, id: i64) -> Result<Option<Option<i64>>, sqlx::Error> {
        sql::query_scalar("SELECT company_id FROM contacts WHERE id = ? AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(&mut self.conn().await?)
            .await
    }

    /// Whether a live company `id` exists.
    pub async fn is_live_company(&self, id: i64) -> Result<bool, sqlx::Error> {
        let found: Option<i64> =
            sql::query_scalar("SELECT 1 FROM companies WHERE id = ? AND deleted_at IS NULL")
                .bind(id)
                .fetch_optional(&mut self.conn().await?)
                .await?;
        Ok(found.is_some())
    }

    pub async fn create_activity(
        &self,
        draft: &ActivityDraft,
        by: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        let row = sql::query(
            "INSERT INTO activities (kind, subject, body, happened_at, contact_id, company_id,
                 author_id, updated_by, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?7, ?7, ?8, ?8) RETURNING id",
        )
        .bind(draft.kind.as_str())
        .bind(&draft.subject)
        .bind(&draft.body)
        .bind(draft.happened_at)
        .bind(draft.contact_id)
        .bind(draft.company_id)
        .bind(by)
        .bind(now)
        .fetch_one(&mut self.conn().await?)
        .await
        .map_err(classify)?;
        Ok(row.try_get(0)?)
    }

    /// Saves `draft` over activity `id` if it is still at `version`. The records it is about
    /// stay as they were.
    pub async fn update_activity(
        &self,
        id: i64,
        version: i64,
        draft: &ActivityDraft,
        by: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        let query = sql::query(
            "UPDATE activities SET kind = ?, subject = ?, body = ?, happened_at = ?,
                 updated_by = ?, updated_at = ?, version = version + 1
             WHERE id = ? AND version = ? AND deleted_at IS NULL",
        )
        .bind(draft.kind.as_str())
        .bind(&draft.subject)
        .bind(&draft.body)
        .bind(draft.happened_at)
        .bind(by)
        .bind(now)
        .bind(id)
        .bind(version);
        self.update_versioned(query, "activities", id).await
    }
}
