//! Where an uploaded file is kept from its upload to the end of its run: in the data folder's
//! `imports/` on SQLite; in the database on PostgreSQL, where instances share the database and
//! the check or the run may happen on another instance than the upload (each step then reads a
//! copy in its own data folder, removed when the step ends).

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::AppError;
use crate::server::context::internal;
use crate::server::db::Db;

/// The size of the parts a file is kept in, in the database.
const PART_BYTES: usize = 1 << 20;

/// The folder of uploaded files, beside the database.
pub fn folder(db: &Db) -> PathBuf {
    db.path()
        .parent()
        .map_or_else(|| PathBuf::from("imports"), |dir| dir.join("imports"))
}

/// Where import `id`'s file is kept on SQLite.
fn file_of(db: &Db, id: i64) -> PathBuf {
    folder(db).join(format!("{id}.csv"))
}

/// Keeps the file received at `partial` (in [`folder`]) as import `id`'s.
pub async fn keep(db: &Db, id: i64, partial: &Path) -> Result<(), AppError> {
    if !db.keeps_import_files() {
        return tokio::fs::rename(partial, file_of(db, id))
            .await
            .map_err(internal);
    }
    store_parts(db, id, partial).await?;
    if let Err(error) = tokio::fs::remove_file(partial).await {
        tracing::warn!(%error, import = id, "cannot remove an upload's copy");
    }
    Ok(())
}

/// Stores the file at `path` in the database as import `id`'s, in parts.
async fn store_parts(db: &Db, id: i64, path: &Path) -> Result<(), AppError> {
    let mut file = tokio::fs::File::open(path).await.map_err(internal)?;
    let mut part = 0;
    loop {
        let mut data = Vec::with_capacity(PART_BYTES);
        (&mut file)
            .take(PART_BYTES as u64)
            .read_to_end(&mut data)
            .await
            .map_err(internal)?;
        if data.is_empty() {
            break;
        }
        db.add_import_file_part(id, part, &data).await?;
        part += 1;
    }
    Ok(())
}

/// Copies the files of the imports waiting for a check or a run from `source`'s data folder
/// into `target`'s database, where it keeps none for them yet (`clientele migrate-to-postgres`,
/// after the rows); how many.
pub async fn copy_waiting(source: &Db, target: &Db) -> Result<u64, AppError> {
    let mut copied = 0;
    for id in source.waiting_imports().await? {
        let path = file_of(source, id);
        if path.is_file() && !target.import_file_kept(id).await? {
            store_parts(target, id, &path).await?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// Import `id`'s file where this server can read it, for one step.
pub struct Local {
    path: PathBuf,
    /// A copy made for the step (removed with this).
    copy: bool,
}

impl Local {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        if self.copy {
            if let Err(error) = std::fs::remove_file(&self.path) {
                tracing::warn!(%error, path = %self.path.display(), "cannot remove an import's copy");
            }
        }
    }
}

/// Import `id`'s file for a step: on PostgreSQL copied from the database into this server's
/// folder. (A file that is gone reads as one that cannot be opened, which the step reports.)
pub async fn local(db: &Db, id: i64) -> Result<Local, AppError> {
    if !db.keeps_import_files() {
        return Ok(Local {
            path: file_of(db, id),
            copy: false,
        });
    }
    let folder = folder(db);
    tokio::fs::create_dir_all(&folder).await.map_err(internal)?;
    let local = Local {
        path: folder.join(format!("{id}-{}.copy", uuid::Uuid::new_v4())),
        copy: true,
    };
    let mut file = tokio::fs::File::create(&local.path)
        .await
        .map_err(internal)?;
    let mut part = 0;
    while let Some(data) = db.import_file_part(id, part).await? {
        file.write_all(&data).await.map_err(internal)?;
        part += 1;
    }
    file.flush().await.map_err(internal)?;
    Ok(local)
}

/// Forgets import `id`'s file: its run has ended.
pub async fn remove(db: &Db, id: i64) -> Result<(), AppError> {
    if db.keeps_import_files() {
        return Ok(db.forget_import_file(id).await?);
    }
    match tokio::fs::remove_file(file_of(db, id)).await {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(internal(error)),
        _ => Ok(()),
    }
}

/// Forgets the files of the imports whose run has ended (an undo needs no file); how many.
pub async fn remove_finished(db: &Db) -> Result<u64, sqlx::Error> {
    if db.keeps_import_files() {
        return db.forget_finished_import_files().await;
    }
    let mut removed = 0;
    for id in db.finished_imports().await? {
        match std::fs::remove_file(file_of(db, id)) {
            Ok(()) => removed += 1,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => tracing::warn!(%error, import = id, "cannot remove an import's file"),
        }
    }
    Ok(removed)
}
