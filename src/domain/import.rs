//! Reading a spreadsheet into records: which field each column holds (guessed from its heading),
//! what becomes of a record that exists already, and which separator a file uses. The rows
//! themselves are checked by the forms' own rules (`ContactDraft::parse`, `CompanyDraft::parse`).

use serde::{Deserialize, Serialize};

use super::exchange::restore;
use super::{CompanyInput, ContactInput, RecordKind};

/// What an import does with a row whose record exists already (a contact with its e-mail, a
/// company with its domain or name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum OnExisting {
    /// Leave the record as it is.
    #[default]
    Skip,
    /// Fill the record's empty fields from the row.
    Fill,
    /// Replace the record's fields with the row's non-empty values.
    Overwrite,
}

impl OnExisting {
    pub const ALL: [OnExisting; 3] = [OnExisting::Skip, OnExisting::Fill, OnExisting::Overwrite];

    pub fn as_str(self) -> &'static str {
        match self {
            OnExisting::Skip => "skip",
            OnExisting::Fill => "fill",
            OnExisting::Overwrite => "overwrite",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OnExisting::Skip => "Skip it",
            OnExisting::Fill => "Fill its empty fields",
            OnExisting::Overwrite => "Overwrite its fields",
        }
    }

    /// The field's new value under this rule, or `None` to leave it.
    pub fn merge<'a>(self, current: &str, given: &'a str) -> Option<&'a str> {
        let given_something = !given.trim().is_empty();
        match self {
            OnExisting::Skip => None,
            OnExisting::Fill => (current.trim().is_empty() && given_something).then_some(given),
            OnExisting::Overwrite => (given_something && given != current).then_some(given),
        }
    }
}

impl std::str::FromStr for OnExisting {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == text.trim())
            .ok_or_else(|| "Choose skip, fill or overwrite.".to_string())
    }
}

/// The fields a contacts file may hold, with their labels. `name` is a whole name, split into
/// first and last; `company_domain` finds (or makes) the company by its domain.
pub const CONTACT_IMPORT_FIELDS: [(&str, &str); 13] = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("name", "Full name"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("job_title", "Job title"),
    ("company", "Company"),
    ("company_domain", "Company domain"),
    ("city", "City"),
    ("status", "Status"),
    ("tags", "Tags"),
    ("owner", "Owner's e-mail"),
    ("notes", "Notes"),
];

/// The fields a companies file may hold.
pub const COMPANY_IMPORT_FIELDS: [(&str, &str); 12] = [
    ("name", "Name"),
    ("domain", "Domain"),
    ("industry", "Industry"),
    ("size", "Employees"),
    ("phone", "Phone"),
    ("website", "Website"),
    ("street", "Street"),
    ("city", "City"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
    ("owner", "Owner's e-mail"),
    ("notes", "Notes"),
];

/// The fields a file of `kind` may hold.
pub fn import_fields(kind: RecordKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        RecordKind::Company => &COMPANY_IMPORT_FIELDS,
        _ => &CONTACT_IMPORT_FIELDS,
    }
}

/// Headings other programs use for each field, lower-case with anything but letters and digits
/// left out ("E-mail Address" → "emailaddress").
const CONTACT_HEADINGS: [(&str, &[&str]); 13] = [
    (
        "first_name",
        &["firstname", "givenname", "forename", "first"],
    ),
    ("last_name", &["lastname", "surname", "familyname", "last"]),
    (
        "name",
        &["name", "fullname", "contactname", "contact", "person"],
    ),
    (
        "email",
        &["email", "emailaddress", "mail", "workemail", "primaryemail"],
    ),
    (
        "phone",
        &[
            "phone",
            "phonenumber",
            "telephone",
            "tel",
            "mobile",
            "mobilephone",
            "cell",
            "workphone",
        ],
    ),
    ("job_title", &["jobtitle", "title", "position", "role"]),
    (
        "company",
        &[
            "company",
            "companyname",
            "organisation",
            "organization",
            "account",
            "accountname",
            "employer",
        ],
    ),
    (
        "company_domain",
        &["companydomain", "domain", "companywebsite"],
    ),
    ("city", &["city", "town"]),
    (
        "status",
        &["status", "leadstatus", "stage", "lifecyclestage"],
    ),
    ("tags", &["tags", "tag", "labels", "label"]),
    (
        "owner",
        &["owner", "owneremail", "contactowner", "assignedto"],
    ),
    (
        "notes",
        &["notes", "note", "description", "comments", "comment"],
    ),
];

const COMPANY_HEADINGS: [(&str, &[&str]); 12] = [
    (
        "name",
        &[
            "name",
            "companyname",
            "company",
            "organisation",
            "organization",
            "account",
            "accountname",
        ],
    ),
    ("domain", &["domain", "companydomain", "emaildomain"]),
    ("industry", &["industry", "sector"]),
    (
        "size",
        &[
            "employees",
            "size",
            "numberofemployees",
            "headcount",
            "staff",
        ],
    ),
    ("phone", &["phone", "phonenumber", "telephone", "tel"]),
    ("website", &["website", "web", "url", "homepage", "site"]),
    (
        "street",
        &["street", "address", "streetaddress", "address1"],
    ),
    ("city", &["city", "town"]),
    ("postal_code", &["postalcode", "postcode", "zip", "zipcode"]),
    ("country", &["country", "countryregion"]),
    (
        "owner",
        &[
            "owner",
            "owneremail",
            "companyowner",
            "accountowner",
            "assignedto",
        ],
    ),
    (
        "notes",
        &["notes", "note", "description", "comments", "comment"],
    ),
];

/// The field a column headed `heading` most likely holds in a file of `kind`.
pub fn guess_field(kind: RecordKind, heading: &str) -> Option<&'static str> {
    let key: String = heading
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let table: &[(&str, &[&str])] = match kind {
        RecordKind::Company => &COMPANY_HEADINGS,
        _ => &CONTACT_HEADINGS,
    };
    table
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(field, _)| *field)
}

/// For each column of `header`, its guessed field; a field is given to its first column only.
pub fn guess_mapping(kind: RecordKind, header: &[String]) -> Vec<Option<&'static str>> {
    let mut taken: Vec<&str> = Vec::new();
    header
        .iter()
        .map(|heading| {
            let field = guess_field(kind, heading).filter(|f| !taken.contains(f))?;
            taken.push(field);
            Some(field)
        })
        .collect()
}

/// The separator of a file whose first line is `line`: whichever of comma, semicolon and tab it
/// holds most often outside quotes (a comma when none).
pub fn detect_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &byte in line {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// One row of a contacts file as the contact form would receive it, with what the form does not
/// hold: the owner's e-mail and the company's domain (resolved against the store).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactRowInput {
    pub input: ContactInput,
    pub owner_email: String,
    pub company_domain: String,
}

/// One row of a companies file as the company form would receive it, with the owner's e-mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyRowInput {
    pub input: CompanyInput,
    pub owner_email: String,
}

/// The cells of `row` by field, as `mapping` assigns them (a neutralised formula restored).
fn cells<'a>(
    row: &'a [String],
    mapping: &'a [Option<&'static str>],
) -> impl Iterator<Item = (&'static str, String)> + 'a {
    mapping
        .iter()
        .zip(row)
        .filter_map(|(field, cell)| field.map(|field| (field, restore(cell.trim()).to_owned())))
}

pub fn contact_row(row: &[String], mapping: &[Option<&'static str>]) -> ContactRowInput {
    let mut out = ContactRowInput::default();
    let mut full_name = String::new();
    for (field, value) in cells(row, mapping) {
        let input = &mut out.input;
        let slot = match field {
            "first_name" => &mut input.first_name,
            "last_name" => &mut input.last_name,
            "name" => &mut full_name,
            "email" => &mut input.email,
            "phone" => &mut input.phone,
            "job_title" => &mut input.job_title,
            "company" => &mut input.company,
            "company_domain" => &mut out.company_domain,
            "city" => &mut input.city,
            "status" => &mut input.status,
            "tags" => &mut input.tags,
            "owner" => &mut out.owner_email,
            "notes" => &mut input.notes,
            _ => continue,
        };
        *slot = value;
    }
    out.input.status = out.input.status.to_lowercase();
    // A whole name fills the names not given on their own: the last word is the last name.
    if out.input.first_name.is_empty() && out.input.last_name.is_empty() {
        let full_name = full_name.split_whitespace().collect::<Vec<_>>();
        if let Some((last, first)) = full_name.split_last() {
            if first.is_empty() {
                out.input.first_name = (*last).to_owned();
            } else {
                out.input.first_name = first.join(" ");
                out.input.last_name = (*last).to_owned();
            }
        }
    }
    out
}

pub fn company_row(row: &[String], mapping: &[Option<&'static str>]) -> CompanyRowInput {
    let mut out = CompanyRowInput::default();
    for (field, value) in cells(row, mapping) {
        let input = &mut out.input;
        let slot = match field {
            "name" => &mut input.name,
            "domain" => &mut input.domain,
            "industry" => &mut input.industry,
            "size" => &mut input.size,
            "phone" => &mut input.phone,
            "website" => &mut input.website,
            "street" => &mut input.street,
            "city" => &mut input.city,
            "postal_code" => &mut input.postal_code,
            "country" => &mut input.country,
            "owner" => &mut out.owner_email,
            "notes" => &mut input.notes,
            _ => continue,
        };
        *slot = value;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn headings_of_other_programs_are_recognised() {
        for (heading, field) in [
            ("E-mail", "email"),
            ("Email Address", "email"),
            ("Phone number", "phone"),
            ("First Name", "first_name"),
            ("SURNAME", "last_name"),
            ("Company Name", "company"),
            ("Owner", "owner"),
        ] {
            assert_eq!(
                guess_field(RecordKind::Contact, heading),
                Some(field),
                "{heading}"
            );
        }
        assert_eq!(
            guess_field(RecordKind::Company, "Company Name"),
            Some("name")
        );
        assert_eq!(guess_field(RecordKind::Company, "Zip"), Some("postal_code"));
        assert_eq!(guess_field(RecordKind::Contact, "Favourite colour"), None);
    }

    #[test]
    fn our_own_export_maps_back_onto_every_field() {
        let header = strings(&crate::domain::CONTACT_COLUMNS);
        let mapping = guess_mapping(RecordKind::Contact, &header);
        let mapped: Vec<&str> = mapping.iter().flatten().copied().collect();
        assert_eq!(
            mapped,
            [
                "first_name",
                "last_name",
                "email",
                "phone",
                "job_title",
                "company",
                "company_domain",
                "city",
                "status",
                "tags",
                "owner",
                "notes"
            ]
        );
        let header = strings(&crate::domain::COMPANY_COLUMNS);
        let mapped = guess_mapping(RecordKind::Company, &header);
        assert_eq!(mapped.iter().flatten().count(), 12);
    }

    #[test]
    fn a_field_goes_to_its_first_column_only() {
        let mapping = guess_mapping(RecordKind::Contact, &strings(&["Email", "E-mail", "x"]));
        assert_eq!(mapping, [Some("email"), None, None]);
    }

    #[test]
    fn the_separator_is_found_outside_quotes() {
        assert_eq!(detect_delimiter(b"a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(detect_delimiter(b"a;b;\"c,d,e,f\"\n"), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"name"), b',');
    }

    #[test]
    fn a_row_becomes_the_forms_input() {
        let mapping = [
            Some("name"),
            Some("email"),
            Some("phone"),
            None,
            Some("status"),
        ];
        let row = contact_row(
            &strings(&[
                "Ann Marie Lee",
                " ann@example.com ",
                "'+44 20",
                "x",
                "Customer",
            ]),
            &mapping,
        );
        assert_eq!(row.input.first_name, "Ann Marie");
        assert_eq!(row.input.last_name, "Lee");
        assert_eq!(row.input.email, "ann@example.com");
        assert_eq!(
            row.input.phone, "+44 20",
            "the export's neutralised formula is undone"
        );
        assert_eq!(row.input.status, "customer");
        // A short row leaves the rest empty.
        let row = contact_row(&strings(&["Ann"]), &mapping);
        assert_eq!(
            (row.input.first_name.as_str(), row.input.last_name.as_str()),
            ("Ann", "")
        );
    }

    #[test]
    fn existing_records_are_merged_by_the_rule_chosen() {
        assert_eq!(OnExisting::Skip.merge("", "x"), None);
        assert_eq!(OnExisting::Fill.merge("", "x"), Some("x"));
        assert_eq!(OnExisting::Fill.merge("a", "x"), None);
        assert_eq!(OnExisting::Overwrite.merge("a", "x"), Some("x"));
        assert_eq!(
            OnExisting::Overwrite.merge("a", ""),
            None,
            "an empty cell erases nothing"
        );
        assert_eq!(OnExisting::Overwrite.merge("x", "x"), None);
        assert_eq!("fill".parse(), Ok(OnExisting::Fill));
        assert!("merge".parse::<OnExisting>().is_err());
    }
}
