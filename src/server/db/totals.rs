//! List totals shared by every request for a few seconds.

use super::Db;

/// How long a list total is reused (writes through this handle forget it at once).
const TOTALS_TTL: std::time::Duration = std::time::Duration::from_secs(5);
/// At most this many totals are kept (the oldest go first).
const TOTALS_KEPT: usize = 256;
/// Totals of longer keys are not kept (search text is bounded well below this anyway).
const TOTALS_KEY_MAX: usize = 1024;

/// The (capped) number of rows of a list, per table and filter (`""` for all live rows), shared by
/// every request for a few seconds: the unfiltered lists are the most visited pages, and a search
/// is counted again for each page of its results and each change of sort.
#[derive(Debug, Default)]
pub(super) struct Totals(std::sync::Mutex<Vec<(&'static str, String, std::time::Instant, i64)>>);

impl Db {
    pub(crate) fn cached_total(&self, table: &'static str, key: &str) -> Option<i64> {
        let totals = self.totals.0.lock().ok()?;
        totals
            .iter()
            .find(|(t, k, at, _)| *t == table && k == key && at.elapsed() < TOTALS_TTL)
            .map(|(_, _, _, n)| *n)
    }

    pub(crate) fn store_total(&self, table: &'static str, key: String, total: i64) {
        if key.len() > TOTALS_KEY_MAX {
            return;
        }
        if let Ok(mut totals) = self.totals.0.lock() {
            totals.retain(|(t, k, at, _)| !(*t == table && *k == key) && at.elapsed() < TOTALS_TTL);
            if totals.len() >= TOTALS_KEPT {
                totals.remove(0);
            }
            totals.push((table, key, std::time::Instant::now(), total));
        }
    }

    /// Forgets every total of `table` (its rows changed).
    pub(crate) fn forget_total(&self, table: &'static str) {
        if let Ok(mut totals) = self.totals.0.lock() {
            totals.retain(|(t, _, _, _)| *t != table);
        }
    }
}
