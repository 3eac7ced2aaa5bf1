//! The team's work for the shared save path ([`RecordForm`]): activities and tasks, each about a
//! live contact or company, and where the user goes after saving one.

use crate::domain::{
    ActivityDraft, ActivityInput, ActivityView, RecordKind, TaskDraft, TaskInput, TaskView,
};
use crate::error::{AppError, FieldErrors};
use crate::server::db::{Db, WriteError};

use super::kinds::check_links;
use super::save::{Current, RecordForm};

impl RecordForm for ActivityInput {
    const KIND: RecordKind = RecordKind::Activity;
    /// Nothing about an activity is unique.
    const UNIQUE: (&'static str, &'static str) = ("subject", "");
    type Draft = ActivityDraft;
    type Resolved = ();

    fn parse(&self, now: i64) -> Result<ActivityDraft, FieldErrors> {
        ActivityDraft::parse(self, now)
    }

    fn echo(&self) -> Vec<(&'static str, String)> {
        ActivityInput::echo(self)
    }

    fn owner(_: &ActivityDraft) -> Option<i64> {
        None
    }

    /// The records it is about must be live. A contact's company is the company's timeline's
    /// too; it is filled in when the activity is logged (`create`).
    async fn resolve(
        db: &Db,
        draft: &ActivityDraft,
        errors: &mut FieldErrors,
    ) -> Result<(), AppError> {
        check_links(db, draft.contact_id, draft.company_id, "subject", errors).await
    }
    async fn create(
        db: &Db,
        draft: &ActivityDraft,
        (): (),
        by: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        let mut draft = draft.clone();
        if let (Some(contact), None) = (draft.contact_id, draft.company_id) {
            draft.company_id = db.live_contact_company(contact).await?.flatten();
        }
        db.create_activity(&draft, by, now).await
    }

    async fn update(
        db: &Db,
        id: i64,
        version: i64,
        draft: &ActivityDraft,
        (): (),
        by: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        db.update_activity(id, version, draft, by, now).await
    }

    /// Back to the page of the record it is about, at its timeline.
    async fn saved_path(db: &Db, id: i64) -> Result<String, AppError> {
        let activity = db.activity(id).await?.ok_or(AppError::NotFound)?;
        Ok(format!(
            "{}?activity=saved#timeline",
            activity_home(&activity)
        ))
    }

    async fn current(db: &Db, id: i64) -> Result<Option<Current>, sqlx::Error> {
        Ok(db.activity(id).await?.map(|a| {
            let values = a.input().echo();
            let shown = values
                .iter()
                .filter(|(field, _)| !matches!(*field, "contact" | "company"))
                .map(|(field, value)| match *field {
                    "kind" => (*field, a.kind.label().to_owned()),
                    "happened_at" => (*field, crate::domain::full_time(a.happened_at)),
                    _ => (*field, value.clone()),
                })
                .collect();
            Current {
                values,
                shown,
                updated: a.updated,
                version: a.version,
            }
        }))
    }
}

impl RecordForm for TaskInput {
    const KIND: RecordKind = RecordKind::Task;
    /// Nothing about a task is unique.
    const UNIQUE: (&'static str, &'static str) = ("title", "");
    type Draft = TaskDraft;
    type Resolved = ();

    fn parse(&self, _: i64) -> Result<TaskDraft, FieldErrors> {
        TaskDraft::parse(self)
    }

    fn echo(&self) -> Vec<(&'static str, String)> {
        TaskInput::echo(self)
    }

    fn owner(_: &TaskDraft) -> Option<i64> {
        None
    }

    /// The assignee must be an active user; the records it is about, live.
    async fn resolve(db: &Db, draft: &TaskDraft, errors: &mut FieldErrors) -> Result<(), AppError> {
        if let Some(assignee) = draft.assignee_id {
            if !db.is_active_user(assignee).await? {
                errors.add("assignee", "Choose one of the people listed.");
            }
        }
        check_links(db, draft.contact_id, draft.company_id, "title", errors).await
    }

    async fn create(
        db: &Db,
        draft: &TaskDraft,
        (): (),
        by: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        db.create_task(draft, by, now).await
    }

    async fn update(
        db: &Db,
        id: i64,
        version: i64,
        draft: &TaskDraft,
        (): (),
        by: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        db.update_task(id, version, draft, by, now).await
    }

    /// Back to the page of the record it is about, at its tasks; else to `/tasks`.
    async fn saved_path(db: &Db, id: i64) -> Result<String, AppError> {
        let task = db.task(id).await?.ok_or(AppError::NotFound)?;
        Ok(task_home(&task))
    }

    async fn current(db: &Db, id: i64) -> Result<Option<Current>, sqlx::Error> {
        Ok(db.task(id).await?.map(|t| {
            let values = t.input().echo();
            let name =
                |r: &Option<(i64, String)>| r.as_ref().map(|r| r.1.clone()).unwrap_or_default();
            let shown = vec![
                ("title", t.title.clone()),
                ("due_date", t.due.map(|d| d.describe()).unwrap_or_default()),
                ("assignee", name(&t.assignee)),
                ("contact", name(&t.contact)),
                ("company", name(&t.company)),
                (
                    "done",
                    if t.done_at.is_some() { "Yes" } else { "No" }.to_owned(),
                ),
            ];
            Current {
                values,
                shown,
                updated: t.updated,
                version: t.version,
            }
        }))
    }
}

/// Where a user goes after saving a task: the page of the record it is about (its tasks),
/// else `/tasks`.
pub fn task_home(task: &TaskView) -> String {
    match (&task.contact, &task.company) {
        (Some((id, _)), _) => format!("{}?task=saved#tasks", RecordKind::Contact.path(*id)),
        (None, Some((id, _))) => format!("{}?task=saved#tasks", RecordKind::Company.path(*id)),
        (None, None) => format!("{}?saved=1", RecordKind::Task.list_path()),
    }
}

/// The page of the record an activity is about: its contact's, else its company's.
pub fn activity_home(activity: &ActivityView) -> String {
    match (&activity.contact, &activity.company) {
        (Some((id, _)), _) => RecordKind::Contact.path(*id),
        (None, Some((id, _))) => RecordKind::Company.path(*id),
        (None, None) => RecordKind::Activity.list_path().to_owned(),
    }
}
