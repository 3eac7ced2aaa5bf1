//! Users, their sign-in sessions, sign-in attempts and invitations.

use super::sql::{self, Row};

use super::Db;
use crate::domain::{Email, Role, UserView};

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

/// True of user `?3` unless it is the last active administrator: a change that would leave none
/// is guarded by it, in the same statement as the change.
const LEAVES_AN_ADMIN: &str = "role <> 'admin' OR NOT active
     OR EXISTS (SELECT 1 FROM users o WHERE o.role = 'admin' AND o.active AND o.id <> ?3)";

/// Why a guarded change of user `id` changed nothing: no such user, or it would have left no
/// active administrator.
async fn refused(db: &Db, id: i64) -> Result<RoleChange, sqlx::Error> {
    let exists: bool = sql::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)")
        .bind(id)
        .fetch_one(&mut db.conn().await?)
        .await?;
    Ok(if exists {
        RoleChange::LastAdmin
    } else {
        RoleChange::NotFound
    })
}

/// What came of a role change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChange {
    Changed,
    NotFound,
    /// Refused: no other active administrator would remain.
    LastAdmin,
}

pub(super) fn role_of(text: &str) -> Result<Role, sqlx::Error> {
    text.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}

fn user_from_row(row: &Row) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: role_of(row.try_get("role")?)?,
        active: row.try_get("active")?,
        password_hash: row.try_get("password_hash")?,
    })
}

const USER_COLUMNS: &str = "id, email, name, role, active, password_hash";

impl Db {
    pub async fn count_users(&self) -> Result<i64, sqlx::Error> {
        sql::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&mut self.conn().await?)
            .await
    }

    /// The token for creating the first account, the same for every instance sharing the
    /// database: the one kept already, else `candidate`, kept from now on (until that account
    /// exists).
    pub async fn setup_token(&self, candidate: &str) -> Result<String, sqlx::Error> {
        let mut conn = self.conn().await?;
        sql::query("INSERT INTO setup (id, token) VALUES (1, ?) ON CONFLICT DO NOTHING")
            .bind(candidate)
            .execute(&mut conn)
            .await?;
        sql::query_scalar("SELECT token FROM setup WHERE id = 1")
            .fetch_one(&mut conn)
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
        let created = self
            .atomically(|db| async move {
                let id: i64 = sql::query_scalar(
                    "INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(email.as_str())
                .bind(name)
                .bind(password_hash)
                .bind(role.as_str())
                .bind(now)
                .bind(now)
                .fetch_one(&mut db.conn().await?)
                .await
                .map_err(classify)?;
                if let Some(invitation) = invitation {
                    if !super::invitations::accept_invitation(&db, invitation, id, now).await? {
                        // Used meanwhile: no account (its row goes again, in this transaction).
                        sql::query("DELETE FROM users WHERE id = ?")
                            .bind(id)
                            .execute(&mut db.conn().await?)
                            .await?;
                        return Ok(None);
                    }
                }
                Ok::<_, WriteUserError>(Some(id))
            })
            .await?;
        self.forget_owners();
        Ok(created)
    }

    /// Creates the first user, only while there is none (the check and the insert are atomic).
    pub async fn create_first_user(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, WriteUserError> {
        // In a write transaction: on PostgreSQL too, two first sign-ups cannot both pass the check.
        let id = self
            .atomically(|db| async move {
                let id: Option<i64> = sql::query_scalar(
                    "INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
                     SELECT ?, ?, ?, 'admin', ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)
                     RETURNING id",
                )
                .bind(email.as_str())
                .bind(name)
                .bind(password_hash)
                .bind(now)
                .bind(now)
                .fetch_optional(&mut db.conn().await?)
                .await
                .map_err(classify)?;
                // The setup token has done its work.
                sql::query("DELETE FROM setup")
                    .execute(&mut db.conn().await?)
                    .await?;
                Ok::<_, WriteUserError>(id)
            })
            .await?;
        self.forget_owners();
        Ok(id)
    }

    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<UserRecord>, sqlx::Error> {
        let row = sql::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?"))
            .bind(email)
            .fetch_optional(&mut self.conn().await?)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn find_user(&self, id: i64) -> Result<Option<UserRecord>, sqlx::Error> {
        let row = sql::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut self.conn().await?)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<UserView>, sqlx::Error> {
        let rows = sql::query(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY lower(name), id"
        ))
        .fetch_all(&mut self.conn().await?)
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
        sql::query("UPDATE users SET name = ?, email = ?, updated_at = ? WHERE id = ?")
            .bind(name)
            .bind(email.as_str())
            .bind(now)
            .bind(id)
            .execute(&mut self.conn().await?)
            .await
            .map_err(classify)?;
        self.forget_owners();
        Ok(())
    }

    pub async fn set_password_hash(
        &self,
        id: i64,
        hash: &str,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sql::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
            .bind(hash)
            .bind(now)
            .bind(id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives user `id` the role `role`, unless that would leave no active administrator: the
    /// check and the change are one statement, so two administrators demoting themselves at the
    /// same moment cannot both succeed. A user who stops being an administrator loses the
    /// invitations they created.
    pub async fn set_role(&self, id: i64, role: Role, now: i64) -> Result<RoleChange, sqlx::Error> {
        self.atomically(|db| async move {
            let done = sql::query(&format!(
                "UPDATE users SET role = ?1, updated_at = ?2 WHERE id = ?3 AND (?1 = 'admin' OR {})",
                LEAVES_AN_ADMIN
            ))
            .bind(role.as_str())
            .bind(now)
            .bind(id)
            .execute(&mut db.conn().await?)
            .await?;
            if done.rows_affected() == 0 {
                return refused(&db, id).await;
            }
            if role != Role::Admin {
                super::invitations::revoke_invitations_by(&db, id, now).await?;
            }
            Ok(RoleChange::Changed)
        })
        .await
    }

    /// Activates or deactivates a user; deactivating also ends all of the user's sessions.
    pub async fn set_active(
        &self,
        id: i64,
        active: bool,
        now: i64,
    ) -> Result<RoleChange, sqlx::Error> {
        let changed = self
            .atomically(|db| async move {
                // Like a demotion, never the last active administrator (one statement: two
                // admins deactivating each other at once cannot both succeed).
                let done = sql::query(&format!(
                    "UPDATE users SET active = ?1, updated_at = ?2 WHERE id = ?3 AND (?1 OR {})",
                    LEAVES_AN_ADMIN
                ))
                .bind(active)
                .bind(now)
                .bind(id)
                .execute(&mut db.conn().await?)
                .await?;
                if done.rows_affected() == 0 {
                    return refused(&db, id).await;
                }
                if !active {
                    sql::query("DELETE FROM auth_sessions WHERE user_id = ?")
                        .bind(id)
                        .execute(&mut db.conn().await?)
                        .await?;
                    super::invitations::revoke_invitations_by(&db, id, now).await?;
                }
                Ok(RoleChange::Changed)
            })
            .await?;
        self.forget_owners();
        Ok(changed)
    }
}
