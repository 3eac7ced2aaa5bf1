//! Customer records: companies and contacts, the rules their fields follow, and the shapes in
//! which pages receive them.
//!
//! A form arrives as text ([`ContactInput`], [`CompanyInput`]); `parse` turns it into a draft
//! whose every field is valid, or into [`FieldErrors`] naming each bad field with a message.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::values::{optional_id, text, website, DomainName, PhoneNumber, Tags};
use super::Email;
use crate::error::FieldErrors;

/// Longest free-text notes, in characters.
pub const NOTES_MAX_CHARS: usize = 10_000;

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

#[cfg(test)]
mod tests {
    use super::super::paging::{thousands, Total, COUNT_LIMIT};
    use super::super::values::phone_search_tokens;
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
