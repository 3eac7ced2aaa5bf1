//! The trash: which kind of record an item is, and a page of deleted records.

use serde::{Deserialize, Serialize};

use super::RecordKind;

/// Records stay in the trash this long before they are deleted for good.
pub const TRASH_DAYS: i64 = 30;

/// A record in the trash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrashItem {
    pub kind: RecordKind,
    pub id: i64,
    pub name: String,
    pub deleted_at: i64,
}

impl TrashItem {
    /// Where a page of the trash starting after this item begins (`deleted_at.kind.id`).
    pub fn cursor(&self) -> String {
        format!("{}.{}.{}", self.deleted_at, self.kind.as_str(), self.id)
    }

    /// Reads [`TrashItem::cursor`]; `None` for anything malformed (the trash starts over).
    pub fn parse_cursor(text: &str) -> Option<(i64, RecordKind, i64)> {
        let mut parts = text.splitn(3, '.');
        let at = parts.next()?.parse().ok()?;
        let kind = parts.next()?.parse().ok()?;
        let id = parts.next()?.parse().ok()?;
        Some((at, kind, id))
    }
}

/// One page of the trash, newest deletions first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrashPage {
    pub items: Vec<TrashItem>,
    /// Where the next (older) page starts, if there is one.
    pub older: Option<String>,
    /// Whether the viewer may restore.
    pub can_edit: bool,
    /// The server's time (unix seconds), for "3 days ago".
    pub now: i64,
}

/// Items on one page of the trash.
pub const TRASH_PAGE: u32 = 100;
