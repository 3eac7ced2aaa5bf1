//! The customer records' forms for the shared save path ([`RecordForm`]): their fields, their
//! unique value and, for a contact, the company it names. Activities and tasks are in `work`.

use crate::domain::{CompanyDraft, CompanyInput, ContactDraft, ContactInput, RecordKind};
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

/// What a form is told when the contact it links to is in the trash or gone.
pub const CONTACT_GONE: &str = "This contact is in the trash or gone.";
/// What a form is told when the company it links to is in the trash or gone.
pub const COMPANY_GONE: &str = "This company is in the trash or gone.";

/// The contact and company a form links to must be live; what is wrong is said at `field`.
pub(super) async fn check_links(
    db: &Db,
    contact: Option<i64>,
    company: Option<i64>,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if let Some(contact) = contact {
        if db.live_contact_company(contact).await?.is_none() {
            errors.add(field, CONTACT_GONE);
        }
    }
    if let Some(company) = company {
        if !db.is_live_company(company).await? {
            errors.add(field, COMPANY_GONE);
        }
    }
    Ok(())
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
