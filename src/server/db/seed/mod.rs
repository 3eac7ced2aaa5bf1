//! Bulk loading of synthetic records (`clientele seed`): realistic names from the `fake` crate
//! with a fixed seed, reserved `.example` domains, unique e-mails. Fast because the secondary
//! indexes and triggers of the record tables are dropped during the load and built once at the
//! end (the search indexes too), and rows go in many to a statement, many statements to a
//! transaction. `records` loads companies and contacts, `work` the team's activities and tasks for
//! them, `derived` drops and rebuilds the indexes.

use fake::rand::rngs::StdRng;
use fake::rand::SeedableRng;
use sqlx::SqliteConnection;

use super::Db;

mod derived;
mod records;
mod work;

pub use derived::finish_pending;

/// Rows per INSERT statement, and statements per transaction.
const ROWS_PER_STATEMENT: usize = 500;
const ROWS_PER_TRANSACTION: usize = 25_000;

/// What to create.
#[derive(Debug, Clone, Copy)]
pub struct SeedPlan {
    pub companies: u64,
    pub contacts: u64,
    pub seed: u64,
}

/// Reports progress: `(stage, done, total)`.
pub trait Progress {
    fn stage(&mut self, name: &'static str, total: u64);
    fn advance(&mut self, by: u64);
    fn finish(&mut self);
}

/// Progress reported nowhere.
pub struct Silent;

impl Progress for Silent {
    fn stage(&mut self, _: &'static str, _: u64) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

/// Slugs for domains: "Smith, Jones and Brown" → "smith-jones-and-brown".
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(40).collect()
}

pub async fn seed(db: &Db, plan: SeedPlan, progress: &mut dyn Progress) -> anyhow::Result<()> {
    // A load interrupted earlier is finished first.
    finish_pending(db, progress).await?;
    let Some(pool) = db.sqlite_pool() else {
        anyhow::bail!(
            "seed loads SQLite databases only: seed one, then copy it with migrate-to-postgres"
        );
    };
    let mut conn = pool.acquire().await?;
    let conn: &mut SqliteConnection = &mut conn;
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let users: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE active ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let creator = users.first().copied();
    let now = chrono::Utc::now().timestamp();
    let first = derived::FirstIds::next(conn).await?;
    derived::drop_derived(conn, &first).await?;
    let loaded = records::load(
        conn,
        plan,
        &mut rng,
        &users,
        creator,
        now,
        first.company,
        first.contact,
        progress,
    )
    .await;
    // Whatever happened, the indexes and triggers come back (or at the next start, if this
    // process does not live that long).
    finish_pending(db, progress).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut *conn)
        .await?;
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_domain_labels() {
        assert_eq!(slug("Smith, Jones and Brown"), "smith-jones-and-brown");
        assert_eq!(slug("O'Hara-Lee LLC"), "o-hara-lee-llc");
        assert_eq!(slug("Émile"), "mile");
    }
}
