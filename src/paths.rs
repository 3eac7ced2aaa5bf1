//! Every address the pages link to or redirect to, in one place. The route table that matches
//! them is `app.rs`; a record kind's addresses come from its [`RecordKind`].

use crate::domain::RecordKind;

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const REGISTER: &str = "/register";
pub const SETTINGS: &str = "/settings";
pub const SESSIONS: &str = "/settings/sessions";
pub const TOKENS: &str = "/settings/tokens";
pub const ADMIN_USERS: &str = "/admin/users";
pub const ADMIN_HISTORY: &str = "/admin/history";
pub const TRASH: &str = "/trash";
/// The live updates' event stream of a signed-in page.
pub const EVENTS: &str = "/events";

/// Page paths that need a signed-in user (and everything below them).
pub const PROTECTED: [&str; 8] = [
    "/tasks",
    IMPORT,
    SETTINGS,
    "/admin",
    "/contacts",
    "/companies",
    "/activities",
    TRASH,
];

/// CSV imports: the list and the upload form, the file's upload, one import.
pub const IMPORT: &str = "/import";
pub const IMPORT_UPLOAD: &str = "/import/upload";
/// Sample files in the format an import reads (and an export writes).
pub const IMPORT_SAMPLE: &str = "/import/sample.csv";
pub const IMPORT_SAMPLE_COMPANIES: &str = "/import/sample-companies.csv";

pub fn import_path(id: i64) -> String {
    format!("{IMPORT}/{id}")
}

pub const CONTACTS_EXPORT: &str = "/contacts/export";
pub const COMPANIES_EXPORT: &str = "/companies/export";

impl RecordKind {
    /// The list of such records ("/contacts").
    pub const fn list_path(self) -> &'static str {
        match self {
            RecordKind::Contact => "/contacts",
            RecordKind::Company => "/companies",
            RecordKind::Activity => "/activities",
            RecordKind::Task => "/tasks",
        }
    }

    /// The form for a new one ("/contacts/new"). Activities are logged from a record's page: for
    /// them it is the list of the team's recent activity.
    pub const fn new_path(self) -> &'static str {
        match self {
            RecordKind::Contact => "/contacts/new",
            RecordKind::Company => "/companies/new",
            RecordKind::Activity => "/activities",
            RecordKind::Task => "/tasks",
        }
    }

    /// The list's CSV export, which takes the list's parameters ("/contacts/export").
    pub const fn export_path(self) -> Option<&'static str> {
        match self {
            RecordKind::Contact => Some(CONTACTS_EXPORT),
            RecordKind::Company => Some(COMPANIES_EXPORT),
            RecordKind::Activity | RecordKind::Task => None,
        }
    }

    /// A record's page ("/contacts/7").
    pub fn path(self, id: i64) -> String {
        format!("{}/{id}", self.list_path())
    }

    pub fn edit_path(self, id: i64) -> String {
        format!("{}/{id}/edit", self.list_path())
    }

    pub fn delete_path(self, id: i64) -> String {
        format!("{}/{id}/delete", self.list_path())
    }
}

/// The trash from the page after `cursor`.
pub fn trash_after(cursor: &str) -> String {
    let cursor: String = form_urlencoded::byte_serialize(cursor.as_bytes()).collect();
    format!("{TRASH}?after={cursor}")
}

/// The contacts of one company, in the contacts list.
pub fn contacts_of(company: i64) -> String {
    format!("{}?company={company}", RecordKind::Contact.list_path())
}

/// The new-contact form with its company filled in (by domain, or by name without one).
pub fn new_contact_at(company: &str) -> String {
    let company: String = form_urlencoded::byte_serialize(company.as_bytes()).collect();
    format!("{}?company={company}", RecordKind::Contact.new_path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_addresses_follow_their_kind() {
        let kind = RecordKind::Company;
        assert_eq!(kind.path(7), "/companies/7");
        assert_eq!(kind.edit_path(7), "/companies/7/edit");
        assert_eq!(kind.delete_path(7), "/companies/7/delete");
        assert_eq!(kind.new_path(), "/companies/new");
        assert_eq!(RecordKind::Contact.list_path(), "/contacts");
        assert_eq!(contacts_of(3), "/contacts?company=3");
        assert_eq!(new_contact_at("a&b co"), "/contacts/new?company=a%26b+co");
        assert_eq!(trash_after("5.contact.2"), "/trash?after=5.contact.2");
    }
}
