//! Sign-in attempts, counted for throttling.

use super::sql;

use super::{Backend, Db};

/// Counts of recent failed sign-ins, with the time of the oldest one in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub oldest: Option<i64>,
}

/// Recent failed sign-ins, by what they are counted against.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInFailures {
    /// This account from this address.
    pub pair: Failures,
    /// This address, any account.
    pub address: Failures,
    /// This account, any address.
    pub account: Failures,
}

impl Db {
    /// Reserves a sign-in attempt, counted as a failure until [`Db::settle_sign_in`] says it
    /// succeeded, unless `email` has `per_pair` failures from `ip` since `since`, or `ip` has
    /// `per_ip` failures: then nothing is stored and `None` comes back. Attempts arriving
    /// together are counted one after another — one statement on SQLite (one writer), a write
    /// transaction on PostgreSQL (whose concurrent statements would not see each other's rows) —
    /// so however many arrive at once, on however many instances, at most the limit is ever
    /// evaluated.
    pub async fn reserve_sign_in(
        &self,
        email: &str,
        ip: &str,
        now: i64,
        since: i64,
        per_pair: i64,
        per_ip: i64,
    ) -> Result<Option<i64>, sqlx::Error> {
        let reserve = |db: Db| async move {
            sql::query_scalar(
                "INSERT INTO sign_in_attempts (at, email, ip, succeeded)
             SELECT ?1, ?2, ?3, FALSE
             WHERE (SELECT count(*) FROM sign_in_attempts
                    WHERE NOT succeeded AND email = ?2 AND ip = ?3 AND at > ?4) < ?5
               AND (SELECT count(*) FROM sign_in_attempts
                    WHERE NOT succeeded AND ip = ?3 AND at > ?4) < ?6
             RETURNING id",
            )
            .bind(now)
            .bind(email)
            .bind(ip)
            .bind(since)
            .bind(per_pair)
            .bind(per_ip)
            .fetch_optional(&mut db.conn().await?)
            .await
        };
        match self.backend() {
            Backend::Sqlite => reserve(self.clone()).await,
            Backend::Postgres => self.atomically(reserve).await,
        }
    }

    /// Records how a reserved attempt ended: a success no longer counts as a failure, and an
    /// attempt that was never evaluated (`None`) is forgotten.
    pub async fn settle_sign_in(
        &self,
        id: i64,
        succeeded: Option<bool>,
    ) -> Result<(), sqlx::Error> {
        let query = match succeeded {
            Some(true) => "UPDATE sign_in_attempts SET succeeded = TRUE WHERE id = ?",
            Some(false) => return Ok(()),
            None => "DELETE FROM sign_in_attempts WHERE id = ?",
        };
        sql::query(query)
            .bind(id)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    /// Failed sign-ins since `since` for `email` from `ip`, for `ip`, and for `email` from
    /// anywhere.
    pub async fn recent_failures(
        &self,
        email: &str,
        ip: &str,
        since: i64,
    ) -> Result<SignInFailures, sqlx::Error> {
        let row = sql::query(
            "SELECT
               (SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded AND email = ?1 AND ip = ?2 AND at > ?3),
               (SELECT min(at)  FROM sign_in_attempts WHERE NOT succeeded AND email = ?1 AND ip = ?2 AND at > ?3),
               (SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded AND ip = ?2 AND at > ?3),
               (SELECT min(at)  FROM sign_in_attempts WHERE NOT succeeded AND ip = ?2 AND at > ?3),
               (SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded AND email = ?1 AND at > ?3),
               (SELECT min(at)  FROM sign_in_attempts WHERE NOT succeeded AND email = ?1 AND at > ?3)",
        )
        .bind(email)
        .bind(ip)
        .bind(since)
        .fetch_one(&mut self.conn().await?)
        .await?;
        let failures = |i: usize| -> Result<Failures, sqlx::Error> {
            Ok(Failures {
                count: row.try_get(i)?,
                oldest: row.try_get(i + 1)?,
            })
        };
        Ok(SignInFailures {
            pair: failures(0)?,
            address: failures(2)?,
            account: failures(4)?,
        })
    }

    /// Forgets attempts older than `before` (they no longer count for throttling).
    pub async fn prune_sign_in_attempts(&self, before: i64) -> Result<u64, sqlx::Error> {
        let done = sql::query("DELETE FROM sign_in_attempts WHERE at < ?")
            .bind(before)
            .execute(&mut self.conn().await?)
            .await?;
        Ok(done.rows_affected())
    }
}
