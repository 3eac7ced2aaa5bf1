//! The rules of accounts: who may register, profile and password changes, roles, invitations.
//! (Signing in and its limits are in `sign_in`.) Server functions call these; all SQL is in
//! `server::db`.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::password::{self, NewPassword};
use super::session::{self, now, Client};
use super::sign_in;
use crate::domain::{Email, InvitationStatus, PersonName, RegistrationInfo, Role};
use crate::error::{AppError, FieldErrors};
use crate::server::context::internal;
use crate::server::db::{CurrentUser, Db, RoleChange, WriteUserError};

/// Why a registration without an invitation is refused.
const INVITATION_ONLY: &str = "Joining is by invitation only. Ask an administrator for an invitation link (to set up a new server, open the setup link printed in its log).";

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
    /// Whether someone on the server's own machine may create the first account without the
    /// setup link. Off behind a reverse proxy (`--public-url` or `--trusted-proxies` set): a
    /// proxy that adds no forwarding header and rewrites `Host` makes every visitor look local.
    pub local_setup: bool,
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
    let first_account =
        policy.may_set_up(client, setup_token) && db.count_users().await.map_err(internal)? == 0;
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
        invitation: status,
        open: policy.open,
    })
}

impl RegistrationPolicy {
    /// Whether `client` may create the first account: from the server's own machine (unless
    /// behind a proxy), or with the setup token.
    fn may_set_up(&self, client: &Client, setup_token: Option<&str>) -> bool {
        (client.loopback && self.local_setup)
            || setup_token
                .is_some_and(|t| constant_time_eq(t.as_bytes(), self.setup_token.as_bytes()))
    }
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
        // Refused in the same words as a closed workspace: nobody learns that none is set up.
        if !policy.may_set_up(client, form.setup_token.as_deref()) {
            return Err(AppError::Conflict(INVITATION_ONLY.into()));
        }
    } else if invitation.is_none() && !policy.open {
        return Err(AppError::Conflict(INVITATION_ONLY.into()));
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

/// A profile change whose fields are valid and whose current password was verified.
#[derive(Debug)]
pub struct ProfileChange {
    name: PersonName,
    email: Email,
}

/// Checks a profile change: the fields, and the current password (a throttled attempt).
pub async fn check_profile_change(
    db: &Db,
    user: &CurrentUser,
    client: &Client,
    name: &str,
    email: &str,
    current_password: SecretString,
) -> Result<ProfileChange, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", PersonName::parse(name));
    let email = errors.check("email", Email::parse(email));
    sign_in::check_current_password(db, user, client, current_password, &mut errors).await?;
    match (name, email) {
        (Some(name), Some(email)) if errors.is_empty() => Ok(ProfileChange { name, email }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Changes the signed-in user's name and e-mail address (checked by [`check_profile_change`]).
pub async fn update_profile(
    db: &Db,
    user: &CurrentUser,
    change: &ProfileChange,
) -> Result<(), AppError> {
    match db
        .update_profile(user.id, change.name.as_str(), &change.email, now())
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

/// A new password, hashed, for a user whose current password was verified.
pub struct PasswordChange {
    hash: String,
}

/// Checks a password change: the rules for the new password, and the current password (a
/// throttled attempt); then hashes the new one.
pub async fn check_password_change(
    db: &Db,
    user: &CurrentUser,
    client: &Client,
    current_password: SecretString,
    new_password: SecretString,
) -> Result<PasswordChange, AppError> {
    let mut errors = FieldErrors::new();
    let new_password = errors.check("new_password", NewPassword::parse(new_password));
    sign_in::check_current_password(db, user, client, current_password, &mut errors).await?;
    let Some(new_password) = new_password.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    Ok(PasswordChange {
        hash: password::hash(new_password).await?,
    })
}

/// Sets the signed-in user's new password (checked by [`check_password_change`]) and ends every
/// other session of theirs.
pub async fn change_password(
    db: &Db,
    user: &CurrentUser,
    change: &PasswordChange,
) -> Result<u64, AppError> {
    db.set_password_hash(user.id, &change.hash, now())
        .await
        .map_err(internal)?;
    let ended = db
        .delete_other_sessions(user.id, Some(&user.session_id))
        .await
        .map_err(internal)?;
    tracing::info!(user = user.id, ended, "password changed");
    Ok(ended)
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
    match db
        .set_active(user_id, active, now())
        .await
        .map_err(internal)?
    {
        RoleChange::Changed => {}
        RoleChange::NotFound => return Err(AppError::NotFound),
        RoleChange::LastAdmin => {
            return Err(AppError::Conflict(
                "This is the only active administrator: make someone else an administrator first."
                    .into(),
            ))
        }
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

pub(crate) fn token_hash(token: &str) -> String {
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
