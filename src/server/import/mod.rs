//! CSV import: a stored file is checked (a dry run: what would be created, updated, skipped, and
//! every invalid row with its line and reason), then run in batches, each one transaction that
//! also records its progress, its history (with the import as author) and what it did to each
//! record, so that an import stopped part-way leaves no half-written batch, says where it
//! stopped, and can be undone as one unit.

pub mod file;
mod rows;
pub mod run;
pub mod sample;
pub mod source;
mod undo;
pub mod upload;
mod write;

pub use run::{check, import, Progress, Silent};
pub use undo::undo;

use crate::server::auth::session::now;
use crate::server::db::{CurrentUser, Db};

/// Runs an import's `check`, `run` or `undo` in the background, as `user`; a failure ends it with
/// a message on its page.
pub fn spawn(db: Db, id: i64, user: CurrentUser, step: String) {
    tokio::spawn(async move {
        let _job = crate::server::metrics::Job::start(match step.as_str() {
            "check" => "check",
            "run" => "run",
            _ => "undo",
        });
        let result = match step.as_str() {
            "check" => match file::local(&db, id).await {
                Ok(file) => check(&db, id, file.path(), &mut Silent).await.map(drop),
                Err(error) => Err(error),
            },
            "run" => {
                let result = match file::local(&db, id).await {
                    Ok(file) => import(&db, id, &user, file.path(), &mut Silent)
                        .await
                        .map(drop),
                    Err(error) => Err(error),
                };
                // The run has ended, however: its file is needed no more.
                if let Err(error) = file::remove(&db, id).await {
                    tracing::warn!(%error, import = id, "cannot remove an import's file");
                }
                result
            }
            _ => undo(&db, id, &user, &mut Silent).await.map(drop),
        };
        if let Err(error) = result {
            tracing::error!(%error, import = id, step, "import step failed");
            let recorded = match step.as_str() {
                "check" => db
                    .finish_import(id, "uploaded", None, "Stopped by an error on our side.", now())
                    .await
                    .map(drop),
                "run" => db
                    .finish_import(
                        id,
                        "failed",
                        None,
                        "Stopped by an error on our side; the rows imported before it stay imported.",
                        now(),
                    )
                    .await
                    .map(drop),
                // Back to `failed`, from where it can be undone again (unless it had finished).
                _ => db.stop_undos(Some(id), now()).await.map(drop),
            };
            if let Err(error) = recorded {
                tracing::error!(%error, import = id, "cannot record how an import ended");
            }
        }
    });
}
