//! Sign-in sessions: the `auth_sessions` row behind a signed-in browser.

use super::sql::{self, Row};

use super::accounts::{role_of, CurrentUser, SessionUser};
use super::Db;
use crate::domain::{Role, SessionView};

impl Db {
    pub async fn create_auth_session(
        &self,
        id: &str,
        user_id: i64,
        user_agent: &str,
        ip: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sql::query(
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
        .execute(&mut self.conn().await?)
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
        let Some(row) = self
            .fresh_session(id, now, idle_secs, absolute_secs)
            .await?
        else {
            return Ok(None);
        };
        let last_seen: i64 = row.try_get("last_seen_at")?;
        // About once a minute (more often only with very short idle timeouts).
        let touched = now - last_seen >= (idle_secs / 4).clamp(1, 60);
        if touched {
            sql::query("UPDATE auth_sessions SET last_seen_at = ? WHERE id = ?")
                .bind(now)
                .bind(id)
                .execute(&mut self.conn().await?)
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

    /// The role of the active user signed in with session `id`, if the session is still fresh
    /// (as [`Db::session_user`] sees it), without recording a use: a page left open to follow
    /// live updates does not keep its session alive.
    pub async fn session_role(
        &self,
        id: &str,
        now: i64,
        idle_secs: i64,
        absolute_secs: i64,
    ) -> Result<Option<Role>, sqlx::Error> {
        self.fresh_session(id, now, idle_secs, absolute_secs)
            .await?
            .map(|row| role_of(row.try_get("role")?))
            .transpose()
    }

    /// Session `id` with its active user, if used within `idle_secs` and younger than
    /// `absolute_secs`.
    async fn fresh_session(
        &self,
        id: &str,
        now: i64,
        idle_secs: i64,
        absolute_secs: i64,
    ) -> Result<Option<Row>, sqlx::Error> {
        sql::query(
            "SELECT u.id, u.email, u.name, u.role, s.last_seen_at, s.role AS session_role
             FROM auth_sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = ? AND u.active AND s.last_seen_at > ? AND s.created_at > ?",
        )
        .bind(id)
        .bind(now - idle_secs)
        .bind(now - absolute_secs)
        .fetch_optional(&mut self.conn().await?)
        .await
    }

    /// Records that the session `id` now carries its user's current role.
    pub async fn refresh_session_role(&self, id: &str) -> Result<(), sqlx::Error> {
        sql::query(
            "UPDATE auth_sessions SET role = (SELECT role FROM users WHERE id = user_id)
             WHERE id = ?",
        )
        .bind(id)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(())
    }

    /// Deletes the sign-in sessions unused since `idle_before` or begun before `absolute_before`
    /// (they can no longer sign anyone in), with the address and browser they recorded.
    pub async fn prune_auth_sessions(
        &self,
        idle_before: i64,
        absolute_before: i64,
    ) -> Result<u64, sqlx::Error> {
        Ok(
            sql::query("DELETE FROM auth_sessions WHERE last_seen_at <= ? OR created_at <= ?")
                .bind(idle_before)
                .bind(absolute_before)
                .execute(&mut self.conn().await?)
                .await?
                .rows_affected(),
        )
    }

    pub async fn delete_auth_session(&self, id: &str) -> Result<(), sqlx::Error> {
        sql::query("DELETE FROM auth_sessions WHERE id = ?")
            .bind(id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Ends one of `user_id`'s sessions, named by its public handle; false if there is none.
    pub async fn delete_user_session(
        &self,
        user_id: i64,
        handle: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sql::query("DELETE FROM auth_sessions WHERE rowid = ? AND user_id = ?")
            .bind(handle)
            .bind(user_id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends all of `user_id`'s sessions except `keep`; returns how many were ended.
    pub async fn delete_other_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
    ) -> Result<u64, sqlx::Error> {
        let done = sql::query("DELETE FROM auth_sessions WHERE user_id = ? AND id IS NOT ?")
            .bind(user_id)
            .bind(keep)
            .execute(&mut self.conn().await?)
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
        let rows = sql::query(
            "SELECT rowid AS handle, id, user_agent, ip, created_at, last_seen_at FROM auth_sessions
             WHERE user_id = ? AND last_seen_at > ? AND created_at > ?
             ORDER BY last_seen_at DESC",
        )
        .bind(user_id)
        .bind(now - idle_secs)
        .bind(now - absolute_secs)
        .fetch_all(&mut self.conn().await?)
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
}
