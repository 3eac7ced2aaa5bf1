//! One save path for every record kind: parse the form, check what needs the store, write with
//! optimistic locking, and turn what went wrong into the error the user sees (their values kept,
//! a stale edit shown beside the current one). A kind supplies its fields through [`RecordForm`].

use serde::Serialize;

use crate::domain::{changed_fields, ChangeAction, RecordKind, Stamp};
use crate::error::{AppError, FieldErrors, StaleEdit};
use crate::server::context::{self, internal};
use crate::server::db::{CurrentUser, Db, WriteError};
use crate::server::{auth::session, idempotency};

/// A record kind's form, as the shared save path needs it.
pub trait RecordForm: Serialize + Sync {
    const KIND: RecordKind;
    /// The field whose value must be unique among live records, and what to say when it is not.
    const UNIQUE: (&'static str, &'static str);
    /// The form parsed: values that hold their rules.
    type Draft: Sync;
    /// What the checks against the store found (e.g. the company a contact names).
    type Resolved: Send;

    /// The form parsed; `now` is when it arrived.
    fn parse(&self, now: i64) -> Result<Self::Draft, FieldErrors>;
    /// The form's values by field name, to give back with an error.
    fn echo(&self) -> Vec<(&'static str, String)>;
    fn owner(draft: &Self::Draft) -> Option<i64>;
    /// Checks that need the store, adding to `errors`.
    fn resolve(
        db: &Db,
        draft: &Self::Draft,
        errors: &mut FieldErrors,
    ) -> impl std::future::Future<Output = Result<Self::Resolved, AppError>> + Send;
    fn create(
        db: &Db,
        draft: &Self::Draft,
        resolved: Self::Resolved,
        by: i64,
        now: i64,
    ) -> impl std::future::Future<Output = Result<i64, WriteError>> + Send;
    fn update(
        db: &Db,
        id: i64,
        version: i64,
        draft: &Self::Draft,
        resolved: Self::Resolved,
        by: i64,
        now: i64,
    ) -> impl std::future::Future<Output = Result<(), WriteError>> + Send;
    /// Where the user goes after saving record `id`: its page, saying so.
    fn saved_path(
        db: &Db,
        id: i64,
    ) -> impl std::future::Future<Output = Result<String, AppError>> + Send {
        let _ = db;
        async move { Ok(format!("{}?saved=1", Self::KIND.path(id))) }
    }
    /// The record as it is now, for a user whose save was stale.
    fn current(
        db: &Db,
        id: i64,
    ) -> impl std::future::Future<Output = Result<Option<Current>, sqlx::Error>> + Send;
}

/// A record as it is now: who changed it last, its version, its values by field name as the form
/// has them, and as its page shows them (for the history: an owner's name, not their id).
pub struct Current {
    pub updated: Stamp,
    pub version: i64,
    pub values: Vec<(&'static str, String)>,
    pub shown: Vec<(&'static str, String)>,
}

/// A form's save, as its server function receives it: checks the role, makes it exactly-once
/// with the form's idempotency key, and opens the saved record's page ("… saved.").
pub async fn submit<F: RecordForm>(
    id: &str,
    version: &str,
    idempotency_key: Option<String>,
    input: F,
) -> Result<(), AppError> {
    let user = context::require_role(crate::domain::Role::Member)?;
    let id = super::record_id(id)?;
    let version = version.trim().parse().unwrap_or(0);
    let db = context::db()?;
    let saved = idempotency::once(&db, &user, idempotency_key, &(id, version, &input), |db| {
        let (user, input) = (&user, &input);
        async move { save(&db, user, id, version, input, session::now()).await }
    })
    .await?;
    context::redirect(&F::saved_path(&db, saved).await?);
    Ok(())
}

/// What a write came to, inside its transaction.
enum Outcome {
    Saved(i64),
    /// Stale: the record as it is now.
    Stale(Box<Current>),
    Refused(WriteError),
}

/// Creates (`id` = None) or updates a record, and records the change in its history in the same
/// transaction; returns its id.
pub async fn save<F: RecordForm>(
    db: &Db,
    user: &CurrentUser,
    id: Option<i64>,
    version: i64,
    input: &F,
    now: i64,
) -> Result<i64, AppError> {
    if let Some(id) = id {
        super::may_change(db, user, F::KIND, id).await?;
    }
    let (draft, mut errors) = match input.parse(now) {
        Ok(draft) => (Some(draft), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    let resolved = match &draft {
        Some(draft) => {
            let resolved = F::resolve(db, draft, &mut errors).await?;
            check_owner(db, F::owner(draft), &mut errors).await?;
            Some(resolved)
        }
        None => None,
    };
    let (draft, resolved) = match (draft, resolved) {
        (Some(draft), Some(resolved)) if errors.is_empty() => (draft, resolved),
        _ => return Err(AppError::Validation(errors).with_values(&input.echo())),
    };
    let outcome = db
        .atomically(|db| async move {
            let before = match id {
                Some(id) => F::current(&db, id).await?,
                None => None,
            };
            let written = match id {
                None => F::create(&db, &draft, resolved, user.id, now).await,
                Some(id) => F::update(&db, id, version, &draft, resolved, user.id, now)
                    .await
                    .map(|()| id),
            };
            let saved = match written {
                Ok(saved) => saved,
                Err(WriteError::Db(error)) => return Err(error),
                Err(WriteError::Stale) => {
                    return Ok(match before {
                        Some(current) => Outcome::Stale(Box::new(current)),
                        None => Outcome::Refused(WriteError::Missing),
                    })
                }
                Err(refused) => return Ok(Outcome::Refused(refused)),
            };
            let after = F::current(&db, saved).await?.map(|c| c.shown);
            let before = before.map(|c| c.shown).unwrap_or_default();
            let fields = changed_fields(&before, &after.unwrap_or_default());
            let action = match id {
                None => ChangeAction::Create,
                Some(_) => ChangeAction::Edit,
            };
            // A save that changed nothing is not a change.
            if action == ChangeAction::Create || !fields.is_empty() {
                db.record_change(F::KIND, saved, action, user.id, now, &fields)
                    .await?;
            }
            Ok(Outcome::Saved(saved))
        })
        .await
        .map_err(internal)?;
    match outcome {
        Outcome::Saved(id) => {
            tracing::info!(user = user.id, id, kind = F::KIND.as_str(), "record saved");
            Ok(id)
        }
        Outcome::Refused(WriteError::Duplicate) => {
            let (field, message) = F::UNIQUE;
            Err(AppError::invalid(field, message).with_values(&input.echo()))
        }
        Outcome::Stale(current) => Err(stale(*current, input.echo())),
        Outcome::Refused(_) => Err(AppError::NotFound),
    }
}

/// Checks the owner chosen in a form is an active user.
async fn check_owner(
    db: &Db,
    owner: Option<i64>,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if let Some(owner) = owner {
        if !db.is_active_user(owner).await? {
            errors.add("owner", "Choose one of the people listed.");
        }
    }
    Ok(())
}

fn stale(current: Current, yours: Vec<(&'static str, String)>) -> AppError {
    let owned = |values: Vec<(&'static str, String)>| {
        values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    };
    AppError::StaleEdit(Box::new(StaleEdit {
        by: current.updated.by,
        at: crate::domain::full_time(current.updated.at),
        version: current.version,
        theirs: owned(current.values),
        yours: owned(yours),
    }))
}
