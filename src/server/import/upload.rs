//! `POST /import/upload`: a CSV file from the `/import` form (multipart, no JavaScript needed),
//! streamed to the data folder's `imports/` as it arrives, so memory stays flat whatever its size
//! (then kept as `file` says);
//! then its header is read, the columns are mapped from it, and the user goes to the import's
//! page. Whatever is wrong goes back to `/import` as a message.

use std::path::Path;

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use tokio::io::AsyncWriteExt;
use tower_sessions::Session;

use super::source::Source;
use crate::domain::{guess_mapping, RecordKind, Role};
use crate::paths;
use crate::server::auth::session::{now, Auth};
use crate::server::db::{CurrentUser, Db};
use crate::server::http::flash::leave_notes;
use crate::server::startup::AppState;

pub async fn upload(
    State(state): State<AppState>,
    Extension(Auth(user)): Extension<Auth>,
    session: Extension<Session>,
    headers: axum::http::HeaderMap,
    multipart: Multipart,
) -> Response {
    let Some(user) = user else {
        return axum::http::StatusCode::UNAUTHORIZED.into_response();
    };
    if !user.role.allows(Role::Member) {
        return axum::http::StatusCode::FORBIDDEN.into_response();
    }
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let received = if declared.is_some_and(|length| length > state.max_import_bytes) {
        Err(TOO_LARGE.to_owned())
    } else {
        receive(&state.db, &user, multipart).await
    };
    match received {
        Ok(id) => Redirect::to(&paths::import_path(id)).into_response(),
        Err(message) => {
            if let Err(error) =
                leave_notes(&session, paths::IMPORT, vec![("upload".into(), message)]).await
            {
                tracing::error!(%error, "cannot keep the upload's message");
            }
            Redirect::to(paths::IMPORT).into_response()
        }
    }
}

/// Stores the file and records the import; the error is what to tell the user.
async fn receive(db: &Db, user: &CurrentUser, mut multipart: Multipart) -> Result<i64, String> {
    let folder = super::file::folder(db);
    tokio::fs::create_dir_all(&folder)
        .await
        .map_err(|e| internal("cannot create the imports folder", e))?;
    let partial = folder.join(format!("upload-{}.partial", uuid::Uuid::new_v4()));
    let mut kind = RecordKind::Contact;
    let mut name = None;
    while let Some(mut field) = multipart.next_field().await.map_err(too_large_or_broken)? {
        match field.name() {
            Some("kind") => {
                let text = field.text().await.map_err(too_large_or_broken)?;
                kind = if text == "company" {
                    RecordKind::Company
                } else {
                    RecordKind::Contact
                };
            }
            Some("file") => {
                name = Some(
                    field
                        .file_name()
                        .unwrap_or("upload.csv")
                        .chars()
                        .take(200)
                        .collect::<String>(),
                );
                let mut file = tokio::fs::File::create(&partial)
                    .await
                    .map_err(|e| internal("cannot store an upload", e))?;
                let mut bytes = 0u64;
                loop {
                    let chunk = match field.chunk().await {
                        Ok(Some(chunk)) => chunk,
                        Ok(None) => break,
                        Err(error) => {
                            drop(file);
                            let _ = tokio::fs::remove_file(&partial).await;
                            return Err(too_large_or_broken(error));
                        }
                    };
                    bytes += chunk.len() as u64;
                    file.write_all(&chunk)
                        .await
                        .map_err(|e| internal("cannot store an upload", e))?;
                }
                file.flush()
                    .await
                    .map_err(|e| internal("cannot store an upload", e))?;
                if bytes == 0 {
                    let _ = tokio::fs::remove_file(&partial).await;
                    return Err("Choose a CSV file to upload.".into());
                }
            }
            _ => {}
        }
    }
    let Some(name) = name else {
        return Err("Choose a CSV file to upload.".into());
    };
    let stored = store(db, user, kind, &name, &partial).await;
    if stored.is_err() {
        let _ = tokio::fs::remove_file(&partial).await;
    }
    stored
}

/// Reads the header of the stored file, records the import with its guessed mapping, and keeps
/// the file under the import's id.
async fn store(
    db: &Db,
    user: &CurrentUser,
    kind: RecordKind,
    name: &str,
    partial: &Path,
) -> Result<i64, String> {
    let path = partial.to_owned();
    let header = tokio::task::spawn_blocking(move || Source::open(&path).map(|s| s.header))
        .await
        .map_err(|e| internal("cannot read an upload", e))??;
    let mapping = guess_mapping(kind, &header);
    let id = db
        .create_import(kind, name, user.id, now(), &header, &mapping)
        .await
        .map_err(|e| internal("cannot record an import", e))?;
    if let Err(error) = super::file::keep(db, id, partial).await {
        if let Err(error) = db.remove_uploaded_import(id).await {
            tracing::error!(%error, import = id, "cannot remove an import whose file was not kept");
        }
        return Err(internal("cannot store an upload", error));
    }
    tracing::info!(user = user.id, import = id, "file uploaded for import");
    Ok(id)
}

fn internal(what: &str, error: impl std::fmt::Display) -> String {
    tracing::error!(%error, "{what}");
    "Something went wrong on our side while storing the file. Please try again.".into()
}

const TOO_LARGE: &str =
    "The file is larger than this server accepts for an import (its --max-import-bytes).";

fn too_large_or_broken(error: axum::extract::multipart::MultipartError) -> String {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        TOO_LARGE.into()
    } else {
        format!(
            "The upload did not arrive whole ({}). Please try again.",
            error.body_text()
        )
    }
}
