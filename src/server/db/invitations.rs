//! Invitations: single-use links to join the workspace with a role. Only the SHA-256 of a link's
//! token is stored. A link works while it is unused, unrevoked, unexpired, and its creator is
//! still an active administrator.

use super::sql;

use super::accounts::role_of;
use super::Db;
use crate::domain::{InvitationStatus, InvitationView, Role};

/// An invitation that can still be accepted.
#[derive(Debug, Clone)]
pub struct OpenInvitation {
    pub id: i64,
    pub role: Role,
    pub expires_at: i64,
}

/// The condition for an invitation (`i`) to be usable at the time bound as `now` (a numbered
/// parameter such as `?2`), spelled out once.
fn usable(now: &str) -> String {
    format!(
        "(i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > {now}
          AND EXISTS (SELECT 1 FROM users c
                      WHERE c.id = i.created_by AND c.active AND c.role = 'admin'))"
    )
}

impl Db {
    pub async fn create_invitation(
        &self,
        token_hash: &str,
        role: Role,
        created_by: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<i64, sqlx::Error> {
        sql::query_scalar(
            "INSERT INTO invitations (token_hash, role, created_by, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(token_hash)
        .bind(role.as_str())
        .bind(created_by)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut self.conn().await?)
        .await
    }

    /// The invitation with this token, if it can be accepted now.
    pub async fn open_invitation(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<OpenInvitation>, sqlx::Error> {
        let row = sql::query(&format!(
            "SELECT i.id, i.role, i.expires_at FROM invitations i WHERE i.token_hash = ?1 AND {}",
            usable("?2")
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut self.conn().await?)
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

    /// What became of the invitation with this token (`None`: there is no such invitation).
    pub async fn invitation_status(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<InvitationStatus>, sqlx::Error> {
        let row = sql::query(&format!(
            "SELECT i.role, i.accepted_at IS NOT NULL AS used, i.expires_at <= ?1 AS expired,
                    {} AS usable
             FROM invitations i WHERE i.token_hash = ?2",
            usable("?1")
        ))
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut self.conn().await?)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(if row.try_get("usable")? {
            InvitationStatus::Open(role_of(row.try_get("role")?)?)
        } else if row.try_get("used")? {
            InvitationStatus::Used
        } else if row.try_get("expired")? {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Revoked
        }))
    }

    /// The invitations that can still be accepted, newest first.
    pub async fn open_invitations(&self, now: i64) -> Result<Vec<InvitationView>, sqlx::Error> {
        let rows = sql::query(&format!(
            "SELECT i.id, i.role, i.created_at, i.expires_at - ?1 AS expires_in,
                    (SELECT name FROM users WHERE id = i.created_by) AS created_by
             FROM invitations i WHERE {} ORDER BY i.id DESC LIMIT 200",
            usable("?1")
        ))
        .bind(now)
        .fetch_all(&mut self.conn().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(InvitationView {
                    id: row.try_get("id")?,
                    role: role_of(row.try_get("role")?)?,
                    created_by: row.try_get("created_by")?,
                    created_at: row.try_get("created_at")?,
                    expires_in: row.try_get("expires_in")?,
                })
            })
            .collect()
    }

    /// Revokes an invitation that has not been used; false if there is no such open invitation.
    pub async fn revoke_invitation(&self, id: i64, now: i64) -> Result<bool, sqlx::Error> {
        let done = sql::query(
            "UPDATE invitations SET revoked_at = ?
             WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Revokes the unused invitations `user_id` created (they were deactivated or are no longer an
/// administrator), inside the transaction making that change.
pub(super) async fn revoke_invitations_by(
    db: &Db,
    user_id: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sql::query(
        "UPDATE invitations SET revoked_at = ?
         WHERE created_by = ? AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut db.conn().await?)
    .await?;
    Ok(done.rows_affected())
}

/// Marks invitation `id` accepted by `user_id`, if it is still usable.
pub(super) async fn accept_invitation(
    db: &Db,
    id: i64,
    user_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sql::query(&format!(
        "UPDATE invitations AS i SET accepted_at = ?1, accepted_by = ?2 WHERE i.id = ?3 AND {}",
        usable("?1")
    ))
    .bind(now)
    .bind(user_id)
    .bind(id)
    .execute(&mut db.conn().await?)
    .await?;
    Ok(done.rows_affected() == 1)
}
