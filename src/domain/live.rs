//! Live updates: the changes an open page hears of, as the server sends them (`/events`) and as
//! the page reads them. An event names a record's kind, its id and what happened to it, nothing
//! of its content: to see what changed, the page is loaded again, through the same role checks
//! as any page.

use std::collections::BTreeSet;

use super::{ChangeAction, RecordKind, Role};

/// One change as the event stream carries it: a line `"<kind> <id> <action>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveChange {
    /// The change's id in the history: the stream's position.
    pub id: i64,
    pub kind: RecordKind,
    pub record: i64,
    pub action: ChangeAction,
}

/// The line an event's data holds when more changes happened than one event carries.
pub const LIVE_MORE: &str = "more";

impl LiveChange {
    /// Its line in an event's data.
    pub fn line(&self) -> String {
        format!(
            "{} {} {}",
            self.kind.as_str(),
            self.record,
            self.action.as_str()
        )
    }

    /// Whether someone with `role` may hear of it: whoever may read records of its kind. Every
    /// role reads every kind today (a viewer "reads records"); a kind some roles may not read
    /// must say so here, and its events then never reach them.
    pub fn visible_to(&self, role: Role) -> bool {
        match self.kind {
            RecordKind::Contact | RecordKind::Company | RecordKind::Activity | RecordKind::Task => {
                role.allows(Role::Viewer)
            }
        }
    }
}

/// What an open page follows ‒ a kind's list, or one record, maybe in its form ‒ and what it
/// has heard of since it was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    kind: RecordKind,
    record: Option<i64>,
    editing: bool,
    /// The records of `kind` that changed (for one record: at most that one).
    changed: BTreeSet<i64>,
    /// What last happened to the one record followed.
    last: Option<ChangeAction>,
    /// More changed than the events said.
    more: bool,
}

impl Watch {
    /// A kind's list.
    pub fn list(kind: RecordKind) -> Self {
        Self::new(kind, None, false)
    }

    /// Record `id`'s page, or its form when `editing`.
    pub fn record(kind: RecordKind, id: i64, editing: bool) -> Self {
        Self::new(kind, Some(id), editing)
    }

    fn new(kind: RecordKind, record: Option<i64>, editing: bool) -> Self {
        Watch {
            kind,
            record,
            editing,
            changed: BTreeSet::new(),
            last: None,
            more: false,
        }
    }

    /// Takes in an event's data (its lines); whether any of it concerns this page. Lines it
    /// cannot read are skipped.
    pub fn hear(&mut self, data: &str) -> bool {
        let mut heard = false;
        for line in data.lines() {
            if line == LIVE_MORE {
                self.more = true;
                heard = true;
                continue;
            }
            let mut words = line.split(' ');
            let (Some(kind), Some(id), Some(action), None) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                continue;
            };
            let (Ok(kind), Ok(id), Ok(action)) = (
                kind.parse::<RecordKind>(),
                id.parse::<i64>(),
                action.parse::<ChangeAction>(),
            ) else {
                continue;
            };
            if kind != self.kind || self.record.is_some_and(|record| record != id) {
                continue;
            }
            self.changed.insert(id);
            self.last = Some(action);
            heard = true;
        }
        heard
    }

    /// Forgets what was heard (the page shows the records as they are now).
    pub fn clear(&mut self) {
        self.changed.clear();
        self.last = None;
        self.more = false;
    }

    /// What the page says about it, if anything.
    pub fn notice(&self) -> Option<String> {
        let kind = self.kind;
        if self.record.is_none() {
            let n = self.changed.len();
            return match (n, self.more) {
                (0, false) => None,
                (_, true) => Some(format!(
                    "Many {} changed since this list was shown.",
                    kind.plural()
                )),
                (1, false) => Some(format!(
                    "1 update: a {} changed since this list was shown.",
                    kind.as_str()
                )),
                (n, false) => Some(format!(
                    "{n} updates: {n} {} changed since this list was shown.",
                    kind.plural()
                )),
            };
        }
        let this = format!("this {}", kind.as_str());
        let when = if self.editing {
            "while you were editing it"
        } else {
            "since this page was shown"
        };
        let what = match (self.last, self.more) {
            (Some(ChangeAction::Delete), _) => format!("Someone moved {this} to the trash {when}."),
            (Some(ChangeAction::Restore), _) => {
                format!("Someone restored {this} from the trash {when}.")
            }
            (Some(_), _) => format!("Someone changed {this} {when}."),
            (None, true) => format!("Records changed {when}; {this} may have too."),
            (None, false) => return None,
        };
        Some(if self.editing {
            format!("{what} What you typed is kept: saving shows their version beside yours.")
        } else {
            what
        })
    }

    /// Whether the notice offers to refresh the list in place (else to reload the page).
    pub fn is_list(&self) -> bool {
        self.record.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: RecordKind, record: i64, action: ChangeAction) -> String {
        LiveChange {
            id: 1,
            kind,
            record,
            action,
        }
        .line()
    }

    #[test]
    fn a_list_counts_the_records_of_its_kind_that_changed() {
        let mut watch = Watch::list(RecordKind::Contact);
        assert_eq!(watch.notice(), None);
        let lines = [
            change(RecordKind::Contact, 4, ChangeAction::Edit),
            change(RecordKind::Company, 4, ChangeAction::Edit),
            change(RecordKind::Contact, 4, ChangeAction::Edit),
        ]
        .join("\n");
        assert!(watch.hear(&lines));
        assert_eq!(
            watch.notice().as_deref(),
            Some("1 update: a contact changed since this list was shown.")
        );
        assert!(watch.hear(&change(RecordKind::Contact, 9, ChangeAction::Create)));
        assert_eq!(
            watch.notice().as_deref(),
            Some("2 updates: 2 contacts changed since this list was shown.")
        );
        assert!(!watch.hear(&change(RecordKind::Task, 1, ChangeAction::Delete)));
        watch.clear();
        assert_eq!(watch.notice(), None);
        assert!(watch.hear(LIVE_MORE));
        assert_eq!(
            watch.notice().as_deref(),
            Some("Many contacts changed since this list was shown.")
        );
    }

    #[test]
    fn a_record_page_hears_only_of_its_record_and_says_what_happened() {
        let mut watch = Watch::record(RecordKind::Company, 7, false);
        assert!(!watch.hear(&change(RecordKind::Company, 8, ChangeAction::Edit)));
        assert!(!watch.hear(&change(RecordKind::Contact, 7, ChangeAction::Edit)));
        assert_eq!(watch.notice(), None);
        assert!(watch.hear(&change(RecordKind::Company, 7, ChangeAction::Edit)));
        assert_eq!(
            watch.notice().as_deref(),
            Some("Someone changed this company since this page was shown.")
        );
        assert!(watch.hear(&change(RecordKind::Company, 7, ChangeAction::Delete)));
        assert_eq!(
            watch.notice().as_deref(),
            Some("Someone moved this company to the trash since this page was shown.")
        );
        assert!(!watch.is_list());
    }

    #[test]
    fn a_form_being_edited_says_the_typing_is_kept() {
        let mut watch = Watch::record(RecordKind::Contact, 3, true);
        assert!(watch.hear(&change(RecordKind::Contact, 3, ChangeAction::Edit)));
        let notice = watch.notice().unwrap_or_default();
        assert!(notice.starts_with("Someone changed this contact while you were editing it."));
        assert!(notice.contains("What you typed is kept"));
    }

    #[test]
    fn unreadable_lines_are_skipped() {
        let mut watch = Watch::list(RecordKind::Contact);
        for junk in [
            "",
            "contact",
            "contact x edit",
            "contact 1 burn",
            "contact 1 edit extra",
            "robot 1 edit",
        ] {
            assert!(!watch.hear(junk), "{junk:?}");
        }
        assert_eq!(watch.notice(), None);
    }

    #[test]
    fn every_role_hears_of_every_kind_it_reads() {
        for kind in RecordKind::ALL {
            let change = LiveChange {
                id: 1,
                kind,
                record: 1,
                action: ChangeAction::Create,
            };
            for role in Role::ALL {
                assert!(change.visible_to(role));
            }
        }
    }
}
