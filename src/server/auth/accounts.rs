//! The rules of accounts: who may register, signing in (with throttling and uniform failures),
//! profile and password changes, roles, invitations. Server functions call these; all SQL is in
//! `server::db`.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use super::password::{self, NewPassword};
use super::session::{self, now, Client};
use crate::domain::{Email, InvitationStatus, PersonName, RegistrationInfo, Role};
use crate::error::{AppError, FieldErrors};
use crate::server::context::internal;
use crate::server::db::{CurrentUser, Db, RoleChange, WriteUserError};

/// Failed password checks allowed within [`THROTTLE_WINDOW_SECS`] for one account from one
/// address, and for one address whatever the account. Failures from elsewhere never lock an
/// account's owner out: they only slow attempts on it down ([`SLOW_DOWN_AFTER`]).
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
pub const MAX_FAILURES_PER_IP: i64 = 50;
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;
/// Past this many failures for an account from anywhere in the window, each check of its
/// password waits [`SLOW_DOWN_STEP`] longer per further failure, up to [`SLOW_DOWN_MAX`].
pub const SLOW_DOWN_AFTER: i64 = 10;
const SLOW_DOWN_STEP: std::time::Duration = std::time::Duration::from_millis(200);
const SLOW_DOWN_MAX: std::time::Duration = std::time::Duration::from_secs(3);
/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

/// Who may create an account when some already exist.
#[derive(Debug, Clone)]
pub struct RegistrationPolicy {
    /// Anyone may register (as a member) without an invitation.
    pub open: bool,
    /// While no account exists: the token that allows creating the first one from a non-loopback
    /// client (printed in the server log at start-up).
    pub setup_token: Arc<str>,
}

/// What the registration page shows before the form is filled in. Whether the instance has no
/// account yet is told only to someone who may create the first one (on the server's own
/// machine, or holding the setup link).
pub async fn registration_info(
    db: &Db,
    policy: &RegistrationPolicy,
    client: &Client,
    invitation: Option<&str>,
    setup_token: Option<&str>,
) -> Result<RegistrationInfo, AppError> {
    let may_set_up = client.loopback || setup_token.is_some_and(|t| is_setup_token(policy, t));
    let first_account = may_set_up && db.count_users().await.map_err(internal)? == 0;
    let status = match invitation.filter(|t| !t.is_empty()) {
        Some(token) if !first_account => Some(
            db.invitation_status(&token_hash(token), now())
                .await
                .map_err(internal)?
                .unwrap_or(InvitationStatus::Unknown),
        ),
        _ => None,
    };
    Ok(RegistrationInfo {
        first_account,
        invited_as: match status {
            Some(InvitationStatus::Open(role)) => Some(role),
            _ => None,
        },
        invitation_unusable: status.filter(|s| !matches!(s, InvitationStatus::Open(_))),
        open: policy.open,
    })
}

fn is_setup_token(policy: &RegistrationPolicy, token: &str) -> bool {
    constant_time_eq(token.as_bytes(), policy.setup_token.as_bytes())
}

/// What the registration form sends.
#[derive(Debug, Clone)]
pub struct Registration {
    pub name: String,
    pub email: String,
    pub password: SecretString,
    pub invitation: Option<String>,
    pub setup_token: Option<String>,
}

/// Validates a registration and creates the account: the first one as administrator (from
/// loopback or with the setup token), later ones through an invitation (with its role) or, with
/// open registration, as members. Returns the new user's id.
pub async fn register(
    db: &Db,
    policy: &RegistrationPolicy,
    client: &Client,
    form: Registration,
) -> Result<i64, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", PersonName::parse(&form.name));
    let email = errors.check("email", Email::parse(&form.email));
    let new_password = errors.check("password", NewPassword::parse(form.password));
    let (Some(name), Some(email), Some(new_password)) = (name, email, new_password) else {
        return Err(AppError::Validation(errors));
    };

    let first = db.count_users().await.map_err(internal)? == 0;
    let invitation = match (&form.invitation, first) {
        (Some(token), false) if !token.is_empty() => {
            let hash = token_hash(token);
            match db.open_invitation(&hash, now()).await.map_err(internal)? {
                Some(open) => Some(open),
                None => {
                    let status = db
                        .invitation_status(&hash, now())
                        .await
                        .map_err(internal)?
                        .unwrap_or(InvitationStatus::Unknown);
                    return Err(AppError::Conflict(status.explanation().into()));
                }
            }
        }
        _ => None,
    };
    if first {
        let token_ok = form
            .setup_token
            .as_deref()
            .is_some_and(|t| is_setup_token(policy, t));
        if !client.loopback && !token_ok {
            return Err(AppError::Conflict(
                "The first account can only be created from the server itself, or with the setup link printed in the server's log."
                    .into(),
            ));
        }
    } else if invitation.is_none() && !policy.open {
        return Err(AppError::Conflict(
            "Joining is by invitation only. Ask an administrator for an invitation link.".into(),
        ));
    }

    let hash = password::hash(new_password).await?;
    let created = if first {
        db.create_first_user(&email, name.as_str(), &hash, now())
            .await
    } else {
        let role = invitation.as_ref().map_or(Role::Member, |i| i.role);
        db.create_user(
            &email,
            name.as_str(),
            &hash,
            role,
            invitation.map(|i| i.id),
            now(),
        )
        .await
    };
    match created {
        Ok(Some(id)) => {
            tracing::info!(user = id, email = %email, first, "account created");
            Ok(id)
        }
        Ok(None) if first => Err(AppError::Conflict(
            "Someone created the first account a moment ago. Sign in, or ask them for an invitation.".into(),
        )),
        Ok(None) => Err(AppError::Conflict(
            "This invitation link has expired or was already used. Ask an administrator for a new one.".into(),
        )),
        Err(WriteUserError::EmailTaken) => Err(AppError::invalid(
            "email",
            "An account with this email address already exists. Sign in instead.",
        )),
        Err(WriteUserError::Db(e)) => Err(internal(e)),
    }
}

/// Checks the e-mail and password and signs the browser in. Every attempt is logged (never the
/// password); failures look the same whether or not the account exists, and cost the same work.
/// Anything that is not an e-mail address is refused before it is stored or logged.
pub async fn sign_in(
    db: &Db,
    session: &Session,
    client: &Client,
    email: &str,
    password: SecretString,
) -> Result<i64, AppError> {
    let email = Email::parse(email).map_err(|message| AppError::invalid("email", message))?;
    let account = email.as_str();
    let user = db.find_user_by_email(account).await.map_err(internal)?;
    let stored = user
        .as_ref()
        .filter(|u| u.active)
        .map(|u| u.password_hash.clone());
    let valid = checked(db, account, client, password, stored).await?;
    let user = match user {
        Some(user) if valid => user,
        _ => {
            tracing::warn!(outcome = "failure", account, ip = %client.ip, "sign-in failed");
            return Err(AppError::InvalidCredentials);
        }
    };
    session::establish(db, session, user.id, client)
        .await
        .map_err(internal)?;
    tracing::info!(outcome = "success", account, ip = %client.ip, user = user.id, "signed in");
    Ok(user.id)
}

/// Checks `password` against `stored` (None: no such account) for `account`, as one throttled
/// attempt from `client`: the attempt is reserved before the check, so a burst is refused past
/// the limit however many arrive at once; an account under attack from elsewhere is only slowed.
async fn checked(
    db: &Db,
    account: &str,
    client: &Client,
    password: SecretString,
    stored: Option<String>,
) -> Result<bool, AppError> {
    let ip = session::throttle_key(client.ip);
    let at = now();
    let since = at - THROTTLE_WINDOW_SECS;
    let reserved = db
        .reserve_sign_in(
            account,
            &ip,
            at,
            since,
            MAX_FAILURES_PER_ACCOUNT,
            MAX_FAILURES_PER_IP,
        )
        .await
        .map_err(internal)?;
    let failures = db
        .recent_failures(account, &ip, since)
        .await
        .map_err(internal)?;
    let Some(attempt) = reserved else {
        let limited = if failures.pair.count >= MAX_FAILURES_PER_ACCOUNT {
            failures.pair
        } else {
            failures.address
        };
        let until = limited.oldest.unwrap_or(at) + THROTTLE_WINDOW_SECS;
        let minutes = u32::try_from(((until - at).max(1) + 59) / 60).unwrap_or(15);
        tracing::warn!(outcome = "throttled", account, %ip, "password check refused");
        return Err(AppError::TooManyAttempts { minutes });
    };
    // This attempt is among the account's failures until it succeeds.
    let beyond = failures.account.count - SLOW_DOWN_AFTER;
    if beyond > 0 {
        let delay = SLOW_DOWN_STEP
            .saturating_mul(u32::try_from(beyond).unwrap_or(u32::MAX))
            .min(SLOW_DOWN_MAX);
        tokio::time::sleep(delay).await;
    }
    let valid = match password::verify(password, stored).await {
        Ok(valid) => valid,
        Err(error) => {
            // Not evaluated: it does not count against anyone.
            if let Err(e) = db.settle_sign_in(attempt, None).await {
                tracing::warn!(error = %e, "cannot release a sign-in attempt");
            }
            return Err(error.into());
        }
    };
    db.settle_sign_in(attempt, Some(valid))
        .await
        .map_err(internal)?;
    Ok(valid)
}

/// Changes the signed-in user's name and e-mail address; needs the current password.
pub async fn update_profile(
    db: &Db,
    user: &CurrentUser,
    client: &Client,
    name: &str,
    email: &str,
    current_password: SecretString,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", PersonName::parse(name));
    let email = errors.check("email", Email::parse(email));
    check_current_password(db, user, client, current_password, &mut errors).await?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match db
        .update_profile(user.id, name.as_str(), &email, now())
        .await
    {
        Ok(()) => Ok(()),
        Err(WriteUserError::EmailTaken) => Err(AppError::invalid(
            "email",
            "Another account already uses this email address.",
        )),
        Err(WriteUserError::Db(e)) => Err(internal(e)),
    }
}

/// Changes the signed-in user's password and ends every other session of theirs.
pub async fn change_password(
    db: &Db,
    user: &CurrentUser,
    client: &Client,
    current_password: SecretString,
    new_password: SecretString,
) -> Result<u64, AppError> {
    let mut errors = FieldErrors::new();
    let new_password = errors.check("new_password", NewPassword::parse(new_password));
    check_current_password(db, user, client, current_password, &mut errors).await?;
    let Some(new_password) = new_password.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let hash = password::hash(new_password).await?;
    db.set_password_hash(user.id, &hash, now())
        .await
        .map_err(internal)?;
    let ended = db
        .delete_other_sessions(user.id, Some(&user.session_id))
        .await
        .map_err(internal)?;
    tracing::info!(user = user.id, ended, "password changed");
    Ok(ended)
}

/// Checks the signed-in user's current password, throttled like a sign-in (someone holding a
/// stolen session cookie cannot guess it faster than they could sign in).
async fn check_current_password(
    db: &Db,
    user: &CurrentUser,
    client: &Client,
    current_password: SecretString,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if current_password.expose_secret().is_empty() {
        errors.add("current_password", "Enter your current password.");
        return Ok(());
    }
    let stored = db
        .find_user(user.id)
        .await
        .map_err(internal)?
        .map(|u| u.password_hash);
    if !checked(db, &user.email, client, current_password, stored).await? {
        tracing::warn!(user = user.id, ip = %client.ip, "current password check failed");
        errors.add("current_password", "The current password is not correct.");
    }
    Ok(())
}

/// Changes a user's role. The last active administrator cannot stop being one.
pub async fn change_role(
    db: &Db,
    admin: &CurrentUser,
    user_id: i64,
    role: Role,
) -> Result<(), AppError> {
    require(admin, Role::Admin)?;
    match db.set_role(user_id, role, now()).await.map_err(internal)? {
        RoleChange::Changed => {
            tracing::info!(by = admin.id, user = user_id, role = %role, "role changed");
            Ok(())
        }
        RoleChange::NotFound => Err(AppError::NotFound),
        RoleChange::LastAdmin if user_id == admin.id => Err(AppError::Conflict(
            "You are the only administrator: make someone else an administrator first.".into(),
        )),
        RoleChange::LastAdmin => Err(AppError::Conflict(
            "This is the only active administrator: make someone else an administrator first."
                .into(),
        )),
    }
}

/// Deactivates (ending all their sessions) or reactivates a user.
pub async fn set_active(
    db: &Db,
    admin: &CurrentUser,
    user_id: i64,
    active: bool,
) -> Result<(), AppError> {
    require(admin, Role::Admin)?;
    if user_id == admin.id && !active {
        return Err(AppError::Conflict(
            "You cannot deactivate your own account.".into(),
        ));
    }
    if !db
        .set_active(user_id, active, now())
        .await
        .map_err(internal)?
    {
        return Err(AppError::NotFound);
    }
    tracing::info!(
        by = admin.id,
        user = user_id,
        active,
        "account activation changed"
    );
    Ok(())
}

/// Creates a single-use invitation for `role`; returns the secret token for the link (only its
/// hash is stored) and the invitation's id.
pub async fn invite(db: &Db, admin: &CurrentUser, role: Role) -> Result<(String, i64), AppError> {
    require(admin, Role::Admin)?;
    let token = session::random_token();
    let at = now();
    let expires_at = at + INVITATION_DAYS * 24 * 60 * 60;
    let id = db
        .create_invitation(&token_hash(&token), role, admin.id, at, expires_at)
        .await
        .map_err(internal)?;
    tracing::info!(by = admin.id, invitation = id, role = %role, "invitation created");
    Ok((token, id))
}

/// Withdraws an unused invitation: its link stops working at once.
pub async fn revoke_invitation(db: &Db, admin: &CurrentUser, id: i64) -> Result<(), AppError> {
    require(admin, Role::Admin)?;
    if !db.revoke_invitation(id, now()).await.map_err(internal)? {
        return Err(AppError::NotFound);
    }
    tracing::info!(by = admin.id, invitation = id, "invitation revoked");
    Ok(())
}

/// Fails with [`AppError::Forbidden`] unless `user`'s role includes `role`.
pub fn require(user: &CurrentUser, role: Role) -> Result<(), AppError> {
    if user.role.allows(role) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hashes_are_stable_and_distinct() {
        assert_eq!(token_hash("abc"), token_hash("abc"));
        assert_ne!(token_hash("abc"), token_hash("abd"));
        assert!(!token_hash("abc").contains("abc"));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secrets"));
    }
}
