//! The three long jobs of an import, each callable from the page (in the background) and from
//! the command line (with a progress bar): check, import, undo. Each moves the import out of its
//! busy state when it ends, saying why when it stopped early.

use std::path::Path;

use super::rows::{Rows, Verdict};
use super::source::Source;
use crate::domain::{ImportCounts, ImportView, RecordKind};
use crate::error::AppError;
use crate::server::auth::session::now;
pub use crate::server::db::seed::{Progress, Silent};
use crate::server::db::{CurrentUser, Db};

/// Rows judged or written per transaction: short enough that other users' saves wait at most a
/// moment for the database.
pub const BATCH_ROWS: usize = 250;

/// Invalid rows remembered per batch (the import keeps the first thousand).
const PROBLEMS_PER_BATCH: usize = 100;

pub(super) async fn load(db: &Db, id: i64) -> Result<ImportView, AppError> {
    db.import(id, 20).await?.ok_or(AppError::NotFound)
}

/// Reads up to a batch of rows; the error ends the file.
fn next_batch(source: &mut Source) -> (Vec<(u64, Vec<String>)>, Option<String>) {
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    while batch.len() < BATCH_ROWS {
        match source.next_row() {
            Ok(Some(row)) => batch.push(row),
            Ok(None) => break,
            Err(message) => return (batch, Some(message)),
        }
    }
    (batch, None)
}

/// Whether the mapping can make records at all: a contact needs a name or an e-mail, a company
/// a name.
fn mapping_problem(view: &ImportView) -> Option<&'static str> {
    let mapped = |field: &str| view.mapping.iter().flatten().any(|f| f == field);
    match view.kind {
        RecordKind::Company if !mapped("name") => {
            Some("Choose the column that holds the company's name.")
        }
        RecordKind::Contact
            if !["first_name", "last_name", "name", "email"]
                .iter()
                .any(|f| mapped(f)) =>
        {
            Some("Choose the columns that hold the contact's name or e-mail.")
        }
        _ => None,
    }
}

/// The dry run of import `id` (in state `checking`): judges every row of `file` without writing
/// any, storing the counts and the invalid rows. Ends `checked`, or back at `uploaded` with the
/// reason when the file cannot be imported.
pub async fn check<P: Progress + Send + ?Sized>(
    db: &Db,
    id: i64,
    file: &Path,
    progress: &mut P,
) -> Result<ImportView, AppError> {
    let view = load(db, id).await?;
    let fail = |message: String| async move {
        db.finish_import(id, "uploaded", None, &message, now())
            .await?;
        load(db, id).await
    };
    if let Some(problem) = mapping_problem(&view) {
        return fail(problem.into()).await;
    }
    let mut source = match Source::open(file) {
        Ok(source) => source,
        Err(message) => return fail(message).await,
    };
    let mut rows = Rows::new(
        db,
        view.kind,
        &view.mapping,
        source.header.len(),
        view.on_existing,
    )
    .await?;
    progress.stage("checking rows", 0);
    let mut total = 0u64;
    loop {
        let (batch, error) = next_batch(&mut source);
        let mut counts = ImportCounts::default();
        let mut problems = Vec::new();
        for (line, cells) in &batch {
            match rows.judge(db, *line, cells).await? {
                Verdict::Create(_) => counts.created += 1,
                Verdict::Update { .. } => counts.updated += 1,
                Verdict::Skip => counts.skipped += 1,
                Verdict::Invalid(reason) => {
                    counts.invalid += 1;
                    if problems.len() < PROBLEMS_PER_BATCH {
                        problems.push((*line, reason));
                    }
                }
            }
        }
        total += batch.len() as u64;
        db.import_progress(id, batch.len() as u64, counts, &problems)
            .await?;
        progress.advance(batch.len() as u64);
        crate::server::metrics::import_rows("check", batch.len() as u64);
        if let Some(message) = error {
            return fail(message).await;
        }
        if batch.len() < BATCH_ROWS {
            break;
        }
        if db.import_cancelled(id).await? {
            return fail(format!("The check was cancelled after {total} rows.")).await;
        }
    }
    progress.finish();
    if total == 0 {
        return fail("The file has a header row but no rows to import.".into()).await;
    }
    db.finish_import(id, "checked", Some(total), "", now())
        .await?;
    load(db, id).await
}

/// Runs import `id` (in state `running`) as `user`: every row judged again and written, a batch
/// per transaction with its progress, history and effects. Ends `done`, `cancelled` or `failed`
/// (with the line it stopped at); the batches before stay written.
pub async fn import<P: Progress + Send + ?Sized>(
    db: &Db,
    id: i64,
    user: &CurrentUser,
    file: &Path,
    progress: &mut P,
) -> Result<ImportView, AppError> {
    let view = load(db, id).await?;
    let finish = |state: &'static str, total: Option<u64>, message: String| async move {
        db.finish_import(id, state, total, &message, now()).await?;
        load(db, id).await
    };
    let mut source = match Source::open(file) {
        Ok(source) => source,
        Err(message) => return finish("failed", None, message).await,
    };
    let mut rows = Rows::new(
        db,
        view.kind,
        &view.mapping,
        source.header.len(),
        view.on_existing,
    )
    .await?;
    progress.stage("importing rows", view.rows_total);
    let mut done = 0u64;
    loop {
        let (batch, error) = next_batch(&mut source);
        let at = now();
        let rows = &mut rows;
        let written = db
            .atomically(|db| async move {
                let before = db.last_change().await?;
                let mut counts = ImportCounts::default();
                let mut problems = Vec::new();
                for (line, cells) in &batch {
                    let verdict = rows.judge(&db, *line, cells).await?;
                    let problem = match verdict {
                        Verdict::Skip => {
                            counts.skipped += 1;
                            None
                        }
                        Verdict::Invalid(reason) => Some(reason),
                        verdict => match rows.write(&db, user, verdict, at).await? {
                            Ok(effect) => {
                                if effect.created {
                                    counts.created += 1;
                                } else {
                                    counts.updated += 1;
                                }
                                db.record_effect(id, &effect).await?;
                                None
                            }
                            Err(reason) => Some(reason),
                        },
                    };
                    if let Some(reason) = problem {
                        counts.invalid += 1;
                        if problems.len() < PROBLEMS_PER_BATCH {
                            problems.push((*line, reason));
                        }
                    }
                }
                db.tag_changes(id, before).await?;
                db.import_progress(id, batch.len() as u64, counts, &problems)
                    .await?;
                Ok::<_, AppError>(batch.len() as u64)
            })
            .await;
        let written = match written {
            Ok(written) => written,
            Err(error) => {
                tracing::error!(%error, import = id, after = done, "import batch failed");
                return finish(
                    "failed",
                    None,
                    format!("Stopped by an error on our side after {done} rows; those rows were imported, the rest were not."),
                )
                .await;
            }
        };
        done += written;
        progress.advance(written);
        crate::server::metrics::import_rows("run", written);
        if let Some(message) = error {
            return finish(
                "failed",
                None,
                format!("{message} The {done} rows before it were imported."),
            )
            .await;
        }
        if (written as usize) < BATCH_ROWS {
            break;
        }
        db.background_turn().await;
        if db.import_cancelled(id).await? {
            return finish(
                "cancelled",
                None,
                format!(
                    "Cancelled after {done} rows; those rows were imported, the rest were not."
                ),
            )
            .await;
        }
    }
    progress.finish();
    tracing::info!(import = id, rows = done, "import finished");
    finish("done", Some(done), String::new()).await
}
