//! The rules around customer records that need the store: reading lists from their URL state,
//! resolving a typed company, saving with optimistic locking, the trash. Server functions call
//! these after checking who is signed in.

use crate::domain::{
    CompanyDraft, CompanyInput, CompanyRow, ContactDraft, ContactInput, ContactRow, ListQuery,
    Page, RecordKind, Stamp, TRASH_DAYS,
};
use crate::error::{AppError, FieldErrors, StaleEdit};
use crate::server::context::internal;
use crate::server::db::{
    search, CompanyFilter, ContactFilter, CurrentUser, Cursor, Db, Paging, WriteError,
};

/// The id of the record a form edits: empty for a new one.
pub fn record_id(text: &str) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    id_param(text).map(Some).ok_or(AppError::NotFound)
}

fn id_param(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|id| *id > 0)
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn paging(
    query: &ListQuery,
    id: &'static str,
    key: (&'static str, bool, Option<&'static str>),
) -> Paging {
    let newest = key.0 == id;
    Paging {
        key: key.0,
        text_key: key.1,
        id,
        index: key.2,
        // Newest first unless asked otherwise.
        descending: if newest {
            query.dir != "asc"
        } else {
            query.descending()
        },
        per_page: query.per_page(),
        after: Cursor::decode(&query.after),
        before: Cursor::decode(&query.before),
    }
}

/// A list of contacts as its URL describes it. Values that make no sense (an unknown status, a
/// malformed cursor) are ignored rather than refused, so an edited link still shows a list.
pub async fn list_contacts(db: &Db, query: &ListQuery) -> Result<Page<ContactRow>, AppError> {
    let filter = ContactFilter {
        search: search::fts_query(&query.q),
        status: query.status.parse().ok(),
        tag: non_empty(&query.tag),
        owner: id_param(&query.owner),
        company: id_param(&query.company),
    };
    let sort = if query.sort.is_empty() {
        query.default_sort()
    } else {
        query.sort.as_str()
    };
    let key = match sort {
        "email" => ("c.email", true, Some("contacts_live_by_email")),
        "city" => ("c.city", true, Some("contacts_live_by_city")),
        "updated" => ("c.updated_at", false, Some("contacts_live_by_updated")),
        "newest" => ("c.id", false, None),
        _ => ("c.sort_name", true, Some("contacts_live_by_name")),
    };
    db.list_contacts(&filter, &paging(query, "c.id", key))
        .await
        .map_err(internal)
}

pub async fn list_companies(db: &Db, query: &ListQuery) -> Result<Page<CompanyRow>, AppError> {
    let filter = CompanyFilter {
        search: search::fts_query(&query.q),
        industry: non_empty(&query.industry),
        owner: id_param(&query.owner),
    };
    let sort = if query.sort.is_empty() {
        query.default_sort()
    } else {
        query.sort.as_str()
    };
    let key = match sort {
        "domain" => ("co.domain", true, Some("companies_live_by_domain")),
        "city" => ("co.city", true, Some("companies_live_by_city")),
        "updated" => ("co.updated_at", false, Some("companies_live_by_updated")),
        "newest" => ("co.id", false, None),
        _ => ("co.sort_name", true, Some("companies_live_by_name")),
    };
    db.list_companies(&filter, &paging(query, "co.id", key))
        .await
        .map_err(internal)
}

/// "30 Nov 2026, 14:05 UTC".
pub fn format_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%-d %b %Y, %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "an unknown time".into())
}

/// Checks the owner chosen in a form is an active user.
async fn check_owner(
    db: &Db,
    owner: Option<i64>,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if let Some(owner) = owner {
        let owners = db.owners().await.map_err(internal)?;
        if !owners.iter().any(|(id, _)| *id == owner) {
            errors.add("owner", "Choose one of the people listed.");
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

/// Creates (`id` = None) or updates a contact; returns its id.
pub async fn save_contact(
    db: &Db,
    user: &CurrentUser,
    id: Option<i64>,
    version: i64,
    input: &ContactInput,
    now: i64,
) -> Result<i64, AppError> {
    let (draft, mut errors) = match ContactDraft::parse(input) {
        Ok(draft) => (Some(draft), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    let company = match &draft {
        Some(draft) => resolve_company(db, &draft.company, &mut errors).await?,
        None => None,
    };
    if let Some(draft) = &draft {
        check_owner(db, draft.owner_id, &mut errors).await?;
    }
    let draft = match draft {
        Some(draft) if errors.is_empty() => draft,
        _ => return Err(AppError::Validation(errors).with_values(&input.echo())),
    };
    let written = match id {
        None => db.create_contact(&draft, company, user.id, now).await,
        Some(id) => db
            .update_contact(id, version, &draft, company, user.id, now)
            .await
            .map(|()| id),
    };
    let current = match (&written, id) {
        (Err(WriteError::Stale), Some(id)) => {
            db.contact(id).await.map_err(internal)?.map(|c| Current {
                updated: c.updated.clone(),
                version: c.version,
                values: c.input().echo(),
            })
        }
        _ => None,
    };
    settle(
        written,
        current,
        ("email", "Another contact already has this email address."),
        input.echo(),
        user,
        "contact",
    )
}

/// Creates (`id` = None) or updates a company; returns its id.
pub async fn save_company(
    db: &Db,
    user: &CurrentUser,
    id: Option<i64>,
    version: i64,
    input: &CompanyInput,
    now: i64,
) -> Result<i64, AppError> {
    let (draft, mut errors) = match CompanyDraft::parse(input) {
        Ok(draft) => (Some(draft), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    if let Some(draft) = &draft {
        check_owner(db, draft.owner_id, &mut errors).await?;
    }
    let draft = match draft {
        Some(draft) if errors.is_empty() => draft,
        _ => return Err(AppError::Validation(errors).with_values(&input.echo())),
    };
    let written = match id {
        None => db.create_company(&draft, user.id, now).await,
        Some(id) => db
            .update_company(id, version, &draft, user.id, now)
            .await
            .map(|()| id),
    };
    let current = match (&written, id) {
        (Err(WriteError::Stale), Some(id)) => {
            db.company(id).await.map_err(internal)?.map(|c| Current {
                updated: c.updated.clone(),
                version: c.version,
                values: c.input().echo(),
            })
        }
        _ => None,
    };
    settle(
        written,
        current,
        ("domain", "Another company already has this domain."),
        input.echo(),
        user,
        "company",
    )
}

/// A record as it is now, for telling a user whose save was stale what changed.
struct Current {
    updated: Stamp,
    version: i64,
    values: Vec<(&'static str, String)>,
}

/// The answer to a save: the record's id, or the error the user sees.
fn settle(
    written: Result<i64, WriteError>,
    current: Option<Current>,
    (unique_field, duplicate): (&str, &str),
    yours: Vec<(&'static str, String)>,
    user: &CurrentUser,
    what: &str,
) -> Result<i64, AppError> {
    match written {
        Ok(id) => {
            tracing::info!(user = user.id, id, "{what} saved");
            Ok(id)
        }
        Err(WriteError::Duplicate) => {
            Err(AppError::invalid(unique_field, duplicate).with_values(&yours))
        }
        Err(WriteError::Stale) => match current {
            Some(current) => Err(stale(
                current.updated.by,
                current.updated.at,
                current.version,
                current.values,
                yours,
            )),
            None => Err(AppError::NotFound),
        },
        Err(WriteError::Missing) => Err(AppError::NotFound),
        Err(WriteError::Db(error)) => Err(internal(error)),
    }
}

fn stale(
    by: String,
    at: i64,
    version: i64,
    theirs: Vec<(&'static str, String)>,
    yours: Vec<(&'static str, String)>,
) -> AppError {
    let owned = |values: Vec<(&'static str, String)>| {
        values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    };
    AppError::StaleEdit(Box::new(StaleEdit {
        by,
        at: format_time(at),
        version,
        theirs: owned(theirs),
        yours: owned(yours),
    }))
}

pub async fn trash(
    db: &Db,
    user: &CurrentUser,
    kind: RecordKind,
    id: i64,
    now: i64,
) -> Result<(), AppError> {
    if db
        .trash_record(kind, id, user.id, now)
        .await
        .map_err(internal)?
    {
        tracing::info!(user = user.id, ?kind, id, "record moved to the trash");
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn restore(
    db: &Db,
    user: &CurrentUser,
    kind: RecordKind,
    id: i64,
    now: i64,
) -> Result<(), AppError> {
    match db.restore_record(kind, id, user.id, now).await {
        Ok(()) => {
            tracing::info!(user = user.id, ?kind, id, "record restored");
            Ok(())
        }
        Err(WriteError::Duplicate) => Err(AppError::Conflict(match kind {
            RecordKind::Contact => "Another contact now has this email address: change theirs first, then restore this one.".into(),
            RecordKind::Company => "Another company now has this domain: change theirs first, then restore this one.".into(),
        })),
        Err(WriteError::Missing | WriteError::Stale) => Err(AppError::NotFound),
        Err(WriteError::Db(error)) => Err(internal(error)),
    }
}

/// Deletes for good the records that have been in the trash for [`TRASH_DAYS`].
pub async fn empty_old_trash(db: &Db, now: i64) -> anyhow::Result<u64> {
    Ok(db.empty_trash(now - TRASH_DAYS * 24 * 60 * 60).await?)
}
