//! Tasks: `/tasks` (by assignee, open or done, overdue or due this week; in due order, keyset
//! paged), a record's open tasks, one task, and writes with optimistic locking.

use super::sql::{self, Builder, Row};

use super::records::{classify, stamp, WriteError};
use super::Db;
use crate::domain::{contact_name, Due, TaskDraft, TaskView};

/// What narrows a list of tasks.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskFilter {
    pub assignee: Option<i64>,
    /// Open tasks, else done ones.
    pub open: bool,
    /// Due before this moment.
    pub due_before: Option<i64>,
    pub contact: Option<i64>,
    pub company: Option<i64>,
}

/// The sort key of tasks: their due moment, those without one last.
const DUE_KEY: &str = "coalesce(t.due_at, 9223372036854775807)";

const COLUMNS: &str = "SELECT t.id, t.version, t.title, t.due_at, t.due_time, t.assignee_id, \
     asg.name AS assignee_name, t.contact_id, c.first_name AS contact_first, \
     c.last_name AS contact_last, t.company_id, co.name AS company_name, t.done_at, \
     t.updated_at, ub.name AS updated_by_name FROM tasks t";
const JOINS: &str = " LEFT JOIN users asg ON asg.id = t.assignee_id \
     LEFT JOIN users ub ON ub.id = t.updated_by \
     LEFT JOIN contacts c ON c.id = t.contact_id AND c.deleted_at IS NULL \
     LEFT JOIN companies co ON co.id = t.company_id AND co.deleted_at IS NULL";

fn task(row: &Row) -> Result<TaskView, sqlx::Error> {
    let named = |id: &str, name: Option<String>| -> Result<Option<(i64, String)>, sqlx::Error> {
        Ok(match name {
            Some(name) => Some((row.try_get(id)?, name)),
            None => None,
        })
    };
    let contact = match row.try_get::<Option<String>, _>("contact_first")? {
        Some(first) => Some(contact_name(&first, row.try_get("contact_last")?)),
        None => None,
    };
    Ok(TaskView {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        title: row.try_get("title")?,
        due: row.try_get::<Option<i64>, _>("due_at")?.map(|at| Due {
            at,
            has_time: row.try_get::<i64, _>("due_time").unwrap_or(0) == 1,
        }),
        assignee: named("assignee_id", row.try_get("assignee_name")?)?,
        contact: named("contact_id", contact)?,
        company: named("company_id", row.try_get("company_name")?)?,
        done_at: row.try_get("done_at")?,
        updated: stamp(row, "updated_at", "updated_by_name")?,
    })
}

impl Db {
    /// Up to `limit` live tasks in due order (undated last), after `after` (the due key and id
    /// of the last task of the previous page).
    pub async fn tasks(
        &self,
        filter: TaskFilter,
        after: Option<(i64, i64)>,
        limit: u32,
    ) -> Result<Vec<TaskView>, sqlx::Error> {
        let index = if filter.contact.is_some() {
            "tasks_by_contact"
        } else if filter.company.is_some() {
            "tasks_by_company"
        } else if filter.assignee.is_some() {
            "tasks_by_assignee"
        } else {
            "tasks_by_due"
        };
        let mut q = Builder::new(COLUMNS);
        q.push(format_args!(
            " INDEXED BY {index}{JOINS} WHERE t.deleted_at IS NULL"
        ));
        if let Some(id) = filter.assignee {
            q.push(" AND t.assignee_id = ").push_bind(id);
        }
        if let Some(id) = filter.contact {
            q.push(" AND t.contact_id = ").push_bind(id);
        }
        if let Some(id) = filter.company {
            q.push(" AND t.company_id = ").push_bind(id);
        }
        q.push(if filter.open {
            " AND (t.done_at IS NOT NULL) = FALSE"
        } else {
            " AND (t.done_at IS NOT NULL) = TRUE"
        });
        if let Some(before) = filter.due_before {
            q.push(" AND t.due_at < ").push_bind(before);
        }
        // Open or done: the index's column before the due key is fixed by the filter, so the
        // order is the due key and id alone, which the index gives (naming the fixed column
        // too would make SQLite sort).
        if let Some((key, id)) = after {
            q.push(format_args!(" AND ({DUE_KEY}, t.id) > ("))
                .push_bind(key)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(format_args!(" ORDER BY {DUE_KEY}, t.id LIMIT "))
            .push_bind(i64::from(limit));
        q.build()
            .fetch_all(&mut self.conn().await?)
            .await?
            .iter()
            .map(task)
            .collect()
    }

    /// A live task.
    pub async fn task(&self, id: i64) -> Result<Option<TaskView>, sqlx::Error> {
        sql::query(&format!(
            "{COLUMNS}{JOINS} WHERE t.id = ? AND t.deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn().await?)
        .await?
        .map(|row| task(&row))
        .transpose()
    }

    pub async fn create_task(
        &self,
        draft: &TaskDraft,
        by: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        let row = sql::query(
            "INSERT INTO tasks (title, due_at, due_time, assignee_id, contact_id, company_id,
                 done_at, done_by, created_by, updated_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?7 THEN ?9 END, CASE WHEN ?7 THEN ?8 END,
                 ?8, ?8, ?9, ?9)
             RETURNING id",
        )
        .bind(&draft.title)
        .bind(draft.due.map(|d| d.at))
        .bind(draft.due.is_some_and(|d| d.has_time))
        .bind(draft.assignee_id)
        .bind(draft.contact_id)
        .bind(draft.company_id)
        .bind(draft.done)
        .bind(by)
        .bind(now)
        .fetch_one(&mut self.conn().await?)
        .await
        .map_err(classify)?;
        Ok(row.try_get(0)?)
    }

    /// Saves `draft` over task `id` if it is still at `version`. Done keeps its first moment.
    pub async fn update_task(
        &self,
        id: i64,
        version: i64,
        draft: &TaskDraft,
        by: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        let query = sql::query(
            "UPDATE tasks SET title = ?1, due_at = ?2, due_time = ?3, assignee_id = ?4,
                 contact_id = ?5, company_id = ?6,
                 done_at = CASE WHEN ?7 THEN coalesce(done_at, ?9) END,
                 done_by = CASE WHEN ?7 THEN coalesce(done_by, ?8) END,
                 updated_by = ?8, updated_at = ?9, version = version + 1
             WHERE id = ?10 AND version = ?11 AND deleted_at IS NULL",
        )
        .bind(&draft.title)
        .bind(draft.due.map(|d| d.at))
        .bind(draft.due.is_some_and(|d| d.has_time))
        .bind(draft.assignee_id)
        .bind(draft.contact_id)
        .bind(draft.company_id)
        .bind(draft.done)
        .bind(by)
        .bind(now)
        .bind(id)
        .bind(version);
        self.update_versioned(query, "tasks", id).await
    }

    /// Marks a live task done (or open again); false if it already was, or is gone.
    pub async fn set_task_done(
        &self,
        id: i64,
        done: bool,
        by: i64,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let updated = sql::query(
            "UPDATE tasks SET done_at = CASE WHEN ?1 THEN ?3 END, done_by = CASE WHEN ?1 THEN ?2 END,
                 updated_by = ?2, updated_at = ?3, version = version + 1
             WHERE id = ?4 AND deleted_at IS NULL AND (done_at IS NOT NULL) <> ?1",
        )
        .bind(done)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(updated.rows_affected() == 1)
    }
}
