//! `/api/v1/companies`: the companies list (search, filters, sort, cursor paging), one company,
//! and creating, updating, deleting (to the trash) and restoring one.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiUser;
use super::problem::{ApiError, Problem};
use super::records::{self, present_whole, ApiRecord, Count, ListParams, Ref, Stamped};
use crate::domain::{iso_time, CompanyInput, CompanyRow, CompanyView, Role};
use crate::server::db::Db;
use crate::server::startup::AppState;

/// A company.
#[derive(Debug, Serialize, ToSchema)]
pub struct Company {
    pub id: i64,
    /// Goes up by one with each change; send it back as `If-Match` to update.
    pub version: i64,
    pub name: String,
    pub domain: String,
    pub industry: String,
    /// Employees.
    pub size: Option<i64>,
    pub phone: String,
    pub website: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub notes: String,
    pub owner: Option<Ref>,
    pub created: Stamped,
    pub updated: Stamped,
}

impl From<&CompanyView> for Company {
    fn from(c: &CompanyView) -> Self {
        Company {
            id: c.id,
            version: c.version,
            name: c.name.clone(),
            domain: c.domain.clone(),
            industry: c.industry.clone(),
            size: c.size,
            phone: c.phone.clone(),
            website: c.website.clone(),
            street: c.street.clone(),
            city: c.city.clone(),
            postal_code: c.postal_code.clone(),
            country: c.country.clone(),
            notes: c.notes.clone(),
            owner: Ref::of(c.owner_id, &c.owner_name),
            created: (&c.created).into(),
            updated: (&c.updated).into(),
        }
    }
}

/// A company as the list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanySummary {
    pub id: i64,
    pub name: String,
    pub domain: String,
    pub industry: String,
    pub size: Option<i64>,
    pub city: String,
    /// The owner's name ("" for nobody).
    pub owner_name: String,
    pub updated_at: String,
}

impl From<CompanyRow> for CompanySummary {
    fn from(c: CompanyRow) -> Self {
        CompanySummary {
            id: c.id,
            name: c.name,
            domain: c.domain,
            industry: c.industry,
            size: c.size,
            city: c.city,
            owner_name: c.owner_name,
            updated_at: iso_time(c.updated_at),
        }
    }
}

/// A page of companies.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyPage {
    pub items: Vec<CompanySummary>,
    pub total: Count,
    /// Pass as `after` for the next page (null on the last).
    pub next_cursor: Option<String>,
    /// Pass as `before` for the page before (null on the first).
    pub prev_cursor: Option<String>,
}

/// A company's fields to set: on create, absent ones are empty; on update, unchanged. Each is
/// checked as the company form checks it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyFields {
    pub name: Option<String>,
    /// Its web domain, such as example.com (unique among live companies).
    pub domain: Option<String>,
    pub industry: Option<String>,
    /// Employees, or null for unknown.
    #[serde(
        default,
        deserialize_with = "present_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub size: Option<Option<i64>>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub notes: Option<String>,
    /// A user's id, or null for nobody.
    #[serde(
        default,
        deserialize_with = "present_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub owner: Option<Option<i64>>,
}

impl ApiRecord for CompanyInput {
    type Out = Company;
    type Body = CompanyFields;

    async fn read(db: &Db, id: i64) -> Result<Option<(Self, Company, i64)>, sqlx::Error> {
        Ok(db
            .company(id)
            .await?
            .map(|c| (c.input(), Company::from(&c), c.version)))
    }

    fn apply(&mut self, body: CompanyFields) {
        let set = |slot: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *slot = value;
            }
        };
        let number = |value: Option<i64>| value.map(|n| n.to_string()).unwrap_or_default();
        set(&mut self.name, body.name);
        set(&mut self.domain, body.domain);
        set(&mut self.industry, body.industry);
        set(&mut self.size, body.size.map(number));
        set(&mut self.phone, body.phone);
        set(&mut self.website, body.website);
        set(&mut self.street, body.street);
        set(&mut self.city, body.city);
        set(&mut self.postal_code, body.postal_code);
        set(&mut self.country, body.country);
        set(&mut self.notes, body.notes);
        set(&mut self.owner, body.owner.map(number));
    }
}

fn body(
    json: Result<Json<CompanyFields>, axum::extract::rejection::JsonRejection>,
) -> Result<CompanyFields, ApiError> {
    json.map(|Json(fields)| fields)
        .map_err(|e| ApiError::Malformed(e.body_text()))
}

/// List companies: the same search, filters, sort and paging as the companies page.
#[utoipa::path(get, path = "/companies", tag = "companies", params(ListParams),
    responses(
        (status = 200, description = "A page of companies", body = CompanyPage),
        (status = 401, description = "No working token", body = Problem),
        (status = 429, description = "Too many requests", body = Problem),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Query(params): Query<ListParams>,
) -> Result<Json<CompanyPage>, ApiError> {
    api.require(Role::Viewer)?;
    let page = crate::server::records::list_companies(&state.db, &params.query()).await?;
    Ok(Json(CompanyPage {
        items: page.rows.into_iter().map(Into::into).collect(),
        total: page.total.into(),
        next_cursor: page.next,
        prev_cursor: page.prev,
    }))
}

/// One company, with its version as `ETag`.
#[utoipa::path(get, path = "/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "The company", body = Company),
        (status = 401, description = "No working token", body = Problem),
        (status = 404, description = "No such company (or it is in the trash)", body = Problem),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    records::get::<CompanyInput>(&state.db, &api, &id).await
}

/// Create a company (members and admins, with a read-write token).
#[utoipa::path(post, path = "/companies", tag = "companies", request_body = CompanyFields,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key gets the first answer")),
    responses(
        (status = 201, description = "Created", body = Company),
        (status = 400, description = "Malformed body", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 409, description = "The same key was sent with another request", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    headers: HeaderMap,
    json: Result<Json<CompanyFields>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let fields = body(json)?;
    records::create(&state.db, &api, &headers, CompanyInput::default(), fields).await
}

/// Change some of a company's fields; `If-Match` must carry the version read.
#[utoipa::path(patch, path = "/companies/{id}", tag = "companies", request_body = CompanyFields,
    params(
        ("id" = i64, Path, description = "The company's id"),
        ("If-Match" = String, Header, description = "The version read (its ETag), or * for any"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Updated", body = Company),
        (status = 400, description = "Malformed body or If-Match", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "No such company", body = Problem),
        (status = 409, description = "The same key was sent with another request", body = Problem),
        (status = 412, description = "Changed since it was read", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
        (status = 428, description = "If-Match missing", body = Problem),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    json: Result<Json<CompanyFields>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let fields = body(json)?;
    records::update::<CompanyInput>(&state.db, &api, &headers, &id, fields).await
}

/// Move a company to the trash (restorable for 30 days).
#[utoipa::path(delete, path = "/companies/{id}", tag = "companies",
    params(
        ("id" = i64, Path, description = "The company's id"),
        ("If-Match" = Option<String>, Header, description = "Only if still at this version"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 204, description = "In the trash"),
        (status = 400, description = "Malformed If-Match", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "No such company", body = Problem),
        (status = 412, description = "Changed since it was read", body = Problem),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    records::delete::<CompanyInput>(&state.db, &api, &headers, &id).await
}

/// Bring a company back from the trash.
#[utoipa::path(post, path = "/companies/{id}/restore", tag = "companies",
    params(
        ("id" = i64, Path, description = "The company's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Restored", body = Company),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "Not in the trash", body = Problem),
        (status = 409, description = "Another company has its domain now", body = Problem),
    ))]
pub async fn restore(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    records::restore::<CompanyInput>(&state.db, &api, &headers, &id).await
}
