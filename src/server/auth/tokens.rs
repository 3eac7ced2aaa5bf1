//! Personal access tokens for the JSON API: made by their owner (shown once, kept as a hash),
//! revoked by them, and resolved to the user they act as on each API request.

use crate::domain::{token_expiry_days, Role, TokenName, TokenView, TOKEN_PREFIX};
use crate::error::{AppError, FieldErrors};
use crate::server::auth::accounts::token_hash;
use crate::server::auth::session::{now, random_token};
use crate::server::context::internal;
use crate::server::db::{CurrentUser, Db, TokenUser, TOKENS_PER_USER};

/// Characters of a token kept to tell it apart (the prefix and four more).
const HINT_CHARS: usize = TOKEN_PREFIX.len() + 4;

/// What the form to make a token sends.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    /// "read" or "write".
    pub access: String,
    /// Days until it expires ("0": never).
    pub expires: String,
}

/// Makes a token for `user`; returns it (to be shown once) and its id.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    form: &NewToken,
) -> Result<(String, i64), AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", TokenName::parse(&form.name));
    let days = errors.check("expires", token_expiry_days(&form.expires));
    let can_write = match form.access.as_str() {
        "write" if !user.role.allows(Role::Member) => {
            errors.add("access", "A viewer's tokens can only read.");
            false
        }
        "write" => true,
        "read" => false,
        _ => {
            errors.add("access", "Choose what the token may do.");
            false
        }
    };
    let (Some(name), Some(days)) = (name, days) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let hint = format!("{}…", &token[..HINT_CHARS]);
    let at = now();
    let expires_at = days.map(|d| at + i64::from(d) * 24 * 60 * 60);
    let id = db
        .create_api_token(
            user.id,
            name.as_str(),
            &token_hash(&token),
            &hint,
            can_write,
            at,
            expires_at,
        )
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "You have {TOKENS_PER_USER} tokens already: revoke one you no longer use first."
            ))
        })?;
    tracing::info!(
        user = user.id,
        token = id,
        can_write,
        "access token created"
    );
    Ok((token, id))
}

/// The tokens of `user`, newest first.
pub async fn list(db: &Db, user: &CurrentUser) -> Result<Vec<TokenView>, AppError> {
    db.api_tokens_of(user.id).await.map_err(internal)
}

/// Revokes token `id` of `user`: it stops working at once.
pub async fn revoke(db: &Db, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    if !db
        .revoke_api_token(user.id, id, now())
        .await
        .map_err(internal)?
    {
        return Err(AppError::NotFound);
    }
    tracing::info!(user = user.id, token = id, "access token revoked");
    Ok(())
}

/// Who a bearer token acts as, if it works now; its use is recorded (about once a minute).
pub async fn resolve(db: &Db, token: &str) -> Result<Option<TokenUser>, AppError> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
        return Ok(None);
    }
    let at = now();
    let found = db
        .api_token_user(&token_hash(token), at)
        .await
        .map_err(internal)?;
    if let Some(found) = &found {
        if found.last_used_at.is_none_or(|last| at - last >= 60) {
            // Bookkeeping: a busy database does not fail the request over it.
            if let Err(error) = db.touch_api_token(found.token_id, at).await {
                tracing::warn!(%error, token = found.token_id, "cannot record a token's use");
            }
        }
    }
    Ok(found)
}

/// The role a token acts with: its owner's, and no more than a viewer's when it is read-only.
pub fn acting_role(found: &TokenUser) -> Role {
    if found.can_write {
        found.user.role
    } else {
        Role::Viewer
    }
}
