//! Users, their sign-in sessions, sign-in attempts and invitations.

use sqlx::Row;

use super::Db;
use crate::domain::{Email, Role, SessionView, UserView};

/// A user as stored, with the password hash (never sent to a client).
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub password_hash: String,
}

/// The signed-in user behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The `auth_sessions` row this request is signed in with.
    pub session_id: String,
}

/// A signed-in user as found from their session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: CurrentUser,
    /// The user's role differs from the one the session was granted with.
    pub role_changed: bool,
    /// The session's last-seen time was brought up to date (about once a minute of activity).
    pub touched: bool,
}

impl CurrentUser {
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            active: true,
        }
    }
}

/// The e-mail address already belongs to another account.
#[derive(Debug, thiserror::Error)]
pub enum WriteUserError {
    #[error("email address already taken")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn classify(error: sqlx::Error) -> WriteUserError {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => WriteUserError::EmailTaken,
        _ => WriteUserError::Db(error),
    }
}

fn role_of(text: &str) -> Result<Role, sqlx::Error> {
    text.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: role_of(row.try_get("role")?)?,
        active: row.try_get("active")?,
        password_hash: row.try_get("password_hash")?,
    })
}

/// Counts of recent failed sign-ins, with the time of the oldest one in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub oldest: Option<i64>,
}

/// An invitation that can still be accepted.
#[derive(Debug, Clone)]
pub struct OpenInvitation {
    pub id: i64,
    pub role: Role,
    pub expires_at: i64,
}

const USER_COLUMNS: &str = "id, email, name, role, active, password_hash";

impl Db {
    pub async fn count_users(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(self.pool())
            .await
    }

    /// Creates a user; when `invitation` is given it is marked accepted in the same transaction
    /// (and the user is not created if it was accepted meanwhile).
    pub async fn create_user(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
        role: Role,
        invitation: Option<i64>,
        now: i64,
    ) -> Result<Option<i64>, WriteUserError> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        if let Some(invitation) = invitation {
            let accepted = sqlx::query(
                "UPDATE invitations SET accepted_at = ?, accepted_by = ?
                 WHERE id = ? AND accepted_at IS NULL AND expires_at > ?",
            )
            .bind(now)
            .bind(id)
            .bind(invitation)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if accepted.rows_affected() != 1 {
                return Ok(None);
            }
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Creates the first user, only while there is none (the check and the insert are atomic).
    pub async fn create_first_user(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, WriteUserError> {
        sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
             SELECT ?, ?, ?, 'admin', ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)
             RETURNING id",
        )
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(now)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(classify)
    }

    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<UserRecord>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?"))
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn find_user(&self, id: i64) -> Result<Option<UserRecord>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<UserView>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY lower(name), id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let user = user_from_row(row)?;
                Ok(UserView {
                    id: user.id,
                    email: user.email,
                    name: user.name,
                    role: user.role,
                    active: user.active,
                })
            })
            .collect()
    }

    pub async fn update_profile(
        &self,
        id: i64,
        name: &str,
        email: &Email,
        now: i64,
    ) -> Result<(), WriteUserError> {
        sqlx::query("UPDATE users SET name = ?, email = ?, updated_at = ? WHERE id = ?")
            .bind(name)
            .bind(email.as_str())
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(classify)?;
        Ok(())
    }

    pub async fn set_password_hash(
        &self,
        id: i64,
        hash: &str,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
            .bind(hash)
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_role(&self, id: i64, role: Role, now: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE users SET role = ?, updated_at = ? WHERE id = ?")
            .bind(role.as_str())
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Activates or deactivates a user; deactivating also ends all of the user's sessions.
    pub async fn set_active(&self, id: i64, active: bool, now: i64) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query("UPDATE users SET active = ?, updated_at = ? WHERE id = ?")
            .bind(active)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM auth_sessions WHERE user_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Number of active administrators other than `except`.
    pub async fn count_other_active_admins(&self, except: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active AND id <> ?")
            .bind(except)
            .fetch_one(self.pool())
            .await
    }

    // --- sessions -------------------------------------------------------------------------

    pub async fn create_auth_session(
        &self,
        id: &str,
        user_id: i64,
        user_agent: &str,
        ip: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO auth_sessions (id, user_id, user_agent, ip, created_at, last_seen_at, role)
             VALUES (?, ?, ?, ?, ?, ?, (SELECT role FROM users WHERE id = ?))",
        )
        .bind(id)
        .bind(user_id)
        .bind(user_agent)
        .bind(ip)
        .bind(now)
        .bind(now)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The active user signed in with session `id`, if the session has been used within
    /// `idle_secs` and is younger than `absolute_secs`. Records the use (at most once a minute).
    pub async fn session_user(
        &self,
        id: &str,
        now: i64,
        idle_secs: i64,
        absolute_secs: i64,
    ) -> Result<Option<SessionUser>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name, u.role, s.last_seen_at, s.role AS session_role
             FROM auth_sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = ? AND u.active AND s.last_seen_at > ? AND s.created_at > ?",
        )
        .bind(id)
        .bind(now - idle_secs)
        .bind(now - absolute_secs)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let last_seen: i64 = row.try_get("last_seen_at")?;
        // About once a minute (more often only with very short idle timeouts).
        let touched = now - last_seen >= (idle_secs / 4).clamp(1, 60);
        if touched {
            sqlx::query("UPDATE auth_sessions SET last_seen_at = ? WHERE id = ?")
                .bind(now)
                .bind(id)
                .execute(self.pool())
                .await?;
        }
        let role: String = row.try_get("role")?;
        let session_role: String = row.try_get("session_role")?;
        Ok(Some(SessionUser {
            role_changed: role != session_role,
            touched,
            user: CurrentUser {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                name: row.try_get("name")?,
                role: role_of(&role)?,
                session_id: id.to_owned(),
            },
        }))
    }

    /// Records that the session `id` now carries its user's current role.
    pub async fn refresh_session_role(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE auth_sessions SET role = (SELECT role FROM users WHERE id = user_id)
             WHERE id = ?",
        )
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn delete_auth_session(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM auth_sessions WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends one of `user_id`'s sessions, named by its public handle; false if there is none.
    pub async fn delete_user_session(
        &self,
        user_id: i64,
        handle: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM auth_sessions WHERE rowid = ? AND user_id = ?")
            .bind(handle)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends all of `user_id`'s sessions except `keep`; returns how many were ended.
    pub async fn delete_other_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
    ) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM auth_sessions WHERE user_id = ? AND id IS NOT ?")
            .bind(user_id)
            .bind(keep)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn list_sessions(
        &self,
        user_id: i64,
        current: &str,
        now: i64,
        idle_secs: i64,
        absolute_secs: i64,
    ) -> Result<Vec<SessionView>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT rowid AS handle, id, user_agent, ip, created_at, last_seen_at FROM auth_sessions
             WHERE user_id = ? AND last_seen_at > ? AND created_at > ?
             ORDER BY last_seen_at DESC",
        )
        .bind(user_id)
        .bind(now - idle_secs)
        .bind(now - absolute_secs)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                Ok(SessionView {
                    handle: row.try_get("handle")?,
                    user_agent: row.try_get("user_agent")?,
                    ip: row.try_get("ip")?,
                    created_at: row.try_get("created_at")?,
                    last_seen_at: row.try_get("last_seen_at")?,
                    current: id == current,
                })
            })
            .collect()
    }

    // --- sign-in attempts -----------------------------------------------------------------

    pub async fn record_sign_in(
        &self,
        email: &str,
        ip: &str,
        succeeded: bool,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO sign_in_attempts (at, email, ip, succeeded) VALUES (?, ?, ?, ?)")
            .bind(now)
            .bind(email)
            .bind(ip)
            .bind(succeeded)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Failed sign-ins since `since` for the account `email` and for the client `ip`.
    pub async fn recent_failures(
        &self,
        email: &str,
        ip: &str,
        since: i64,
    ) -> Result<(Failures, Failures), sqlx::Error> {
        let row = sqlx::query(
            "SELECT
               (SELECT count(*) FROM sign_in_attempts WHERE succeeded = 0 AND email = ?1 AND at > ?3),
               (SELECT min(at)  FROM sign_in_attempts WHERE succeeded = 0 AND email = ?1 AND at > ?3),
               (SELECT count(*) FROM sign_in_attempts WHERE succeeded = 0 AND ip = ?2 AND at > ?3),
               (SELECT min(at)  FROM sign_in_attempts WHERE succeeded = 0 AND ip = ?2 AND at > ?3)",
        )
        .bind(email)
        .bind(ip)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok((
            Failures {
                count: row.try_get(0)?,
                oldest: row.try_get(1)?,
            },
            Failures {
                count: row.try_get(2)?,
                oldest: row.try_get(3)?,
            },
        ))
    }

    /// Forgets attempts older than `before` (they no longer count for throttling).
    pub async fn prune_sign_in_attempts(&self, before: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sign_in_attempts WHERE at < ?")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    // --- invitations ----------------------------------------------------------------------

    pub async fn create_invitation(
        &self,
        token_hash: &str,
        role: Role,
        created_by: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO invitations (token_hash, role, created_by, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(token_hash)
        .bind(role.as_str())
        .bind(created_by)
        .bind(now)
        .bind(expires_at)
        .fetch_one(self.pool())
        .await
    }

    pub async fn open_invitation(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<OpenInvitation>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, role, expires_at FROM invitations
             WHERE token_hash = ? AND accepted_at IS NULL AND expires_at > ?",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(OpenInvitation {
                id: row.try_get("id")?,
                role: role_of(row.try_get("role")?)?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }
}
