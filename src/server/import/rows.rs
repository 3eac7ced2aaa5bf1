//! One row of an import judged — create, update, skip, or invalid and why — by the forms' own
//! rules (`write` then writes it through the records' own save path, so an imported record is
//! exactly one a user could have typed in, with its history).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::domain::{
    company_input, company_row, contact_input, contact_row, import_fields, CompanyDraft,
    CompanyInput, ContactDraft, ContactInput, OnExisting, RecordKind,
};
use crate::error::{AppError, FieldErrors};
use crate::server::db::Db;

/// What becomes of a row.
pub enum Verdict {
    Create(Row),
    /// Record `id` at `version` gets these values; `old` holds the changed fields' values before.
    Update {
        row: Row,
        id: i64,
        version: i64,
        old: Vec<(String, String)>,
    },
    Skip,
    Invalid(String),
}

/// A row as the form receives it.
pub enum Row {
    /// With the company it names: found by domain or name, or created.
    Contact(ContactInput, CompanyNamed),
    Company(CompanyInput),
}

#[derive(Default)]
pub struct CompanyNamed {
    pub name: String,
    pub domain: String,
}

/// A form's values by field name.
type Values = Vec<(&'static str, String)>;

/// Judges and writes the rows of one file.
pub struct Rows {
    kind: RecordKind,
    mapping: Vec<Option<&'static str>>,
    columns: usize,
    on_existing: OnExisting,
    owners: HashMap<String, i64>,
    /// The line of each unique value seen (a hash of a contact's e-mail or a company's domain).
    seen: HashMap<u64, u64>,
}

fn hash_of(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// "E-mail: Enter an address like …; Phone: …".
pub(super) fn describe(kind: RecordKind, errors: &FieldErrors) -> String {
    errors
        .errors
        .iter()
        .map(|(field, message)| format!("{}: {message}", kind.field_label(field)))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Rows {
    pub async fn new(
        db: &Db,
        kind: RecordKind,
        mapping: &[Option<String>],
        columns: usize,
        on_existing: OnExisting,
    ) -> Result<Self, AppError> {
        let fields = import_fields(kind);
        let mapping = mapping
            .iter()
            .map(|field| {
                field
                    .as_deref()
                    .and_then(|f| fields.iter().find(|(name, _)| *name == f))
                    .map(|(name, _)| *name)
            })
            .collect();
        let owners = db.active_users_by_email().await?.into_iter().collect();
        Ok(Self {
            kind,
            mapping,
            columns,
            on_existing,
            owners,
            seen: HashMap::new(),
        })
    }

    fn owner(&self, email: &str) -> Result<String, String> {
        if email.is_empty() {
            return Ok(String::new());
        }
        self.owners
            .get(&email.to_lowercase())
            .map(i64::to_string)
            .ok_or_else(|| format!("Owner: nobody active has the e-mail {email}."))
    }

    /// A second row with the same unique value as an earlier one is refused.
    fn first_time(&mut self, what: &str, value: &str, line: u64) -> Result<(), String> {
        if value.is_empty() {
            return Ok(());
        }
        match self.seen.insert(hash_of(value), line) {
            Some(earlier) => {
                self.seen.insert(hash_of(value), earlier);
                Err(format!("The {what} {value} is also on line {earlier}."))
            }
            None => Ok(()),
        }
    }

    /// What becomes of the row on `line`.
    pub async fn judge(
        &mut self,
        db: &Db,
        line: u64,
        cells: &[String],
    ) -> Result<Verdict, AppError> {
        if cells.len() > self.columns {
            return Ok(Verdict::Invalid(format!(
                "The row has {} cells but the header names {} columns.",
                cells.len(),
                self.columns
            )));
        }
        match self.kind {
            RecordKind::Company => self.judge_company(db, line, cells).await,
            _ => self.judge_contact(db, line, cells).await,
        }
    }

    async fn judge_contact(
        &mut self,
        db: &Db,
        line: u64,
        cells: &[String],
    ) -> Result<Verdict, AppError> {
        let row = contact_row(cells, &self.mapping);
        let mut input = row.input;
        input.owner = match self.owner(&row.owner_email) {
            Ok(owner) => owner,
            Err(reason) => return Ok(Verdict::Invalid(reason)),
        };
        let company = CompanyNamed {
            name: input.company.clone(),
            domain: row.company_domain.to_lowercase(),
        };
        if !company.domain.is_empty() {
            input.company = company.domain.clone();
        }
        let draft = match ContactDraft::parse(&input) {
            Ok(draft) => draft,
            Err(errors) => return Ok(Verdict::Invalid(describe(RecordKind::Contact, &errors))),
        };
        if !input.company.is_empty() && db.find_companies(&input.company).await?.len() > 1 {
            return Ok(Verdict::Invalid(format!(
                "Company: several companies are called {}; give its domain.",
                input.company
            )));
        }
        let email = draft
            .email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default();
        if let Err(reason) = self.first_time("e-mail", &email, line) {
            return Ok(Verdict::Invalid(reason));
        }
        let existing = match email.is_empty() {
            true => None,
            false => db.contact_by_email(&email).await?,
        };
        let Some(id) = existing else {
            return Ok(Verdict::Create(Row::Contact(input, company)));
        };
        let Some(current) = db.contact(id).await? else {
            return Ok(Verdict::Create(Row::Contact(input, company)));
        };
        let version = current.version;
        // The company the row names is the contact's own, however it is written.
        if current.company_id.is_some() && !input.company.is_empty() {
            let found = db.find_companies(&input.company).await?;
            if found.len() == 1 && Some(found[0].id) == current.company_id {
                input.company = current.company_name.clone();
            }
        }
        let (merged, old) = self.merge(current.input().echo(), input.echo());
        match merged {
            None => Ok(Verdict::Skip),
            Some(values) => {
                let input = contact_input(&values);
                match ContactDraft::parse(&input) {
                    Ok(_) => Ok(Verdict::Update {
                        row: Row::Contact(input, company),
                        id,
                        version,
                        old,
                    }),
                    Err(errors) => Ok(Verdict::Invalid(describe(RecordKind::Contact, &errors))),
                }
            }
        }
    }

    async fn judge_company(
        &mut self,
        db: &Db,
        line: u64,
        cells: &[String],
    ) -> Result<Verdict, AppError> {
        let row = company_row(cells, &self.mapping);
        let mut input = row.input;
        input.owner = match self.owner(&row.owner_email) {
            Ok(owner) => owner,
            Err(reason) => return Ok(Verdict::Invalid(reason)),
        };
        let draft = match CompanyDraft::parse(&input) {
            Ok(draft) => draft,
            Err(errors) => return Ok(Verdict::Invalid(describe(RecordKind::Company, &errors))),
        };
        let domain = draft
            .domain
            .as_ref()
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default();
        let key = if domain.is_empty() {
            draft.name.to_lowercase()
        } else {
            domain.clone()
        };
        if let Err(reason) = self.first_time(
            if domain.is_empty() { "name" } else { "domain" },
            &key,
            line,
        ) {
            return Ok(Verdict::Invalid(reason));
        }
        let found = db
            .find_companies(if domain.is_empty() {
                &draft.name
            } else {
                &domain
            })
            .await?;
        let id = match found.as_slice() {
            [] => return Ok(Verdict::Create(Row::Company(input))),
            [one] => one.id,
            _ => {
                return Ok(Verdict::Invalid(format!(
                    "Several companies are called {}; give the domain.",
                    draft.name
                )))
            }
        };
        let Some(current) = db.company(id).await? else {
            return Ok(Verdict::Create(Row::Company(input)));
        };
        let version = current.version;
        let (merged, old) = self.merge(current.input().echo(), input.echo());
        match merged {
            None => Ok(Verdict::Skip),
            Some(values) => {
                let input = company_input(&values);
                match CompanyDraft::parse(&input) {
                    Ok(_) => Ok(Verdict::Update {
                        row: Row::Company(input),
                        id,
                        version,
                        old,
                    }),
                    Err(errors) => Ok(Verdict::Invalid(describe(RecordKind::Company, &errors))),
                }
            }
        }
    }

    /// The record's values with the row's merged in by the rule chosen, if anything changes, and
    /// the changed fields' old values.
    fn merge(
        &self,
        current: Vec<(&'static str, String)>,
        given: Vec<(&'static str, String)>,
    ) -> (Option<Values>, Vec<(String, String)>) {
        let mut old = Vec::new();
        let merged: Vec<(&'static str, String)> = current
            .into_iter()
            .map(|(field, value)| {
                let new = given
                    .iter()
                    .find(|(f, _)| *f == field)
                    .and_then(|(_, g)| self.on_existing.merge(&value, g));
                match new {
                    Some(new) => {
                        old.push((field.to_owned(), value));
                        (field, new.to_owned())
                    }
                    None => (field, value),
                }
            })
            .collect();
        if old.is_empty() {
            (None, old)
        } else {
            (Some(merged), old)
        }
    }
}
