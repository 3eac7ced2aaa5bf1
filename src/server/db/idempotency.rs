//! Idempotency keys: the stored outcome of each keyed request, per user.

use super::sql;
use super::Db;

/// What the store knows about a key when a request with it begins.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyState {
    /// The key is new: this request is the first and now owns it.
    Claimed,
    /// An earlier request with the key, for `request_hash`, finished with `outcome` (JSON), or is
    /// still running (`None`).
    Seen {
        request_hash: String,
        outcome: Option<String>,
    },
}

impl Db {
    /// Claims `key` for this user's request, or reports the earlier request that holds it.
    pub async fn claim_idempotency_key(
        &self,
        user_id: i64,
        key: &str,
        request_hash: &str,
        now: i64,
    ) -> Result<KeyState, sqlx::Error> {
        loop {
            let inserted = sql::query(
                "INSERT INTO idempotency (user_id, key, request_hash, created_at)
                 VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(key)
            .bind(request_hash)
            .bind(now)
            .execute(&mut self.conn().await?)
            .await?
            .rows_affected();
            if inserted == 1 {
                return Ok(KeyState::Claimed);
            }
            let seen: Option<(String, Option<String>)> = sql::query_as(
                "SELECT request_hash, outcome FROM idempotency WHERE user_id = ? AND key = ?",
            )
            .bind(user_id)
            .bind(key)
            .fetch_optional(&mut self.conn().await?)
            .await?;
            // Gone in between (the earlier request failed and let the key go): claim it again.
            if let Some((request_hash, outcome)) = seen {
                return Ok(KeyState::Seen {
                    request_hash,
                    outcome,
                });
            }
        }
    }

    /// What the store knows of `key` (a committed claim), without claiming it.
    pub async fn idempotency_key_state(
        &self,
        user_id: i64,
        key: &str,
    ) -> Result<Option<KeyState>, sqlx::Error> {
        let seen: Option<(String, Option<String>)> = sql::query_as(
            "SELECT request_hash, outcome FROM idempotency WHERE user_id = ? AND key = ?",
        )
        .bind(user_id)
        .bind(key)
        .fetch_optional(&mut self.conn().await?)
        .await?;
        Ok(seen.map(|(request_hash, outcome)| KeyState::Seen {
            request_hash,
            outcome,
        }))
    }

    /// Stores the outcome of the request that claimed `key`.
    pub async fn store_idempotent_outcome(
        &self,
        user_id: i64,
        key: &str,
        outcome: &str,
    ) -> Result<(), sqlx::Error> {
        sql::query("UPDATE idempotency SET outcome = ? WHERE user_id = ? AND key = ?")
            .bind(outcome)
            .bind(user_id)
            .bind(key)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Lets `key` go (its request failed and changed nothing), so it can be sent again.
    pub async fn release_idempotency_key(
        &self,
        user_id: i64,
        key: &str,
    ) -> Result<(), sqlx::Error> {
        sql::query("DELETE FROM idempotency WHERE user_id = ? AND key = ? AND outcome IS NULL")
            .bind(user_id)
            .bind(key)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Lets go of every key whose request never stored an outcome (at start-up: the process that
    /// ran them is gone, and since an effect commits together with its outcome, none of them
    /// changed anything).
    pub async fn release_unfinished_idempotency_keys(&self) -> Result<u64, sqlx::Error> {
        Ok(sql::query("DELETE FROM idempotency WHERE outcome IS NULL")
            .execute(&mut self.conn().await?)
            .await?
            .rows_affected())
    }

    /// Deletes the keys made before `before` (unix seconds).
    pub async fn prune_idempotency_keys(&self, before: i64) -> Result<u64, sqlx::Error> {
        Ok(sql::query("DELETE FROM idempotency WHERE created_at < ?")
            .bind(before)
            .execute(&mut self.conn().await?)
            .await?
            .rows_affected())
    }
}
