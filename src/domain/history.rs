//! The change history: what was done to a record, by whom and when, and for an edit each field's
//! old and new value as the record's page shows them.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::RecordKind;

/// Changes on one page of a history.
pub const HISTORY_PAGE: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeAction {
    Create,
    Edit,
    Delete,
    Restore,
}

impl ChangeAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Create => "create",
            ChangeAction::Edit => "edit",
            ChangeAction::Delete => "delete",
            ChangeAction::Restore => "restore",
        }
    }

    /// "Created", "Edited", … (by someone).
    pub const fn past(self) -> &'static str {
        match self {
            ChangeAction::Create => "Created",
            ChangeAction::Edit => "Edited",
            ChangeAction::Delete => "Moved to the trash",
            ChangeAction::Restore => "Restored from the trash",
        }
    }
}

impl FromStr for ChangeAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            ChangeAction::Create,
            ChangeAction::Edit,
            ChangeAction::Delete,
            ChangeAction::Restore,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
        .ok_or_else(|| format!("unknown change {s:?}"))
    }
}

/// One field of an edit: its name, and its value before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// The fields whose values differ between `before` and `after` (both by field name, in the
/// form's order); for a new record, `before` is empty and every filled-in field is listed.
pub fn changed_fields(
    before: &[(&'static str, String)],
    after: &[(&'static str, String)],
) -> Vec<FieldChange> {
    after
        .iter()
        .filter_map(|(field, new)| {
            let old = before
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            (old != new).then(|| FieldChange {
                field: (*field).to_owned(),
                old: old.to_owned(),
                new: new.clone(),
            })
        })
        .collect()
}

/// One entry of a history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub id: i64,
    pub kind: RecordKind,
    pub record_id: i64,
    pub action: ChangeAction,
    pub at: i64,
    /// Who made it ("" once their account is gone).
    pub by: String,
    /// The import that made it, if one did.
    pub import: Option<i64>,
    pub fields: Vec<FieldChange>,
}

/// A page of history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub changes: Vec<Change>,
    /// Where the next (older) page starts: the id to read before.
    pub older: Option<i64>,
    /// The server's time (Unix seconds), for "3 hours ago".
    pub now: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_listed_in_order() {
        let before = [("name", "Ann".to_string()), ("city", "Oslo".to_string())];
        let after = [("name", "Ann".to_string()), ("city", "Bergen".to_string())];
        assert_eq!(
            changed_fields(&before, &after),
            vec![FieldChange {
                field: "city".into(),
                old: "Oslo".into(),
                new: "Bergen".into()
            }]
        );
        let created = changed_fields(&[], &[("name", "Ann".into()), ("city", String::new())]);
        assert_eq!(
            created.len(),
            1,
            "empty fields of a new record are left out"
        );
        assert_eq!(created[0].old, "");
    }

    #[test]
    fn actions_read_back() {
        for action in ["create", "edit", "delete", "restore"] {
            assert_eq!(action.parse::<ChangeAction>().unwrap().as_str(), action);
        }
        assert!("purge".parse::<ChangeAction>().is_err());
    }
}
