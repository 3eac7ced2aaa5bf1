//! The kinds of record a team keeps, and how the pages name them. Their addresses are in
//! `paths`; their tables and columns in `server::db`.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Contact,
    Company,
    Activity,
    Task,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Contact,
        RecordKind::Company,
        RecordKind::Activity,
        RecordKind::Task,
    ];

    /// The name forms and links use ("contact").
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::Contact => "contact",
            RecordKind::Company => "company",
            RecordKind::Activity => "activity",
            RecordKind::Task => "task",
        }
    }

    /// One of them, at the start of a sentence ("Contact").
    pub const fn label(self) -> &'static str {
        match self {
            RecordKind::Contact => "Contact",
            RecordKind::Company => "Company",
            RecordKind::Activity => "Activity",
            RecordKind::Task => "Task",
        }
    }

    /// Several of them, in a sentence ("contacts").
    pub const fn plural(self) -> &'static str {
        match self {
            RecordKind::Contact => "contacts",
            RecordKind::Company => "companies",
            RecordKind::Activity => "activities",
            RecordKind::Task => "tasks",
        }
    }

    /// The list's heading ("Contacts").
    pub const fn title(self) -> &'static str {
        match self {
            RecordKind::Contact => "Contacts",
            RecordKind::Company => "Companies",
            RecordKind::Activity => "Activities",
            RecordKind::Task => "Tasks",
        }
    }
}

impl RecordKind {
    /// The fields of its form, by name, with their labels, in order.
    pub const fn fields(self) -> &'static [(&'static str, &'static str)] {
        match self {
            RecordKind::Contact => CONTACT_FIELDS,
            RecordKind::Company => COMPANY_FIELDS,
            RecordKind::Activity => ACTIVITY_FIELDS,
            RecordKind::Task => TASK_FIELDS,
        }
    }

    /// The label of field `name` ("Job title"), or the name itself.
    pub fn field_label(self, name: &str) -> String {
        self.fields()
            .iter()
            .find(|(field, _)| *field == name)
            .map_or_else(|| name.to_owned(), |(_, label)| (*label).to_owned())
    }
}

const CONTACT_FIELDS: &[(&str, &str)] = &[
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("job_title", "Job title"),
    ("company", "Company"),
    ("city", "City"),
    ("status", "Status"),
    ("tags", "Tags"),
    ("notes", "Notes"),
    ("owner", "Owner"),
];

const COMPANY_FIELDS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("domain", "Domain"),
    ("industry", "Industry"),
    ("size", "Size"),
    ("phone", "Phone"),
    ("website", "Website"),
    ("street", "Street"),
    ("city", "City"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
    ("notes", "Notes"),
    ("owner", "Owner"),
];

const ACTIVITY_FIELDS: &[(&str, &str)] = &[
    ("kind", "Kind"),
    ("subject", "Subject"),
    ("body", "Details"),
    ("happened_at", "When"),
    ("contact", "Contact"),
    ("company", "Company"),
];

const TASK_FIELDS: &[(&str, &str)] = &[
    ("title", "Title"),
    ("due_date", "Due date"),
    ("due_time", "Due time"),
    ("assignee", "Assignee"),
    ("contact", "Contact"),
    ("company", "Company"),
    ("done", "Done"),
];

impl FromStr for RecordKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| "Unknown kind of record.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_their_names() {
        for kind in RecordKind::ALL {
            assert_eq!(kind.as_str().parse::<RecordKind>(), Ok(kind));
            assert_eq!(kind.label().to_lowercase(), kind.as_str());
            assert_eq!(kind.title().to_lowercase(), kind.plural());
        }
        assert!("contacts".parse::<RecordKind>().is_err());
    }
}
