//! Exactly-once form submissions: a request carrying an idempotency key that this user has used
//! before gets the first request's outcome, without its effect happening again.
//!
//! Server functions wrap their effect in [`once`]. The key is claimed in the store before the
//! effect runs, so a duplicate arriving meanwhile (a double click) waits for the first one's
//! outcome. The effect runs in one transaction with the writing of its outcome: either both are
//! stored or neither, so a request cancelled after its effect committed (the client went away, the
//! timeout struck) is still answered with that outcome when the form is sent again, and one
//! cancelled or crashed before that left nothing behind and runs afresh. A failed effect (invalid
//! input, a stale edit) releases the key: it changed nothing, and the corrected form may be sent
//! again with the same key. Keys are scoped to the endpoint: the same key sent to another one is
//! refused.

use std::future::Future;
use std::time::Duration;

use serde::{de::DeserializeOwned, Serialize};
use sha2::{Digest, Sha256};

use super::auth::session;
use super::context;
use super::db::{Backend, CurrentUser, Db, KeyState};
use crate::domain::IdempotencyKey;
use crate::error::AppError;

/// How long a duplicate waits for the first request with its key to finish.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(25);
/// Keys are kept this long (seconds).
pub const KEEP_SECS: i64 = 24 * 60 * 60;

/// Runs `effect` once per `key` and user; a repeat returns the stored outcome. `request` is what
/// was asked for (the form's values, without secrets): the same key with other values, or sent to
/// another endpoint, is refused. The effect gets the handle to write through: inside the
/// transaction that also stores its outcome. Without a key (`None` or empty) the effect simply
/// runs, on the plain handle.
pub async fn once<T, Fut>(
    db: &Db,
    user: &CurrentUser,
    key: Option<String>,
    request: &impl Serialize,
    effect: impl FnOnce(Db) -> Fut,
) -> Result<T, AppError>
where
    T: Serialize + DeserializeOwned,
    Fut: Future<Output = Result<T, AppError>>,
{
    once_checked(
        db,
        user,
        key,
        request,
        || async { Ok(()) },
        |db, ()| effect(db),
    )
    .await
}

/// Like [`once`], with a `check` that runs first, outside the transaction (a repeat gets the
/// stored outcome without it): slow or separately recorded work such as verifying a password,
/// whose failed attempt must stay counted when the effect does not happen, and which must not
/// hold the database's write lock. What it returns is handed to the effect.
pub async fn once_checked<C, T, FutC, Fut>(
    db: &Db,
    user: &CurrentUser,
    key: Option<String>,
    request: &impl Serialize,
    check: impl FnOnce() -> FutC,
    effect: impl FnOnce(Db, C) -> Fut,
) -> Result<T, AppError>
where
    T: Serialize + DeserializeOwned,
    FutC: Future<Output = Result<C, AppError>>,
    Fut: Future<Output = Result<T, AppError>>,
{
    let Some(key) = IdempotencyKey::from_form(key.as_deref()).map_err(AppError::BadRequest)? else {
        let checked = check().await?;
        return effect(db.clone(), checked).await;
    };
    let hash = fingerprint(&context::endpoint(), request)?;
    if db.backend() == Backend::Postgres {
        return once_in_transaction(db, user, &key, &hash, check, effect).await;
    }
    if let Some(outcome) = claim(db, user.id, &key, &hash).await? {
        tracing::info!(
            user = user.id,
            "repeated request answered with its first outcome"
        );
        return serde_json::from_str(&outcome).map_err(context::internal);
    }
    let mut held = Claim {
        db: db.clone(),
        user_id: user.id,
        key: Some(key.clone()),
    };
    let checked = match check().await {
        Ok(checked) => checked,
        Err(error) => {
            held.release().await;
            return Err(error);
        }
    };
    let scope = db.in_transaction().await.map_err(context::internal)?;
    let result = effect(scope.db(), checked).await;
    match &result {
        Ok(value) => {
            let outcome = serde_json::to_string(value).map_err(context::internal)?;
            scope
                .db()
                .store_idempotent_outcome(user.id, key.as_str(), &outcome)
                .await
                .map_err(context::internal)?;
            // From here on the effect and its outcome are stored together, or not at all.
            scope.commit().await.map_err(context::internal)?;
            held.key = None;
        }
        // Nothing happened (the transaction is rolled back): the key is free again before the
        // answer leaves, so the corrected form can be sent at once.
        Err(_) => {
            drop(scope);
            held.release().await;
        }
    }
    result
}

/// [`once_checked`] where several instances share the database (PostgreSQL): the key is claimed
/// inside the effect's own transaction, so a claim never outlives the request that made it — an
/// instance that dies mid-effect leaves no claim behind, and the retry that a load balancer sends
/// to another instance runs afresh at once. Write transactions take turns there (the writers'
/// lock), so a key found taken belongs to a committed request, whose outcome is returned. A
/// repeat finds that outcome before running `check`.
async fn once_in_transaction<C, T, FutC, Fut>(
    db: &Db,
    user: &CurrentUser,
    key: &IdempotencyKey,
    hash: &str,
    check: impl FnOnce() -> FutC,
    effect: impl FnOnce(Db, C) -> Fut,
) -> Result<T, AppError>
where
    T: Serialize + DeserializeOwned,
    FutC: Future<Output = Result<C, AppError>>,
    Fut: Future<Output = Result<T, AppError>>,
{
    let seen = |state: KeyState| -> Result<Option<T>, AppError> {
        match state {
            KeyState::Claimed => Ok(None),
            KeyState::Seen { request_hash, .. } if request_hash != hash => Err(AppError::Conflict(
                "This form was already sent with other values. Reload the page to send it again."
                    .to_owned(),
            )),
            KeyState::Seen {
                outcome: Some(outcome),
                ..
            } => {
                tracing::info!(
                    user = user.id,
                    "repeated request answered with its first outcome"
                );
                serde_json::from_str(&outcome)
                    .map(Some)
                    .map_err(context::internal)
            }
            KeyState::Seen { outcome: None, .. } => Err(AppError::Conflict(
                "This form is still being processed. Wait a moment, then reload the page."
                    .to_owned(),
            )),
        }
    };
    if let Some(state) = db
        .idempotency_key_state(user.id, key.as_str())
        .await
        .map_err(context::internal)?
    {
        if let Some(outcome) = seen(state)? {
            return Ok(outcome);
        }
    }
    let checked = check().await?;
    let scope = db.in_transaction().await.map_err(context::internal)?;
    let state = scope
        .db()
        .claim_idempotency_key(user.id, key.as_str(), hash, session::now())
        .await
        .map_err(context::internal)?;
    if let Some(outcome) = seen(state)? {
        return Ok(outcome);
    }
    let value = effect(scope.db(), checked).await?;
    let outcome = serde_json::to_string(&value).map_err(context::internal)?;
    scope
        .db()
        .store_idempotent_outcome(user.id, key.as_str(), &outcome)
        .await
        .map_err(context::internal)?;
    scope.commit().await.map_err(context::internal)?;
    Ok(value)
}

/// Claims the key; if an earlier request holds it, waits for and returns its outcome.
async fn claim(
    db: &Db,
    user_id: i64,
    key: &IdempotencyKey,
    hash: &str,
) -> Result<Option<String>, AppError> {
    let started = std::time::Instant::now();
    loop {
        let state = db
            .claim_idempotency_key(user_id, key.as_str(), hash, session::now())
            .await
            .map_err(context::internal)?;
        match state {
            KeyState::Claimed => return Ok(None),
            KeyState::Seen { request_hash, .. } if request_hash != hash => {
                return Err(AppError::Conflict(
                    "This form was already sent with other values. Reload the page to send it again."
                        .to_owned(),
                ))
            }
            KeyState::Seen {
                outcome: Some(outcome),
                ..
            } => return Ok(Some(outcome)),
            KeyState::Seen { outcome: None, .. } if started.elapsed() < WAIT => {
                tokio::time::sleep(POLL).await
            }
            KeyState::Seen { outcome: None, .. } => {
                return Err(AppError::Conflict(
                    "This form is still being processed. Wait a moment, then reload the page."
                        .to_owned(),
                ))
            }
        }
    }
}

/// A key claimed by a request that has not stored its outcome: released when dropped, whether the
/// effect failed, panicked or was cancelled (the client went away). Releasing never touches a key
/// whose outcome was stored, so a cancellation that comes after the commit changes nothing.
struct Claim {
    db: Db,
    user_id: i64,
    key: Option<IdempotencyKey>,
}

impl Claim {
    async fn release(&mut self) {
        if let Some(key) = self.key.take() {
            if let Err(error) = self
                .db
                .release_idempotency_key(self.user_id, key.as_str())
                .await
            {
                tracing::warn!(%error, "cannot release an idempotency key");
            }
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let (db, user_id) = (self.db.clone(), self.user_id);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(error) = db.release_idempotency_key(user_id, key.as_str()).await {
                        tracing::warn!(%error, "cannot release an idempotency key");
                    }
                });
            }
        }
    }
}

/// SHA-256 (base64) of the endpoint and the request's JSON form.
fn fingerprint(endpoint: &str, request: &impl Serialize) -> Result<String, AppError> {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let json = serde_json::to_vec(&(endpoint, request)).map_err(context::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(&json)))
}
