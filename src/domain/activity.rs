//! Activities: what happened with a contact or a company (a note, a call, a meeting, an e-mail),
//! logged by a user, shown newest first on the record's timeline.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::values::{optional_id, text};
use super::{Stamp, NOTES_MAX_CHARS};
use crate::error::FieldErrors;

/// Longest subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 200;
/// What the form is told when an activity is about no contact and no company.
pub const ACTIVITY_WITHOUT_RECORD: &str = "Log an activity from a contact's or a company's page.";
/// Activities on one page of a timeline.
pub const TIMELINE_PAGE: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivityKind {
    #[default]
    Note,
    Call,
    Meeting,
    Email,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 4] = [
        ActivityKind::Note,
        ActivityKind::Call,
        ActivityKind::Meeting,
        ActivityKind::Email,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Note => "note",
            ActivityKind::Call => "call",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Email => "email",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            ActivityKind::Note => "Note",
            ActivityKind::Call => "Call",
            ActivityKind::Meeting => "Meeting",
            ActivityKind::Email => "E-mail",
        }
    }
}

impl FromStr for ActivityKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ActivityKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| "Choose note, call, meeting or e-mail.".to_string())
    }
}

/// The "Log activity" form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityInput {
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// When it happened, `YYYY-MM-DDTHH:MM` in UTC (a `datetime-local` field); empty for now.
    pub happened_at: String,
    /// The contact it is about (an id), if any.
    pub contact: String,
    /// The company it is about (an id), if any.
    pub company: String,
}

impl ActivityInput {
    pub fn echo(&self) -> Vec<(&'static str, String)> {
        vec![
            ("kind", self.kind.clone()),
            ("subject", self.subject.clone()),
            ("body", self.body.clone()),
            ("happened_at", self.happened_at.clone()),
            ("contact", self.contact.clone()),
            ("company", self.company.clone()),
        ]
    }
}

/// A valid activity, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDraft {
    pub kind: ActivityKind,
    pub subject: String,
    pub body: String,
    pub happened_at: i64,
    pub contact_id: Option<i64>,
    pub company_id: Option<i64>,
}

impl ActivityDraft {
    /// `now` is when the form arrived: the time of an activity logged without one.
    pub fn parse(input: &ActivityInput, now: i64) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = errors.check(
            "kind",
            if input.kind.trim().is_empty() {
                Ok(ActivityKind::default())
            } else {
                input.kind.parse()
            },
        );
        let subject = errors.check("subject", text(&input.subject, SUBJECT_MAX_CHARS, false));
        if subject.as_deref() == Some("") {
            errors.add("subject", "Say in a few words what happened.");
        }
        let body = errors.check("body", text(&input.body, NOTES_MAX_CHARS, true));
        let happened_at = errors.check("happened_at", moment(&input.happened_at, now));
        let contact_id = errors.check("contact", optional_id(&input.contact));
        let company_id = errors.check("company", optional_id(&input.company));
        if let (Some(None), Some(None)) = (contact_id, company_id) {
            errors.add("subject", ACTIVITY_WITHOUT_RECORD);
        }
        match (kind, subject, body, happened_at, contact_id, company_id) {
            (
                Some(kind),
                Some(subject),
                Some(body),
                Some(happened_at),
                Some(contact_id),
                Some(company_id),
            ) if errors.is_empty() => Ok(ActivityDraft {
                kind,
                subject,
                body,
                happened_at,
                contact_id,
                company_id,
            }),
            _ => Err(errors),
        }
    }
}

/// When an activity happened, from a `datetime-local` value in UTC (seconds optional; a space
/// instead of the `T` is fine); empty means `now`. Up to a year ahead (a planned meeting).
pub fn moment(input: &str, now: i64) -> Result<i64, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(now);
    }
    let normalized = input.replacen(' ', "T", 1);
    let parsed = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(&normalized, format).ok())
        .ok_or_else(|| "Give a date and time like 2026-03-14 09:30.".to_string())?;
    let at = parsed.and_utc().timestamp();
    if !(0..=now + 366 * 86_400).contains(&at) {
        return Err("Give a date between 1970 and a year from now.".into());
    }
    Ok(at)
}

/// A moment as a `datetime-local` field holds it (UTC, to the minute).
pub fn moment_field(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// An activity as a timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: i64,
    pub version: i64,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: String,
    pub happened_at: i64,
    pub author_id: Option<i64>,
    /// Who logged it ("" once their account is gone).
    pub author: String,
    pub contact: Option<(i64, String)>,
    pub company: Option<(i64, String)>,
    pub updated: Stamp,
}

impl ActivityView {
    pub fn input(&self) -> ActivityInput {
        ActivityInput {
            kind: self.kind.as_str().to_owned(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            happened_at: moment_field(self.happened_at),
            contact: self
                .contact
                .as_ref()
                .map(|c| c.0.to_string())
                .unwrap_or_default(),
            company: self
                .company
                .as_ref()
                .map(|c| c.0.to_string())
                .unwrap_or_default(),
        }
    }
}

/// A page of a record's timeline, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub entries: Vec<ActivityView>,
    /// Where the next (older) page starts (`happened_at.id` of the last entry).
    pub older: Option<String>,
    pub now: i64,
    /// The viewer may log activities, and change those they logged.
    pub can_log: bool,
    /// The viewer may change anyone's activities (an admin).
    pub can_change_all: bool,
    pub me: i64,
}

impl Timeline {
    /// Whether the viewer may edit or delete `entry`.
    pub fn may_change(&self, entry: &ActivityView) -> bool {
        self.can_change_all || (self.can_log && entry.author_id == Some(self.me))
    }
}

/// Reads a timeline cursor (`happened_at.id`); `None` for anything malformed.
pub fn parse_timeline_cursor(text: &str) -> Option<(i64, i64)> {
    let (at, id) = text.split_once('.')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_571_795; // 2025-12-01 06:49:55 UTC

    fn input(given: &[(&str, &str)]) -> ActivityInput {
        let get = |k: &str| {
            given
                .iter()
                .find(|(n, _)| *n == k)
                .map_or("", |(_, v)| *v)
                .to_owned()
        };
        ActivityInput {
            kind: get("kind"),
            subject: get("subject"),
            body: get("body"),
            happened_at: get("happened_at"),
            contact: get("contact"),
            company: get("company"),
        }
    }

    #[test]
    fn an_activity_needs_a_subject_and_a_record() {
        let draft = ActivityDraft::parse(
            &input(&[
                ("kind", "call"),
                ("subject", " Intro call "),
                ("body", "Line 1\nLine 2"),
                ("contact", "7"),
            ]),
            NOW,
        )
        .unwrap();
        assert_eq!(draft.kind, ActivityKind::Call);
        assert_eq!(draft.subject, "Intro call");
        assert_eq!(draft.body, "Line 1\nLine 2", "line breaks are kept");
        assert_eq!(draft.happened_at, NOW, "no time given: now");
        let errors =
            ActivityDraft::parse(&input(&[("kind", "fax"), ("contact", "7")]), NOW).unwrap_err();
        assert!(errors.get("kind").is_some());
        assert!(errors.get("subject").is_some());
        let errors = ActivityDraft::parse(&input(&[("subject", "Hi")]), NOW).unwrap_err();
        assert!(errors.get("subject").is_some(), "no contact and no company");
    }

    #[test]
    fn times_are_read_as_utc_and_bounded() {
        assert_eq!(moment("2025-12-01T06:49", NOW), Ok(NOW - 55));
        assert_eq!(moment("2025-12-01 06:49:55", NOW), Ok(NOW));
        assert!(moment("yesterday", NOW).is_err());
        assert!(moment("2031-01-01T00:00", NOW).is_err());
        assert_eq!(moment_field(NOW), "2025-12-01T06:49");
        assert_eq!(parse_timeline_cursor("5.7"), Some((5, 7)));
        assert_eq!(parse_timeline_cursor("x"), None);
    }
}
