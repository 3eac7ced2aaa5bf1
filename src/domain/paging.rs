//! One page of a list, with its total counted up to a cap.

use serde::{Deserialize, Serialize};

/// Counts above this are shown as "10,000+" rather than counted.
pub const COUNT_LIMIT: u64 = 10_000;

/// How many records matched: exactly, or more than [`COUNT_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Total {
    Exact(u64),
    AtLeast(u64),
}

impl Total {
    pub fn from_capped(count: u64) -> Self {
        if count > COUNT_LIMIT {
            Total::AtLeast(COUNT_LIMIT)
        } else {
            Total::Exact(count)
        }
    }

    /// "1 contact", "1,234 contacts", "10,000+ contacts".
    pub fn describe(self, one: &str, many: &str) -> String {
        match self {
            Total::Exact(1) => format!("1 {one}"),
            Total::Exact(n) => format!("{} {many}", thousands(n)),
            Total::AtLeast(n) => format!("{}+ {many}", thousands(n)),
        }
    }
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One page of a list, with the cursors of its neighbours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: Total,
    /// Cursor for the next page (`after=`), if there is one.
    pub next: Option<String>,
    /// Cursor for the previous page (`before=`), if there is one.
    pub prev: Option<String>,
}
