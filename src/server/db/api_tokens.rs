//! Personal access tokens: kept as a hash, looked up by it on each API request.

use super::accounts::role_of;
use super::sql::{self, Row};
use super::{CurrentUser, Db};
use crate::domain::TokenView;

/// The owner a token acts as, and what it allows.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub token_id: i64,
    pub can_write: bool,
    pub user: CurrentUser,
    /// When the token was last used (before this request), if ever.
    pub last_used_at: Option<i64>,
}

const TOKEN_COLUMNS: &str =
    "id, name, hint, can_write, created_at, expires_at, last_used_at, revoked_at";

fn token_from_row(row: &Row) -> Result<TokenView, sqlx::Error> {
    Ok(TokenView {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        hint: row.try_get("hint")?,
        can_write: row.try_get("can_write")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// A user keeps at most this many tokens that are not revoked.
pub const TOKENS_PER_USER: i64 = 50;

impl Db {
    /// Records a new token of `user_id`; None when they hold [`TOKENS_PER_USER`] already.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        hint: &str,
        can_write: bool,
        now: i64,
        expires_at: Option<i64>,
    ) -> Result<Option<i64>, sqlx::Error> {
        self.atomically(|db| async move {
            sql::query_scalar(
                "INSERT INTO api_tokens (user_id, name, token_hash, hint, can_write, created_at,
                     expires_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
                 WHERE (SELECT count(*) FROM api_tokens
                        WHERE user_id = ?1 AND revoked_at IS NULL) < ?8
                 RETURNING id",
            )
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(hint)
            .bind(can_write)
            .bind(now)
            .bind(expires_at)
            .bind(TOKENS_PER_USER)
            .fetch_optional(&mut db.conn().await?)
            .await
        })
        .await
    }

    /// The tokens of `user_id`, newest first.
    pub async fn api_tokens_of(&self, user_id: i64) -> Result<Vec<TokenView>, sqlx::Error> {
        sql::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = ? ORDER BY id DESC"
        ))
        .bind(user_id)
        .fetch_all(&mut self.conn().await?)
        .await?
        .iter()
        .map(token_from_row)
        .collect()
    }

    /// Revokes token `id` of `user_id`; false when they have no such token working.
    pub async fn revoke_api_token(
        &self,
        user_id: i64,
        id: i64,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sql::query(
            "UPDATE api_tokens SET revoked_at = ?
             WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(user_id)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Who the token with this hash acts as, if it works now: not revoked, not expired, its
    /// owner active.
    pub async fn api_token_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<TokenUser>, sqlx::Error> {
        let row = sql::query(
            "SELECT t.id AS token_id, t.can_write, t.last_used_at, u.id, u.email, u.name, u.role
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ? AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.active",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut self.conn().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id: i64 = row.try_get("token_id")?;
        let role: String = row.try_get("role")?;
        Ok(Some(TokenUser {
            token_id,
            can_write: row.try_get("can_write")?,
            last_used_at: row.try_get("last_used_at")?,
            user: CurrentUser {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                name: row.try_get("name")?,
                role: role_of(&role)?,
                session_id: format!("token:{token_id}"),
            },
        }))
    }

    /// Records that token `id` was used at `now`.
    pub async fn touch_api_token(&self, id: i64, now: i64) -> Result<(), sqlx::Error> {
        sql::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }
}
