//! The rules around customer records that need the store: reading lists from their URL state,
//! saving with optimistic locking (`save`, one path for every kind, whose fields come from
//! `kinds`), the trash. Server functions call these after checking who is signed in.

mod kinds;
mod save;
pub mod tasks;
mod work;

pub use kinds::{COMPANY_GONE, CONTACT_GONE};
pub use save::{save, submit, Current, RecordForm};
pub use work::{activity_home, task_home};

use crate::domain::Role;
use crate::domain::{
    parse_timeline_cursor, ChangeAction, CompanyRow, ContactRow, HistoryPage, ListQuery, Page,
    RecordKind, Timeline, HISTORY_PAGE, TIMELINE_PAGE, TRASH_DAYS,
};
use crate::error::AppError;
use crate::server::context::internal;
use crate::server::db::{
    search, CompanyFilter, ContactFilter, CurrentUser, Db, HistoryFilter, TimelineOf, WriteError,
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

/// A list of contacts as its URL describes it. Values that make no sense (an unknown status, a
/// malformed cursor) are ignored rather than refused, so an edited link still shows a list.
pub async fn list_contacts(db: &Db, query: &ListQuery) -> Result<Page<ContactRow>, AppError> {
    db.list_contacts(&contact_filter(query), query)
        .await
        .map_err(internal)
}

pub async fn list_companies(db: &Db, query: &ListQuery) -> Result<Page<CompanyRow>, AppError> {
    db.list_companies(&company_filter(query), query)
        .await
        .map_err(internal)
}

/// What narrows the contacts list `query` describes.
pub fn contact_filter(query: &ListQuery) -> ContactFilter {
    ContactFilter {
        search: search::fts_query(&query.q),
        status: query.status.parse().ok(),
        // Tags match whatever the case of their ASCII letters (SQLite's NOCASE).
        tag: non_empty(&query.tag).map(|tag| tag.to_ascii_lowercase()),
        owner: id_param(&query.owner),
        company: id_param(&query.company),
    }
}

/// What narrows the companies list `query` describes.
pub fn company_filter(query: &ListQuery) -> CompanyFilter {
    CompanyFilter {
        search: search::fts_query(&query.q),
        industry: non_empty(&query.industry),
        owner: id_param(&query.owner),
    }
}

/// Whether `user` may change (edit, delete, restore) record `id`: an activity only its author
/// or an admin; other records every member (checked by the caller's role).
pub async fn may_change(
    db: &Db,
    user: &CurrentUser,
    kind: RecordKind,
    id: i64,
) -> Result<(), AppError> {
    match kind {
        RecordKind::Activity if !user.role.allows(Role::Admin) => {
            let author = db.activity_author(id).await?.ok_or(AppError::NotFound)?;
            if author == Some(user.id) {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
        _ => Ok(()),
    }
}

/// A record's name as its pages show it.
pub async fn name(db: &Db, kind: RecordKind, id: i64) -> Result<String, AppError> {
    let name = match kind {
        RecordKind::Contact => db.contact(id).await.map_err(internal)?.map(|c| c.name()),
        RecordKind::Company => db.company(id).await.map_err(internal)?.map(|c| c.name),
        RecordKind::Activity => db.activity(id).await?.map(|a| a.subject),
        RecordKind::Task => db.task(id).await?.map(|t| t.title),
    };
    name.ok_or(AppError::NotFound)
}

/// Moves a record to the trash, and records that in its history in the same transaction.
pub async fn trash(
    db: &Db,
    user: &CurrentUser,
    kind: RecordKind,
    id: i64,
    now: i64,
) -> Result<(), AppError> {
    may_change(db, user, kind, id).await?;
    let done = db
        .atomically(|db| async move {
            let done = db.trash_record(kind, id, user.id, now).await?;
            if done {
                db.record_change(kind, id, ChangeAction::Delete, user.id, now, &[])
                    .await?;
            }
            Ok::<_, sqlx::Error>(done)
        })
        .await?;
    if done {
        tracing::info!(user = user.id, ?kind, id, "record moved to the trash");
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Brings a record back from the trash, and records that in its history in the same transaction.
pub async fn restore(
    db: &Db,
    user: &CurrentUser,
    kind: RecordKind,
    id: i64,
    now: i64,
) -> Result<(), AppError> {
    may_change(db, user, kind, id).await?;
    let restored = db
        .atomically(|db| async move {
            let restored = db.restore_record(kind, id, user.id, now).await;
            if restored.is_ok() {
                db.record_change(kind, id, ChangeAction::Restore, user.id, now, &[])
                    .await?;
            }
            Ok::<_, sqlx::Error>(restored)
        })
        .await?;
    match restored {
        Ok(()) => {
            tracing::info!(user = user.id, ?kind, id, "record restored");
            Ok(())
        }
        Err(WriteError::Duplicate) => Err(AppError::Conflict(format!(
            "Another {} now has this {}: change theirs first, then restore this one.",
            kind.as_str(),
            match kind {
                RecordKind::Contact => "email address",
                _ => "domain",
            }
        ))),
        Err(WriteError::Missing | WriteError::Stale) => Err(AppError::NotFound),
        Err(WriteError::Db(error)) => Err(internal(error)),
    }
}

/// A page of history (newest first, older than the change `before`).
pub async fn history(
    db: &Db,
    filter: HistoryFilter,
    before: Option<i64>,
) -> Result<HistoryPage, AppError> {
    let mut changes = db.history(filter, before, HISTORY_PAGE + 1).await?;
    let more = changes.len() > HISTORY_PAGE as usize;
    changes.truncate(HISTORY_PAGE as usize);
    Ok(HistoryPage {
        older: more.then(|| changes.last().map(|c| c.id)).flatten(),
        changes,
        now: crate::server::auth::session::now(),
    })
}

/// A page of a record's timeline (`of`: a contact or a company), or of everyone's (None),
/// newest first, before `before` (a cursor from the previous page).
pub async fn timeline(
    db: &Db,
    user: &CurrentUser,
    of: Option<(RecordKind, i64)>,
    before: Option<&str>,
) -> Result<Timeline, AppError> {
    timeline_page(db, user, of, before, TIMELINE_PAGE).await
}

/// As [`timeline`], `limit` activities a page (the API's page sizes).
pub async fn timeline_page(
    db: &Db,
    user: &CurrentUser,
    of: Option<(RecordKind, i64)>,
    before: Option<&str>,
    limit: u32,
) -> Result<Timeline, AppError> {
    let of = match of {
        Some((RecordKind::Contact, id)) => TimelineOf::Contact(id),
        Some((RecordKind::Company, id)) => TimelineOf::Company(id),
        Some((RecordKind::Activity | RecordKind::Task, _)) => return Err(AppError::NotFound),
        None => TimelineOf::Everyone,
    };
    let before = before.and_then(parse_timeline_cursor);
    let mut entries = db.timeline(of, before, limit + 1).await?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    Ok(Timeline {
        older: more
            .then(|| {
                entries
                    .last()
                    .map(|a| format!("{}.{}", a.happened_at, a.id))
            })
            .flatten(),
        entries,
        now: crate::server::auth::session::now(),
        can_log: user.role.allows(Role::Member),
        can_change_all: user.role.allows(Role::Admin),
        me: user.id,
    })
}

/// Where a user goes after deleting a record: its list, or for an activity the page of the
/// record it is about (its timeline); both offer to undo.
pub async fn deleted_path(db: &Db, kind: RecordKind, id: i64) -> Result<String, AppError> {
    let home = match kind {
        RecordKind::Activity => db.activity_home(id).await?,
        _ => None,
    };
    Ok(match home {
        Some(home) => format!("{}?deleted={id}#timeline", home.0.path(home.1)),
        None => format!("{}?deleted={id}", kind.list_path()),
    })
}

/// Deletes for good the records that have been in the trash for [`TRASH_DAYS`].
pub async fn empty_old_trash(db: &Db, now: i64) -> anyhow::Result<u64> {
    Ok(db.empty_trash(now - TRASH_DAYS * 24 * 60 * 60).await?)
}
