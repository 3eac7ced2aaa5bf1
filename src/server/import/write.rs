//! Writing a judged row through the records' own save path (`records::save`), its company found
//! or created first; a save's refusal becomes the row's problem, not the import's failure.

use super::rows::{describe, CompanyNamed, Row, Rows, Verdict};
use crate::domain::{CompanyInput, RecordKind};
use crate::error::AppError;
use crate::server::db::{CurrentUser, Db, Effect};
use crate::server::records::save;

impl Rows {
    /// Writes a row judged `Create` or `Update` as `user`; what it did, or why the row could not
    /// be written after all (someone changed the record since it was judged, say).
    pub async fn write(
        &self,
        db: &Db,
        user: &CurrentUser,
        verdict: Verdict,
        now: i64,
    ) -> Result<Result<Effect, String>, AppError> {
        let (row, id, version, old) = match verdict {
            Verdict::Create(row) => (row, None, 0, Vec::new()),
            Verdict::Update {
                row,
                id,
                version,
                old,
            } => (row, Some(id), version, old),
            Verdict::Skip | Verdict::Invalid(_) => {
                return Err(AppError::Internal);
            }
        };
        let saved = match row {
            Row::Contact(input, company) => {
                if let Err(reason) = ensure_company(db, user, &company, now).await? {
                    return Ok(Err(reason));
                }
                written(
                    save(db, user, id, version, &input, now).await,
                    RecordKind::Contact,
                )?
            }
            Row::Company(input) => written(
                save(db, user, id, version, &input, now).await,
                RecordKind::Company,
            )?,
        };
        Ok(saved.map(|record_id| Effect {
            record_id,
            created: id.is_none(),
            version: version + 1,
            old_values: old,
        }))
    }
}

/// A save's outcome for an import: a refusal is the row's problem, a failure is the import's.
fn written(
    saved: Result<i64, AppError>,
    kind: RecordKind,
) -> Result<Result<i64, String>, AppError> {
    match saved {
        Ok(id) => Ok(Ok(id)),
        Err(AppError::Validation(errors)) => Ok(Err(describe(kind, &errors))),
        Err(AppError::StaleEdit(_)) => Ok(Err(
            "The record was changed meanwhile; import the row again.".into(),
        )),
        Err(AppError::NotFound) => Ok(Err("The record went to the trash meanwhile.".into())),
        Err(error) => Err(error),
    }
}

/// The company a contact row names exists once this returns `Ok(Ok(()))`: found by its domain
/// or name, or created.
async fn ensure_company(
    db: &Db,
    user: &CurrentUser,
    company: &CompanyNamed,
    now: i64,
) -> Result<Result<(), String>, AppError> {
    let key = if company.domain.is_empty() {
        &company.name
    } else {
        &company.domain
    };
    if key.is_empty() || !db.find_companies(key).await?.is_empty() {
        return Ok(Ok(()));
    }
    let input = CompanyInput {
        name: if company.name.is_empty() {
            company.domain.clone()
        } else {
            company.name.clone()
        },
        domain: company.domain.clone(),
        ..Default::default()
    };
    Ok(written(
        save(db, user, None, 0, &input, now).await,
        RecordKind::Company,
    )?
    .map(|_| ()))
}
