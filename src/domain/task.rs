//! Tasks: what someone has to do, by when, assigned to a user, optionally about a contact or a
//! company; open or done.

use serde::{Deserialize, Serialize};

use super::activity::moment_field;
use super::values::{optional_id, text};
use crate::error::FieldErrors;

/// Longest title, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// Tasks on one page of `/tasks`.
pub const TASKS_PAGE: u32 = 50;

/// The task form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    pub title: String,
    /// `YYYY-MM-DD`, or empty for no due date.
    pub due_date: String,
    /// `HH:MM` (UTC), or empty for "by the end of the day".
    pub due_time: String,
    /// A user id, or empty for nobody.
    pub assignee: String,
    pub contact: String,
    pub company: String,
    /// "1" when done.
    pub done: String,
}

impl TaskInput {
    pub fn echo(&self) -> Vec<(&'static str, String)> {
        vec![
            ("title", self.title.clone()),
            ("due_date", self.due_date.clone()),
            ("due_time", self.due_time.clone()),
            ("assignee", self.assignee.clone()),
            ("contact", self.contact.clone()),
            ("company", self.company.clone()),
            ("done", self.done.clone()),
        ]
    }
}

/// When a task is due: the moment it becomes overdue, and whether a time was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub at: i64,
    pub has_time: bool,
}

impl Due {
    /// From a date and an optional time (UTC). Without a time, due by the end of that day.
    pub fn parse(date: &str, time: &str) -> Result<Option<Due>, (&'static str, String)> {
        let (date, time) = (date.trim(), time.trim());
        if date.is_empty() {
            return if time.is_empty() {
                Ok(None)
            } else {
                Err(("due_date", "Give the day as well as the time.".into()))
            };
        }
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| ("due_date", "Give a date like 2026-03-14.".to_string()))?;
        if time.is_empty() {
            let end = day
                .and_hms_opt(23, 59, 59)
                .ok_or(("due_date", "Give a date like 2026-03-14.".to_string()))?;
            return Ok(Some(Due {
                at: end.and_utc().timestamp(),
                has_time: false,
            }));
        }
        let time = ["%H:%M", "%H:%M:%S"]
            .iter()
            .find_map(|f| chrono::NaiveTime::parse_from_str(time, f).ok())
            .ok_or(("due_time", "Give a time like 09:30.".to_string()))?;
        Ok(Some(Due {
            at: day.and_time(time).and_utc().timestamp(),
            has_time: true,
        }))
    }

    /// The form's date field (`YYYY-MM-DD`).
    pub fn date_field(self) -> String {
        moment_field(self.at)[..10].to_owned()
    }

    /// The form's time field (`HH:MM`), empty without a time.
    pub fn time_field(self) -> String {
        if self.has_time {
            moment_field(self.at)[11..].to_owned()
        } else {
            String::new()
        }
    }

    /// "14 Mar 2026" or "14 Mar 2026, 09:30 UTC".
    pub fn describe(self) -> String {
        chrono::DateTime::from_timestamp(self.at, 0)
            .map(|t| {
                if self.has_time {
                    t.format("%-d %b %Y, %H:%M UTC").to_string()
                } else {
                    t.format("%-d %b %Y").to_string()
                }
            })
            .unwrap_or_default()
    }

    pub fn is_overdue(self, now: i64) -> bool {
        self.at < now
    }
}

/// A valid task, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDraft {
    pub title: String,
    pub due: Option<Due>,
    pub assignee_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub company_id: Option<i64>,
    pub done: bool,
}

impl TaskDraft {
    pub fn parse(input: &TaskInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", text(&input.title, TITLE_MAX_CHARS, false));
        if title.as_deref() == Some("") {
            errors.add("title", "Say what is to be done.");
        }
        let due = match Due::parse(&input.due_date, &input.due_time) {
            Ok(due) => Some(due),
            Err((field, message)) => {
                errors.add(field, message);
                None
            }
        };
        let assignee_id = errors.check("assignee", optional_id(&input.assignee));
        let contact_id = errors.check("contact", optional_id(&input.contact));
        let company_id = errors.check("company", optional_id(&input.company));
        match (title, due, assignee_id, contact_id, company_id) {
            (Some(title), Some(due), Some(assignee_id), Some(contact_id), Some(company_id))
                if errors.is_empty() =>
            {
                Ok(TaskDraft {
                    title,
                    due,
                    assignee_id,
                    contact_id,
                    company_id,
                    done: matches!(input.done.trim(), "1" | "true" | "on"),
                })
            }
            _ => Err(errors),
        }
    }
}

/// A task as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub due: Option<Due>,
    pub assignee: Option<(i64, String)>,
    pub contact: Option<(i64, String)>,
    pub company: Option<(i64, String)>,
    pub done_at: Option<i64>,
    pub updated: super::Stamp,
}

impl TaskView {
    pub fn input(&self) -> TaskInput {
        let id =
            |r: &Option<(i64, String)>| r.as_ref().map(|r| r.0.to_string()).unwrap_or_default();
        TaskInput {
            title: self.title.clone(),
            due_date: self.due.map(Due::date_field).unwrap_or_default(),
            due_time: self.due.map(Due::time_field).unwrap_or_default(),
            assignee: id(&self.assignee),
            contact: id(&self.contact),
            company: id(&self.company),
            done: if self.done_at.is_some() { "1" } else { "" }.to_owned(),
        }
    }

    pub fn is_overdue(&self, now: i64) -> bool {
        self.done_at.is_none() && self.due.is_some_and(|d| d.is_overdue(now))
    }
}

/// Which tasks `/tasks` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    #[default]
    Open,
    Done,
}

/// The filters of `/tasks`, from its URL (each may be left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskQuery {
    /// A user id, "me" (the default) or "anyone".
    pub assignee: String,
    /// "open" (the default) or "done".
    pub state: String,
    /// "", "overdue" or "week" (due within the next 7 days, overdue included).
    pub due: String,
    /// Where the page starts (`due.id` of the last task of the previous one).
    pub after: String,
}

impl TaskQuery {
    pub fn state(&self) -> TaskState {
        match self.state.as_str() {
            "done" => TaskState::Done,
            _ => TaskState::Open,
        }
    }

    /// The link to these filters from `after`.
    pub fn href(&self, path: &str, after: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("assignee", self.assignee.as_str()),
            ("state", self.state.as_str()),
            ("due", self.due.as_str()),
            ("after", after),
        ] {
            if !value.is_empty() {
                query.append_pair(key, value);
            }
        }
        let query = query.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

/// A page of tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskList {
    pub tasks: Vec<TaskView>,
    /// Where the next page starts.
    pub next: Option<String>,
    pub now: i64,
    /// The viewer may add and change tasks.
    pub can_edit: bool,
    pub me: i64,
    /// People tasks can be assigned to.
    pub people: Vec<(i64, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_without_a_time_is_due_by_its_end() {
        let due = Due::parse("2026-03-14", "").unwrap().unwrap();
        assert!(!due.has_time);
        assert_eq!(due.describe(), "14 Mar 2026");
        assert_eq!(
            (due.date_field(), due.time_field()),
            ("2026-03-14".into(), String::new())
        );
        let timed = Due::parse("2026-03-14", "09:30").unwrap().unwrap();
        assert_eq!(timed.describe(), "14 Mar 2026, 09:30 UTC");
        assert_eq!(timed.time_field(), "09:30");
        assert!(timed.at < due.at);
        assert!(due.is_overdue(due.at + 1) && !due.is_overdue(due.at - 1));
        assert_eq!(Due::parse("", ""), Ok(None));
        assert_eq!(Due::parse("", "09:00").unwrap_err().0, "due_date");
        assert_eq!(Due::parse("14/03/2026", "").unwrap_err().0, "due_date");
        assert_eq!(Due::parse("2026-03-14", "9am").unwrap_err().0, "due_time");
    }

    #[test]
    fn a_task_needs_a_title() {
        let input = TaskInput {
            title: "  ".into(),
            ..Default::default()
        };
        assert!(TaskDraft::parse(&input).unwrap_err().get("title").is_some());
        let input = TaskInput {
            title: "Send the quote".into(),
            done: "1".into(),
            ..Default::default()
        };
        let draft = TaskDraft::parse(&input).unwrap();
        assert!(draft.done && draft.due.is_none());
    }

    #[test]
    fn filters_round_trip_through_links() {
        let q = TaskQuery {
            assignee: "anyone".into(),
            due: "overdue".into(),
            ..Default::default()
        };
        assert_eq!(q.href("/tasks", ""), "/tasks?assignee=anyone&due=overdue");
        assert_eq!(
            TaskQuery::default().href("/tasks", "5.2"),
            "/tasks?after=5.2"
        );
        assert_eq!(q.state(), TaskState::Open);
    }
}
