//! A contacts or companies list view as a CSV file: exactly the rows the view lists (its search,
//! filters and sort), every page of them, with every field. Rows are read in batches by keyset, so
//! memory stays flat, every statement is short, and the first bytes leave at once even for a
//! million rows. Written by the `csv` crate; cells that would start a spreadsheet formula are
//! neutralised (`domain::neutralise`).

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;

use super::auth::session::Auth;
use super::context::internal;
use super::db::{CompanyFilter, ContactFilter, Db};
use super::records::{company_filter, contact_filter};
use super::startup::AppState;
use crate::domain::{ListQuery, RecordKind, COMPANY_COLUMNS, CONTACT_COLUMNS};
use crate::error::AppError;

/// Rows read (and sent) at a time.
pub const BATCH_ROWS: u32 = 1_000;

/// The byte order mark, so that spreadsheets open the file as UTF-8.
const BOM: &[u8] = "\u{feff}".as_bytes();

enum Filter {
    Contacts(ContactFilter),
    Companies(CompanyFilter),
}

/// An export under way: call [`Export::next_chunk`] until it gives `None`.
pub struct Export {
    filter: Filter,
    query: ListQuery,
    after: Option<String>,
    started: bool,
    done: bool,
    rows: u64,
}

impl Export {
    /// The export of the list of `kind` that `query` (a list URL's parameters) describes; only
    /// contacts and companies have one.
    pub fn new(kind: RecordKind, query: ListQuery) -> Result<Self, AppError> {
        let filter = match kind {
            RecordKind::Contact => Filter::Contacts(contact_filter(&query)),
            RecordKind::Company => Filter::Companies(company_filter(&query)),
            RecordKind::Activity | RecordKind::Task => return Err(AppError::NotFound),
        };
        Ok(Self {
            filter,
            query,
            after: None,
            started: false,
            done: false,
            rows: 0,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The next piece of the file (the first one starts with the header), or `None` at its end.
    pub async fn next_chunk(&mut self, db: &Db) -> Result<Option<Vec<u8>>, AppError> {
        if self.done {
            return Ok(None);
        }
        let mut buffer = Vec::with_capacity(64 * 1024);
        if !self.started {
            buffer.extend_from_slice(BOM);
        }
        let mut out = csv::Writer::from_writer(buffer);
        if !self.started {
            let header: &[&str] = match self.filter {
                Filter::Contacts(_) => &CONTACT_COLUMNS,
                Filter::Companies(_) => &COMPANY_COLUMNS,
            };
            out.write_record(header).map_err(internal)?;
            self.started = true;
        }
        let after = self.after.as_deref();
        let batch = match &self.filter {
            Filter::Contacts(filter) => {
                db.export_contacts(filter, &self.query, BATCH_ROWS, after)
                    .await
            }
            Filter::Companies(filter) => {
                db.export_companies(filter, &self.query, BATCH_ROWS, after)
                    .await
            }
        }
        .map_err(internal)?;
        for row in &batch.rows {
            out.write_record(row).map_err(internal)?;
        }
        self.rows += batch.rows.len() as u64;
        self.after = batch.next;
        self.done = self.after.is_none();
        out.into_inner().map(Some).map_err(internal)
    }
}

/// The file's name: `contacts-2026-03-14.csv`.
pub fn file_name(kind: RecordKind, now: i64) -> String {
    let day = chrono::DateTime::from_timestamp(now, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    format!("{}-{day}.csv", kind.plural())
}

/// `GET /contacts/export?…`: the download, for anyone signed in (viewers too).
pub async fn contacts(
    state: State<AppState>,
    auth: Extension<Auth>,
    query: Query<Vec<(String, String)>>,
) -> Response {
    download(RecordKind::Contact, state, auth, query).await
}

/// `GET /companies/export?…`.
pub async fn companies(
    state: State<AppState>,
    auth: Extension<Auth>,
    query: Query<Vec<(String, String)>>,
) -> Response {
    download(RecordKind::Company, state, auth, query).await
}

async fn download(
    kind: RecordKind,
    State(state): State<AppState>,
    Extension(Auth(user)): Extension<Auth>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if user.is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let query = ListQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let mut export = match Export::new(kind, query) {
        Ok(export) => export,
        Err(error) => return error.status().into_response(),
    };
    // The first batch is read before answering, so that a failure is a clear error status rather
    // than a cut-off file.
    let first = match export.next_chunk(&state.db).await {
        Ok(first) => first.unwrap_or_default(),
        Err(error) => return error.status().into_response(),
    };
    let db = state.db.clone();
    let rest = futures_util::stream::try_unfold(export, move |mut export| {
        let db = db.clone();
        async move {
            let chunk = export.next_chunk(&db).await.map_err(|error| {
                tracing::error!(%error, rows = export.rows(), "export stopped");
                std::io::Error::other("the export stopped")
            })?;
            Ok::<_, std::io::Error>(chunk.map(|chunk| (Bytes::from(chunk), export)))
        }
    });
    let body = futures_util::stream::once(async move { Ok(Bytes::from(first)) }).chain(rest);
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file_name(kind, chrono::Utc::now().timestamp())
    );
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
