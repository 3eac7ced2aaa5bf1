//! A spreadsheet's rows as the record forms receive them (columns mapped by `columns`), and what
//! becomes of a record that exists already. The rows themselves are checked by the forms' own
//! rules (`ContactDraft::parse`, `CompanyDraft::parse`).

use serde::{Deserialize, Serialize};

use super::exchange::restore;
use super::{CompanyInput, ContactInput};

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

fn value_of(values: &[(&'static str, String)], field: &str) -> String {
    values
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A contact form from its values by field name.
pub fn contact_input(values: &[(&'static str, String)]) -> ContactInput {
    let v = |field| value_of(values, field);
    ContactInput {
        first_name: v("first_name"),
        last_name: v("last_name"),
        email: v("email"),
        phone: v("phone"),
        job_title: v("job_title"),
        company: v("company"),
        city: v("city"),
        status: v("status"),
        tags: v("tags"),
        notes: v("notes"),
        owner: v("owner"),
    }
}

/// A company form from its values by field name.
pub fn company_input(values: &[(&'static str, String)]) -> CompanyInput {
    let v = |field| value_of(values, field);
    CompanyInput {
        name: v("name"),
        domain: v("domain"),
        industry: v("industry"),
        size: v("size"),
        phone: v("phone"),
        website: v("website"),
        street: v("street"),
        city: v("city"),
        postal_code: v("postal_code"),
        country: v("country"),
        notes: v("notes"),
        owner: v("owner"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
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
