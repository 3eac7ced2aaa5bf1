//! The record kinds' forms for the shared save path ([`RecordForm`]): their fields, their unique
//! value and, for a contact, the company it names.

use crate::domain::{
    ActivityDraft, ActivityInput, ActivityView, CompanyDraft, CompanyInput, ContactDraft,
    ContactInput, RecordKind, TaskDraft, TaskInput, TaskView,
};
use crate::error::{AppError, FieldErrors};
use crate::server::context::internal;
use crate::server::db::{Db, WriteError};

use super::save::{Current, RecordForm};

impl RecordForm for ContactInput {
    const KIND: RecordKind = RecordKind::Contact;
    const UNIQUE: (&'static str, &'static str) =
        ("email", "Another contact already has this email address.");
    type Draft = ContactDraft;
    /// The company the form names.
    type Resolved = Option<i64>;

    fn parse(&self, _: i64) -> Result<ContactDraft, FieldErrors> {
        ContactDraft::parse(self)
    }

    fn echo(&self) -> Vec<(&'static str, String)> {
        ContactInput::echo(self)
    }

    fn owner(draft: &ContactDraft) -> Option<i64> {
        draft.owner_id
    }

    async fn resolve(
        db: &Db,
        draft: &ContactDraft,
        errors: &mut FieldErrors,
    ) -> Result<Option<i64>, AppError> {
        resolve_company(db, &draft.company, errors).await
    }

    async fn create(
        db: &Db,
        draft: &ContactDraft,
        company: Option<i64>,
        by: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        db.create_contact(draft, company, by, now).await
    }

    async fn update(
        db: &Db,
        id: i64,
        version: i64,
        draft: &ContactDraft,
        company: Option<i64>,
        by: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        db.update_contact(id, version, draft, company, by, now)
            .await
    }

    async fn current(db: &Db, id: i64) -> Result<Option<Current>, sqlx::Error> {
        Ok(db.contact(id).await?.map(|c| {
            let values = c.input().echo();
            let shown = values
                .iter()
                .map(|(field, value)| {
                    let value = match *field {
                        "status" => c.status.label().to_owned(),
                        "owner" => c.owner_name.clone(),
                        _ => value.clone(),
                    };
                    (*field, value)
                })
                .collect();
            Current {
                values,
                shown,
                updated: c.updated,
                version: c.version,
            }
        }))
    }
}

impl RecordForm for CompanyInput {
    const KIND: RecordKind = RecordKind::Company;
    const UNIQUE: (&'static str, &'static str) =
        ("domain", "Another company already has this domain.");
    type Draft = CompanyDraft;
    type Resolved = ();

    fn parse(&self, _: i64) -> Result<CompanyDraft, FieldErrors> {
        CompanyDraft::parse(self)
    }

    fn echo(&self) -> Vec<(&'static str, String)> {
        CompanyInput::echo(self)
    }

    fn owner(draft: &CompanyDraft) -> Option<i64> {
        draft.owner_id
    }

    async fn resolve(_: &Db, _: &CompanyDraft, _: &mut FieldErrors) -> Result<(), AppError> {
        Ok(())
    }

    async fn create(
        db: &Db,
        draft: &CompanyDraft,
        (): (),
        by: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        db.create_company(draft, by, now).await
    }

    async fn update(
        db: &Db,
        id: i64,
        version: i64,
        draft: &CompanyDraft,
        (): (),
        by: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        db.update_company(id, version, draft, by, now).await
    }

    async fn current(db: &Db, id: i64) -> Result<Option<Current>, sqlx::Error> {
        Ok(db.company(id).await?.map(|c| {
            let values = c.input().echo();
            let shown = values
                .iter()
                .map(|(field, value)| match *field {
                    "owner" => (*field, c.owner_name.clone()),
                    _ => (*field, value.clone()),
                })
                .collect();
            Current {
                values,
                shown,
                updated: c.updated,
                version: c.version,
            }
        }))
    }
}

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
            if !db.owners().await?.iter().any(|(id, _)| *id == assignee) {
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

/// The contact and company a form links to must be live; what is wrong is said at `field`.
async fn check_links(
    db: &Db,
    contact: Option<i64>,
    company: Option<i64>,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if let Some(contact) = contact {
        if db.live_contact_company(contact).await?.is_none() {
            errors.add(field, "This contact is in the trash or gone.");
        }
    }
    if let Some(company) = company {
        if !db.is_live_company(company).await? {
            errors.add(field, "This company is in the trash or gone.");
        }
    }
    Ok(())
}

/// The page of the record an activity is about: its contact's, else its company's.
pub fn activity_home(activity: &ActivityView) -> String {
    match (&activity.contact, &activity.company) {
        (Some((id, _)), _) => RecordKind::Contact.path(*id),
        (None, Some((id, _))) => RecordKind::Company.path(*id),
        (None, None) => RecordKind::Activity.list_path().to_owned(),
    }
}

/// The company a contact form names (by name or domain), if any.
async fn resolve_company(
    db: &Db,
    typed: &str,
    errors: &mut FieldErrors,
) -> Result<Option<i64>, AppError> {
    if typed.is_empty() {
        return Ok(None);
    }
    let found = db.find_companies(typed).await.map_err(internal)?;
    match found.as_slice() {
        [] => {
            errors.add(
                "company",
                format!(
                    "There is no company called “{typed}”. Create it first, or leave this empty."
                ),
            );
            Ok(None)
        }
        [one] => Ok(Some(one.id)),
        several => {
            let domains: Vec<&str> = several
                .iter()
                .map(|c| c.domain.as_str())
                .filter(|d| !d.is_empty())
                .collect();
            errors.add(
                "company",
                if domains.is_empty() {
                    format!("Several companies are called “{typed}”: give one of them a domain, then type it here.")
                } else {
                    format!(
                        "Several companies are called “{typed}”: type the domain of the one you mean ({}).",
                        domains.join(", ")
                    )
                },
            );
            Ok(None)
        }
    }
}
