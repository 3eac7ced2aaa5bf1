//! Which field each column of a spreadsheet holds: the fields a file of each kind may hold, the
//! headings other programs give them, the guess from a header row, and the file's separator.

use super::RecordKind;

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
}
