//! The people who can own records (active users by name), shared by every request for a few
//! seconds: each list, record page and form shows them, and they rarely change.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::sql;

use super::Db;

/// How long the list is reused. Changes to users through this process forget it at once; a change
/// made by another process (the CLI, another instance) shows within this time.
const OWNERS_TTL: Duration = Duration::from_secs(5);

/// Id and name of each active user, by name.
pub type Owners = Arc<[(i64, String)]>;

#[derive(Debug, Default)]
pub(super) struct OwnersCache(Mutex<Option<(Instant, Owners)>>);

impl Db {
    /// Active users (id, name) by name.
    pub async fn owners(&self) -> Result<Owners, sqlx::Error> {
        if let Some(owners) = self.cached_owners() {
            return Ok(owners);
        }
        let rows = sql::query("SELECT id, name FROM users WHERE active ORDER BY name, id")
            .fetch_all(&mut self.conn().await?)
            .await?;
        let owners: Owners = rows
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("name")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        // Not kept when read inside a transaction: it may yet roll back.
        if self.scope.is_none() {
            if let Ok(mut cache) = self.owners.0.lock() {
                *cache = Some((Instant::now(), owners.clone()));
            }
        }
        Ok(owners)
    }

    /// Whether user `id` is active: among the (shared) owners, or, for someone made active by
    /// another process in the last few seconds, in the table itself.
    pub async fn is_active_user(&self, id: i64) -> Result<bool, sqlx::Error> {
        if self.owners().await?.iter().any(|(owner, _)| *owner == id) {
            return Ok(true);
        }
        let found: Option<i64> = sql::query_scalar("SELECT 1 FROM users WHERE id = ? AND active")
            .bind(id)
            .fetch_optional(&mut self.conn().await?)
            .await?;
        Ok(found.is_some())
    }

    fn cached_owners(&self) -> Option<Owners> {
        let cache = self.owners.0.lock().ok()?;
        let (at, owners) = cache.as_ref()?;
        (at.elapsed() < OWNERS_TTL).then(|| owners.clone())
    }

    /// Forgets the list (a user was added, renamed, activated or deactivated).
    pub(super) fn forget_owners(&self) {
        if let Ok(mut cache) = self.owners.0.lock() {
            *cache = None;
        }
    }
}
