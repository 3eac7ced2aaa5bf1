//! Customer records: companies and contacts, the rules their fields follow, and the shapes in
//! which pages receive them.
//!
//! A form arrives as text ([`ContactInput`], [`CompanyInput`]); `parse` turns it into a draft
//! whose every field is valid, or into [`FieldErrors`] naming each bad field with a message.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Email;
use crate::error::FieldErrors;

/// Longest free-text notes, in characters.
pub const NOTES_MAX_CHARS: usize = 10_000;
/// Counts above this are shown as "10,000+" rather than counted.
pub const COUNT_LIMIT: u64 = 10_000;
/// Records stay in the trash this long before they are deleted for good.
pub const TRASH_DAYS: i64 = 30;

/// Where a contact is in the sales pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactStatus {
    #[default]
    Lead,
    Prospect,
    Customer,
    Inactive,
}

impl ContactStatus {
    pub const ALL: [ContactStatus; 4] = [
        ContactStatus::Lead,
        ContactStatus::Prospect,
        ContactStatus::Customer,
        ContactStatus::Inactive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Lead => "lead",
            ContactStatus::Prospect => "prospect",
            ContactStatus::Customer => "customer",
            ContactStatus::Inactive => "inactive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ContactStatus::Lead => "Lead",
            ContactStatus::Prospect => "Prospect",
            ContactStatus::Customer => "Customer",
            ContactStatus::Inactive => "Inactive",
        }
    }
}

impl fmt::Display for ContactStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for ContactStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        ContactStatus::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| "Choose lead, prospect, customer or inactive.".to_string())
    }
}

/// Trims `input` and checks it is at most `max` characters without control characters
/// (line breaks are allowed only when `multiline`).
fn text(input: &str, max: usize, multiline: bool) -> Result<String, String> {
    let value = input.trim();
    if value.chars().count() > max {
        return Err(format!("Use at most {max} characters."));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err("This contains characters that cannot be shown.".into());
    }
    if value.chars().any(super::account::is_invisible_format) {
        return Err(super::account::INVISIBLE_MESSAGE.into());
    }
    Ok(value.to_owned())
}

/// A phone number as typed, with its digits for searching.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhoneNumber {
    typed: String,
    digits: String,
}

impl PhoneNumber {
    /// Accepts digits with the usual separators (spaces, dashes, dots, slashes, parentheses) and
    /// an optional leading `+`; 4 to 20 digits. Empty input is no number.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let typed = input.trim();
        if typed.is_empty() {
            return Ok(None);
        }
        if typed.chars().count() > 40 {
            return Err("Use at most 40 characters.".into());
        }
        // An extension ("x12", "ext. 12") may follow; it is not part of the searchable digits.
        let lower = typed.to_ascii_lowercase();
        let (main, extension) = lower.split_at(lower.find(['x', 'e']).unwrap_or(lower.len()));
        let main_ok = main
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || " -./()".contains(c) || (i == 0 && c == '+'));
        let extension_ok = extension.is_empty() || {
            let number = extension.trim_start_matches(|c: char| "extn. ".contains(c));
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
        };
        if !main_ok || !extension_ok {
            return Err("Use digits, spaces, dashes and brackets, like +44 20 7946 0958.".into());
        }
        let digits: String = main.chars().filter(char::is_ascii_digit).collect();
        if !(4..=20).contains(&digits.len()) {
            return Err("A phone number has 4 to 20 digits.".into());
        }
        Ok(Some(Self {
            typed: typed.to_owned(),
            digits,
        }))
    }

    pub fn typed(&self) -> &str {
        &self.typed
    }

    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The words the search index holds for this number: its digits, and its significant digits
    /// (leading zeros dropped) reversed, so that the end of a number matches as a prefix.
    pub fn search_tokens(&self) -> String {
        phone_search_tokens(&self.digits)
    }
}

/// See [`PhoneNumber::search_tokens`].
fn phone_search_tokens(digits: &str) -> String {
    if digits.is_empty() {
        return String::new();
    }
    let reversed: String = digits.trim_start_matches('0').chars().rev().collect();
    format!("{digits} r{reversed}")
}

/// An internet domain name, lower-case, without scheme or path ("acme.example").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let mut value = input.trim().to_lowercase();
        if value.is_empty() {
            return Ok(None);
        }
        for prefix in ["https://", "http://"] {
            if let Some(rest) = value.strip_prefix(prefix) {
                value = rest.to_owned();
            }
        }
        let value = value.trim_end_matches('/');
        let value = value.strip_prefix("www.").unwrap_or(value);
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if value.len() > 253 || !value.contains('.') || !value.split('.').all(valid_label) {
            return Err("Enter a domain name, like acme.example.".into());
        }
        Ok(Some(Self(value.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A web address; `https://` is added when no scheme is given.
fn website(input: &str) -> Result<String, String> {
    let value = text(input, 300, false)?;
    if value.is_empty() {
        return Ok(value);
    }
    let url = if value.contains("://") {
        value
    } else {
        format!("https://{value}")
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "Use a web address starting with https://.".to_string())?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || !host.contains('.') || host.contains(char::is_whitespace) {
        return Err("Enter a web address, like https://acme.example.".into());
    }
    Ok(url)
}

/// A contact's tags: trimmed, at most 20 of at most 40 characters, duplicates (ignoring case)
/// dropped, in the order given. Typed as one field, separated by commas.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tags(Vec<String>);

impl Tags {
    pub fn parse(input: &str) -> Result<Self, String> {
        let mut tags: Vec<String> = Vec::new();
        for tag in input.split(',') {
            let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
            if tag.is_empty() {
                continue;
            }
            if tag.chars().count() > 40 {
                return Err("Use at most 40 characters for each tag.".into());
            }
            if tag.chars().any(char::is_control) {
                return Err("A tag contains characters that cannot be shown.".into());
            }
            if tag.chars().any(super::account::is_invisible_format) {
                return Err(super::account::INVISIBLE_MESSAGE.into());
            }
            if !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
                tags.push(tag);
            }
        }
        if tags.len() > 20 {
            return Err("Use at most 20 tags.".into());
        }
        Ok(Self(tags))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// An optional numeric id typed in a form (hidden fields, selects): empty means none.
fn optional_id(input: &str) -> Result<Option<i64>, String> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(Some)
        .ok_or_else(|| "Choose one of the options.".to_string())
}

/// A contact form as submitted: every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    /// A company's name or domain, as typed.
    pub company: String,
    pub city: String,
    pub status: String,
    pub tags: String,
    pub notes: String,
    /// A user id, or empty for nobody.
    pub owner: String,
}

impl ContactInput {
    /// The values to show again in the form after an error.
    pub fn echo(&self) -> Vec<(&'static str, String)> {
        vec![
            ("first_name", self.first_name.clone()),
            ("last_name", self.last_name.clone()),
            ("email", self.email.clone()),
            ("phone", self.phone.clone()),
            ("job_title", self.job_title.clone()),
            ("company", self.company.clone()),
            ("city", self.city.clone()),
            ("status", self.status.clone()),
            ("tags", self.tags.clone()),
            ("notes", self.notes.clone()),
            ("owner", self.owner.clone()),
        ]
    }
}

/// A valid contact, ready to be stored (its company still to be looked up by name or domain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub job_title: String,
    pub company: String,
    pub city: String,
    pub status: ContactStatus,
    pub tags: Tags,
    pub notes: String,
    pub owner_id: Option<i64>,
}

impl ContactDraft {
    pub fn parse(input: &ContactInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = errors.check("first_name", text(&input.first_name, 100, false));
        let last_name = errors.check("last_name", text(&input.last_name, 100, false));
        if let (Some(first), Some(last)) = (&first_name, &last_name) {
            if first.is_empty() && last.is_empty() {
                errors.add("first_name", "Enter a first name or a last name.");
            }
        }
        let email = errors.check(
            "email",
            if input.email.trim().is_empty() {
                Ok(None)
            } else {
                Email::parse(&input.email).map(Some)
            },
        );
        let phone = errors.check("phone", PhoneNumber::parse(&input.phone));
        let job_title = errors.check("job_title", text(&input.job_title, 100, false));
        let company = errors.check("company", text(&input.company, 200, false));
        let city = errors.check("city", text(&input.city, 100, false));
        let status = errors.check(
            "status",
            if input.status.trim().is_empty() {
                Ok(ContactStatus::default())
            } else {
                input.status.parse()
            },
        );
        let tags = errors.check("tags", Tags::parse(&input.tags));
        let notes = errors.check("notes", text(&input.notes, NOTES_MAX_CHARS, true));
        let owner_id = errors.check("owner", optional_id(&input.owner));
        match (
            first_name, last_name, email, phone, job_title, company, city, status, tags, notes,
            owner_id,
        ) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(phone),
                Some(job_title),
                Some(company),
                Some(city),
                Some(status),
                Some(tags),
                Some(notes),
                Some(owner_id),
            ) if errors.is_empty() => Ok(Self {
                first_name,
                last_name,
                email,
                phone,
                job_title,
                company,
                city,
                status,
                tags,
                notes,
                owner_id,
            }),
            _ => Err(errors),
        }
    }
}

/// A company form as submitted: every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyInput {
    pub name: String,
    pub domain: String,
    pub industry: String,
    pub size: String,
    pub phone: String,
    pub website: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub notes: String,
    pub owner: String,
}

impl CompanyInput {
    pub fn echo(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("domain", self.domain.clone()),
            ("industry", self.industry.clone()),
            ("size", self.size.clone()),
            ("phone", self.phone.clone()),
            ("website", self.website.clone()),
            ("street", self.street.clone()),
            ("city", self.city.clone()),
            ("postal_code", self.postal_code.clone()),
            ("country", self.country.clone()),
            ("notes", self.notes.clone()),
            ("owner", self.owner.clone()),
        ]
    }
}

/// A valid company, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyDraft {
    pub name: String,
    pub domain: Option<DomainName>,
    pub industry: String,
    pub size: Option<i64>,
    pub phone: Option<PhoneNumber>,
    pub website: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub notes: String,
    pub owner_id: Option<i64>,
}

impl CompanyDraft {
    pub fn parse(input: &CompanyInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check(
            "name",
            text(&input.name, 200, false).and_then(|name| {
                if name.is_empty() {
                    Err("Enter the company's name.".to_string())
                } else {
                    Ok(name)
                }
            }),
        );
        let domain = errors.check("domain", DomainName::parse(&input.domain));
        let industry = errors.check("industry", text(&input.industry, 100, false));
        let size = errors.check("size", {
            let size = input.size.trim().replace([',', '_', ' '], "");
            if size.is_empty() {
                Ok(None)
            } else {
                size.parse::<i64>()
                    .ok()
                    .filter(|n| (0..=10_000_000).contains(n))
                    .map(Some)
                    .ok_or_else(|| "Enter the number of employees, like 250.".to_string())
            }
        });
        let phone = errors.check("phone", PhoneNumber::parse(&input.phone));
        let website = errors.check("website", website(&input.website));
        let street = errors.check("street", text(&input.street, 200, false));
        let city = errors.check("city", text(&input.city, 100, false));
        let postal_code = errors.check("postal_code", text(&input.postal_code, 20, false));
        let country = errors.check("country", text(&input.country, 100, false));
        let notes = errors.check("notes", text(&input.notes, NOTES_MAX_CHARS, true));
        let owner_id = errors.check("owner", optional_id(&input.owner));
        match (
            name,
            domain,
            industry,
            size,
            phone,
            website,
            street,
            city,
            postal_code,
            country,
            notes,
            owner_id,
        ) {
            (
                Some(name),
                Some(domain),
                Some(industry),
                Some(size),
                Some(phone),
                Some(website),
                Some(street),
                Some(city),
                Some(postal_code),
                Some(country),
                Some(notes),
                Some(owner_id),
            ) if errors.is_empty() => Ok(Self {
                name,
                domain,
                industry,
                size,
                phone,
                website,
                street,
                city,
                postal_code,
                country,
                notes,
                owner_id,
            }),
            _ => Err(errors),
        }
    }
}

/// Who did something, and when (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub at: i64,
    pub by: String,
}

/// A contact as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: i64,
    pub version: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub company_id: Option<i64>,
    pub company_name: String,
    pub city: String,
    pub status: ContactStatus,
    pub tags: Vec<String>,
    pub notes: String,
    pub owner_id: Option<i64>,
    pub owner_name: String,
    pub created: Stamp,
    pub updated: Stamp,
}

impl ContactView {
    pub fn name(&self) -> String {
        contact_name(&self.first_name, &self.last_name)
    }

    /// The form's fields filled with this contact.
    pub fn input(&self) -> ContactInput {
        ContactInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            job_title: self.job_title.clone(),
            company: self.company_name.clone(),
            city: self.city.clone(),
            status: self.status.as_str().to_owned(),
            tags: self.tags.join(", "),
            notes: self.notes.clone(),
            owner: self.owner_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }
}

/// "First Last", or whichever of the two there is.
pub fn contact_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

/// A company as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyView {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub domain: String,
    pub industry: String,
    pub size: Option<i64>,
    pub phone: String,
    pub website: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub notes: String,
    pub owner_id: Option<i64>,
    pub owner_name: String,
    pub created: Stamp,
    pub updated: Stamp,
}

impl CompanyView {
    pub fn input(&self) -> CompanyInput {
        CompanyInput {
            name: self.name.clone(),
            domain: self.domain.clone(),
            industry: self.industry.clone(),
            size: self.size.map(|n| n.to_string()).unwrap_or_default(),
            phone: self.phone.clone(),
            website: self.website.clone(),
            street: self.street.clone(),
            city: self.city.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.clone(),
            notes: self.notes.clone(),
            owner: self.owner_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }
}

/// One line of the contacts list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company_id: Option<i64>,
    pub company_name: String,
    pub city: String,
    pub status: ContactStatus,
    pub tags: Vec<String>,
    pub owner_name: String,
    pub updated_at: i64,
}

/// One line of the companies list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRow {
    pub id: i64,
    pub name: String,
    pub domain: String,
    pub industry: String,
    pub size: Option<i64>,
    pub city: String,
    pub owner_name: String,
    pub updated_at: i64,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Contact,
    Company,
}

impl RecordKind {
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Contact => "Contact",
            RecordKind::Company => "Company",
        }
    }

    /// The path of the list of such records ("/contacts").
    pub fn list_path(self) -> &'static str {
        match self {
            RecordKind::Contact => "/contacts",
            RecordKind::Company => "/companies",
        }
    }
}

impl RecordKind {
    /// The name forms and links use ("contact").
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Contact => "contact",
            RecordKind::Company => "company",
        }
    }
}

impl FromStr for RecordKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "contact" => Ok(RecordKind::Contact),
            "company" => Ok(RecordKind::Company),
            _ => Err("Unknown kind of record.".into()),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(first: &str, last: &str) -> ContactInput {
        ContactInput {
            first_name: first.into(),
            last_name: last.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_contact_needs_a_first_or_a_last_name() {
        assert!(ContactDraft::parse(&contact("Ann", "")).is_ok());
        assert!(ContactDraft::parse(&contact("", "Lee")).is_ok());
        let errors = ContactDraft::parse(&contact("  ", "")).unwrap_err();
        assert_eq!(
            errors.get("first_name"),
            Some("Enter a first name or a last name.")
        );
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let input = ContactInput {
            email: "not-an-email".into(),
            phone: "call me".into(),
            status: "friend".into(),
            notes: "x".repeat(NOTES_MAX_CHARS + 1),
            owner: "abc".into(),
            ..contact("Ann", "Lee")
        };
        let errors = ContactDraft::parse(&input).unwrap_err();
        for field in ["email", "phone", "status", "notes", "owner"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert!(errors.get("first_name").is_none());
    }

    #[test]
    fn emails_are_stored_lower_case_and_are_optional() {
        let input = ContactInput {
            email: " Ann.Lee@Example.COM ".into(),
            ..contact("Ann", "Lee")
        };
        let draft = ContactDraft::parse(&input).unwrap();
        assert_eq!(draft.email.unwrap().as_str(), "ann.lee@example.com");
        assert_eq!(
            ContactDraft::parse(&contact("Ann", "")).unwrap().email,
            None
        );
    }

    #[test]
    fn phones_keep_what_was_typed_and_their_digits() {
        let phone = PhoneNumber::parse(" +44 (20) 7946-0958 ").unwrap().unwrap();
        assert_eq!(phone.typed(), "+44 (20) 7946-0958");
        assert_eq!(phone.digits(), "442079460958");
        let phone = PhoneNumber::parse("555-0100 ext. 12").unwrap().unwrap();
        assert_eq!(phone.digits(), "5550100");
        assert_eq!(PhoneNumber::parse("").unwrap(), None);
        for bad in ["12", "call me", "+1 555 0100 <script>", &"1".repeat(21)] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_search_tokens_hold_the_digits_both_ways() {
        assert_eq!(
            phone_search_tokens("02079460958"),
            "02079460958 r8590649702"
        );
        assert_eq!(phone_search_tokens(""), "");
    }

    #[test]
    fn tags_are_split_trimmed_and_deduplicated() {
        let tags = Tags::parse(" vip, Newsletter ,,VIP,  trade   show ").unwrap();
        assert_eq!(tags.as_slice(), ["vip", "Newsletter", "trade show"]);
        assert!(Tags::parse(&"t,".repeat(5)).unwrap().as_slice().len() == 1);
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert!(Tags::parse(&many.join(",")).is_err());
    }

    #[test]
    fn domains_are_normalised() {
        for (typed, stored) in [
            ("Acme.Example", "acme.example"),
            ("https://www.acme.example/", "acme.example"),
            ("sub.acme.example", "sub.acme.example"),
        ] {
            assert_eq!(DomainName::parse(typed).unwrap().unwrap().as_str(), stored);
        }
        for bad in ["acme", "acme..example", "-acme.example", "acme example.com"] {
            assert!(DomainName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_company_needs_a_name_and_valid_numbers() {
        let errors = CompanyDraft::parse(&CompanyInput {
            size: "many".into(),
            website: "not a site".into(),
            ..Default::default()
        })
        .unwrap_err();
        for field in ["name", "size", "website"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let draft = CompanyDraft::parse(&CompanyInput {
            name: "Acme".into(),
            size: "1,250".into(),
            website: "acme.example".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(draft.size, Some(1250));
        assert_eq!(draft.website, "https://acme.example");
    }

    #[test]
    fn totals_are_described_for_people() {
        assert_eq!(Total::Exact(1).describe("contact", "contacts"), "1 contact");
        assert_eq!(
            Total::from_capped(1234).describe("contact", "contacts"),
            "1,234 contacts"
        );
        assert_eq!(
            Total::from_capped(COUNT_LIMIT + 1).describe("contact", "contacts"),
            "10,000+ contacts"
        );
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
