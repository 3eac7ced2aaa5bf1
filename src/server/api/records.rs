//! What every record kind's endpoints share: list parameters and pages, reading `If-Match` and
//! `Idempotency-Key`, and get / create / update / delete / restore over the same save path as
//! the forms (their validation, history, optimistic locking and roles).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::ApiUser;
use super::problem::ApiError;
use crate::domain::{iso_time, ListQuery, Role, Total};
use crate::error::{AppError, FieldErrors};
use crate::server::auth::session::now;
use crate::server::db::Db;
use crate::server::idempotency;
use crate::server::records::{self, RecordForm};

/// A kind of record as the API shows and takes it.
pub trait ApiRecord: RecordForm + Serialize + Sized + Send {
    /// The record as the API answers it.
    type Out: Serialize + Send;
    /// What a create or an update sends (absent fields: empty on create, unchanged on update).
    type Body: Serialize + Clone + Send + Sync;

    /// The live record `id`: as the form would start (to apply an update to) and as answered.
    fn read(
        db: &Db,
        id: i64,
    ) -> impl std::future::Future<Output = Result<Option<(Self, Self::Out, i64)>, sqlx::Error>> + Send;
    /// Sets the fields `body` carries.
    fn apply(&mut self, body: Self::Body);
    /// The fields an update may not set, with why (none by default).
    fn fixed(body: &Self::Body) -> FieldErrors {
        let _ = body;
        FieldErrors::new()
    }
}

/// The list parameters every kind takes (those that do not apply to a kind are ignored).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Contacts and companies: words to search for (names, e-mail, phone numbers, notes…), as in
    /// the search box.
    pub q: Option<String>,
    /// Contacts: lead, prospect, customer or inactive.
    pub status: Option<String>,
    /// Contacts: a tag (any case).
    pub tag: Option<String>,
    /// Contacts and companies: the owner's user id.
    pub owner: Option<String>,
    /// Contacts: a company's id. Activities: a company's id (its timeline, which holds its
    /// contacts' activities too).
    pub company: Option<String>,
    /// Activities: a contact's id (its timeline). Not together with `company`.
    pub contact: Option<String>,
    /// Companies: an industry.
    pub industry: Option<String>,
    /// Tasks: a user's id, `me` (the token's owner; the default) or `anyone`.
    pub assignee: Option<String>,
    /// Tasks: `open` (the default) or `done`.
    pub state: Option<String>,
    /// Tasks: `overdue`, or `week` (due within 7 days, overdue ones included).
    pub due: Option<String>,
    /// Contacts and companies: the field to sort by (as the list page's column headings); newest
    /// first when searching. (Activities: newest first; tasks: by due moment, undated last.)
    pub sort: Option<String>,
    /// Contacts and companies: `asc` or `desc`.
    pub dir: Option<String>,
    /// Records per page: 25, 50 or 100 (25 otherwise).
    pub limit: Option<String>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
    /// Contacts and companies: the `prev_cursor` of the page after.
    pub before: Option<String>,
}

impl ListParams {
    /// As the list page's query (each value cut to the same length).
    pub fn query(&self) -> ListQuery {
        let pairs = [
            ("q", &self.q),
            ("status", &self.status),
            ("tag", &self.tag),
            ("owner", &self.owner),
            ("company", &self.company),
            ("industry", &self.industry),
            ("sort", &self.sort),
            ("dir", &self.dir),
            ("per", &self.limit),
            ("after", &self.after),
            ("before", &self.before),
        ];
        ListQuery::from_pairs(
            pairs
                .iter()
                .filter_map(|(key, value)| value.as_deref().map(|v| (*key, v))),
        )
    }
}

/// How many records the list holds: exact up to 10,000, then "at least".
#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    pub count: u64,
    /// False when there are more than `count` (counting stops at 10,000).
    pub exact: bool,
}

impl From<Total> for Count {
    fn from(total: Total) -> Self {
        match total {
            Total::Exact(count) => Count { count, exact: true },
            Total::AtLeast(count) => Count {
                count,
                exact: false,
            },
        }
    }
}

/// A user or a company a record refers to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ref {
    pub id: i64,
    pub name: String,
}

impl Ref {
    pub fn of(id: Option<i64>, name: &str) -> Option<Ref> {
        id.map(|id| Ref {
            id,
            name: name.to_owned(),
        })
    }

    /// From a view's `(id, name)`.
    pub fn pair(pair: &Option<(i64, String)>) -> Option<Ref> {
        pair.as_ref().map(|(id, name)| Ref {
            id: *id,
            name: name.clone(),
        })
    }
}

/// Who changed a record, and when (ISO 8601, UTC).
#[derive(Debug, Serialize, ToSchema)]
pub struct Stamped {
    pub at: String,
    pub by: String,
}

impl From<&crate::domain::Stamp> for Stamped {
    fn from(stamp: &crate::domain::Stamp) -> Self {
        Stamped {
            at: iso_time(stamp.at),
            by: stamp.by.clone(),
        }
    }
}

/// For a whole number that may be sent as `null`: absent → None, `null` → Some(None). (JSON
/// Schema counts `7.0` as a whole number too.)
pub fn present_whole<'de, D>(deserializer: D) -> Result<Option<Option<i64>>, D::Error>
where
    D: Deserializer<'de>,
{
    let number = Option::<serde_json::Number>::deserialize(deserializer)?;
    number
        .map(|n| {
            n.as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| {
                    serde::de::Error::custom(format!("expected a whole number, not {n}"))
                })
        })
        .transpose()
        .map(Some)
}

/// The version `If-Match` names (`"3"`, `W/"3"` or `3`); `*` means whatever it is now.
#[derive(Debug, Clone, Copy)]
pub enum IfMatch {
    Version(i64),
    Any,
}

impl IfMatch {
    fn version(self) -> Option<i64> {
        match self {
            IfMatch::Version(version) => Some(version),
            IfMatch::Any => None,
        }
    }
}

pub fn if_match(headers: &HeaderMap) -> Result<Option<IfMatch>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(Some(IfMatch::Any));
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(|v| Some(IfMatch::Version(v)))
        .map_err(|_| {
            ApiError::Malformed(
                "If-Match must be a version the API gave as an ETag, such as \"3\".".into(),
            )
        })
}

/// The `Idempotency-Key` header, if any: 16 to 64 letters, digits, `-` or `_`, else 400.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    let valid = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    if (16..=64).contains(&bytes.len()) && bytes.iter().all(valid) {
        Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
    } else {
        Err(ApiError::Malformed(
            "Idempotency-Key must be 16 to 64 letters, digits, - or _ (a UUID will do).".into(),
        ))
    }
}

/// A record id from the path: a positive integer, else 404.
pub fn record_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::App(crate::error::AppError::NotFound))
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// A record answered with its version as `ETag`.
pub fn answer<T: Serialize>(
    status: StatusCode,
    out: T,
    version: i64,
    location: Option<String>,
) -> Response {
    let mut response = (status, Json(out)).into_response();
    response.headers_mut().insert(header::ETAG, etag(version));
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

pub async fn get<F: ApiRecord>(db: &Db, api: &ApiUser, id: &str) -> Result<Response, ApiError> {
    api.require(Role::Viewer)?;
    let id = record_id(id)?;
    let (_, out, version) = F::read(db, id).await?.ok_or(not_found())?;
    Ok(answer(StatusCode::OK, out, version, None))
}

/// The record `id` as answered after a write, inside the write's transaction (so that a repeat
/// of the request, with its idempotency key, gets the same answer even once the record has
/// changed again or gone).
async fn written<F: ApiRecord>(db: &Db, id: i64) -> Result<(i64, serde_json::Value), AppError> {
    let (_, out, version) = F::read(db, id).await?.ok_or(AppError::NotFound)?;
    let out = serde_json::to_value(out).map_err(crate::server::context::internal)?;
    Ok((version, out))
}

pub async fn create<F: ApiRecord>(
    db: &Db,
    api: &ApiUser,
    headers: &HeaderMap,
    mut input: F,
    body: F::Body,
) -> Result<Response, ApiError> {
    let user = api.require(Role::Member)?;
    input.apply(body);
    let key = idempotency_key(headers)?;
    let (version, out) = idempotency::once(db, user, key, &("api", &input), |db| {
        let input = &input;
        async move {
            let id = records::save(&db, user, None, 0, input, now()).await?;
            written::<F>(&db, id).await
        }
    })
    .await?;
    let location = format!("/api/v1/{}/{}", F::KIND.plural(), out["id"]);
    Ok(answer(StatusCode::CREATED, out, version, Some(location)))
}

pub async fn update<F: ApiRecord>(
    db: &Db,
    api: &ApiUser,
    headers: &HeaderMap,
    id: &str,
    body: F::Body,
) -> Result<Response, ApiError> {
    let user = api.require(Role::Member)?;
    let id = record_id(id)?;
    let wanted = if_match(headers)?.ok_or(ApiError::VersionRequired)?;
    let key = idempotency_key(headers)?;
    let fixed = F::fixed(&body);
    if !fixed.is_empty() {
        return Err(AppError::Validation(fixed).into());
    }
    let request = ("api", id, wanted.version(), &body);
    let (version, out) = idempotency::once(db, user, key, &request, |db| {
        let body = &body;
        async move {
            let (mut input, _, current) = F::read(&db, id).await?.ok_or(AppError::NotFound)?;
            let version = match wanted {
                IfMatch::Version(version) if version != current => return Err(stale(current)),
                IfMatch::Version(version) => version,
                IfMatch::Any => current,
            };
            input.apply(body.clone());
            records::save(&db, user, Some(id), version, &input, now()).await?;
            written::<F>(&db, id).await
        }
    })
    .await?;
    Ok(answer(StatusCode::OK, out, version, None))
}

/// A write refused because the record is at version `current` now.
fn stale(current: i64) -> AppError {
    AppError::StaleEdit(Box::new(crate::error::StaleEdit {
        by: String::new(),
        at: String::new(),
        version: current,
        theirs: Vec::new(),
        yours: Vec::new(),
    }))
}

pub async fn delete<F: ApiRecord>(
    db: &Db,
    api: &ApiUser,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, ApiError> {
    let user = api.require(Role::Member)?;
    let id = record_id(id)?;
    let wanted = if_match(headers)?;
    let key = idempotency_key(headers)?;
    let request = (
        "api-delete",
        F::KIND.as_str(),
        id,
        wanted.and_then(IfMatch::version),
    );
    // The version is compared in the transaction that moves the record to the trash.
    idempotency::once(db, user, key, &request, |db| async move {
        if let Some(IfMatch::Version(wanted)) = wanted {
            let (_, _, current) = F::read(&db, id).await?.ok_or(AppError::NotFound)?;
            if wanted != current {
                return Err(stale(current));
            }
        }
        records::trash(&db, user, F::KIND, id, now()).await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn restore<F: ApiRecord>(
    db: &Db,
    api: &ApiUser,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, ApiError> {
    let user = api.require(Role::Member)?;
    let id = record_id(id)?;
    let key = idempotency_key(headers)?;
    let request = ("api-restore", F::KIND.as_str(), id);
    let (version, out) = idempotency::once(db, user, key, &request, |db| async move {
        records::restore(&db, user, F::KIND, id, now()).await?;
        written::<F>(&db, id).await
    })
    .await?;
    Ok(answer(StatusCode::OK, out, version, None))
}

fn not_found() -> ApiError {
    ApiError::App(crate::error::AppError::NotFound)
}
