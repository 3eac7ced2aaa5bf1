//! `/api/v1/contacts`: the contacts list (search, filters, sort, cursor paging), one contact,
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
use crate::domain::{iso_time, ContactInput, ContactRow, ContactView, Role};
use crate::server::db::Db;
use crate::server::startup::AppState;

/// A contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: i64,
    /// Goes up by one with each change; send it back as `If-Match` to update.
    pub version: i64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub company: Option<Ref>,
    pub city: String,
    /// lead, prospect, customer or inactive.
    pub status: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub owner: Option<Ref>,
    pub created: Stamped,
    pub updated: Stamped,
}

impl From<&ContactView> for Contact {
    fn from(c: &ContactView) -> Self {
        Contact {
            id: c.id,
            version: c.version,
            name: c.name(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            job_title: c.job_title.clone(),
            company: Ref::of(c.company_id, &c.company_name),
            city: c.city.clone(),
            status: c.status.as_str().to_owned(),
            tags: c.tags.clone(),
            notes: c.notes.clone(),
            owner: Ref::of(c.owner_id, &c.owner_name),
            created: (&c.created).into(),
            updated: (&c.updated).into(),
        }
    }
}

/// A contact as the list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: Option<Ref>,
    pub city: String,
    pub status: String,
    pub tags: Vec<String>,
    /// The owner's name ("" for nobody).
    pub owner_name: String,
    pub updated_at: String,
}

impl From<ContactRow> for ContactSummary {
    fn from(c: ContactRow) -> Self {
        ContactSummary {
            company: Ref::of(c.company_id, &c.company_name),
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            city: c.city,
            status: c.status.as_str().to_owned(),
            tags: c.tags,
            owner_name: c.owner_name,
            updated_at: iso_time(c.updated_at),
        }
    }
}

/// A page of contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactSummary>,
    pub total: Count,
    /// Pass as `after` for the next page (null on the last).
    pub next_cursor: Option<String>,
    /// Pass as `before` for the page before (null on the first).
    pub prev_cursor: Option<String>,
}

/// A contact's fields to set: on create, absent ones are empty; on update, unchanged. Each is
/// checked as the contact form checks it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactFields {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    /// An existing company's name or domain ("" for none).
    pub company: Option<String>,
    pub city: Option<String>,
    /// lead, prospect, customer or inactive.
    pub status: Option<String>,
    pub tags: Option<Vec<String>>,
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

impl ApiRecord for ContactInput {
    type Out = Contact;
    type Body = ContactFields;

    async fn read(db: &Db, id: i64) -> Result<Option<(Self, Contact, i64)>, sqlx::Error> {
        let Some(c) = db.contact(id).await? else {
            return Ok(None);
        };
        let mut input = c.input();
        // The company by its domain where it has one: unlike a name, a domain is unique, so an
        // update that leaves the company alone cannot land on another company of the same name.
        if let Some(company) = c.company_id {
            if let Some(domain) = db.company(company).await?.map(|co| co.domain) {
                if !domain.is_empty() {
                    input.company = domain;
                }
            }
        }
        Ok(Some((input, Contact::from(&c), c.version)))
    }

    fn apply(&mut self, body: ContactFields) {
        let set = |slot: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *slot = value;
            }
        };
        set(&mut self.first_name, body.first_name);
        set(&mut self.last_name, body.last_name);
        set(&mut self.email, body.email);
        set(&mut self.phone, body.phone);
        set(&mut self.job_title, body.job_title);
        set(&mut self.company, body.company);
        set(&mut self.city, body.city);
        set(&mut self.status, body.status);
        set(&mut self.tags, body.tags.map(|tags| tags.join(", ")));
        set(&mut self.notes, body.notes);
        set(
            &mut self.owner,
            body.owner
                .map(|owner| owner.map(|id| id.to_string()).unwrap_or_default()),
        );
    }
}

fn body(
    json: Result<Json<ContactFields>, axum::extract::rejection::JsonRejection>,
) -> Result<ContactFields, ApiError> {
    json.map(|Json(fields)| fields)
        .map_err(|e| ApiError::Malformed(e.body_text()))
}

/// List contacts: the same search, filters, sort and paging as the contacts page.
#[utoipa::path(get, path = "/contacts", tag = "contacts", params(ListParams),
    responses(
        (status = 200, description = "A page of contacts", body = ContactPage),
        (status = 401, description = "No working token", body = Problem),
        (status = 429, description = "Too many requests", body = Problem),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Query(params): Query<ListParams>,
) -> Result<Json<ContactPage>, ApiError> {
    api.require(Role::Viewer)?;
    let page = crate::server::records::list_contacts(&state.db, &params.query()).await?;
    Ok(Json(ContactPage {
        items: page.rows.into_iter().map(Into::into).collect(),
        total: page.total.into(),
        next_cursor: page.next,
        prev_cursor: page.prev,
    }))
}

/// One contact, with its version as `ETag`.
#[utoipa::path(get, path = "/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact", body = Contact),
        (status = 401, description = "No working token", body = Problem),
        (status = 404, description = "No such contact (or it is in the trash)", body = Problem),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    records::get::<ContactInput>(&state.db, &api, &id).await
}

/// Create a contact (members and admins, with a read-write token).
#[utoipa::path(post, path = "/contacts", tag = "contacts", request_body = ContactFields,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key gets the first answer")),
    responses(
        (status = 201, description = "Created", body = Contact),
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
    json: Result<Json<ContactFields>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let fields = body(json)?;
    records::create(&state.db, &api, &headers, ContactInput::default(), fields).await
}

/// Change some of a contact's fields; `If-Match` must carry the version read.
#[utoipa::path(patch, path = "/contacts/{id}", tag = "contacts", request_body = ContactFields,
    params(
        ("id" = i64, Path, description = "The contact's id"),
        ("If-Match" = String, Header, description = "The version read (its ETag), or * for any"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Updated", body = Contact),
        (status = 400, description = "Malformed body or If-Match", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "No such contact", body = Problem),
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
    json: Result<Json<ContactFields>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let fields = body(json)?;
    records::update::<ContactInput>(&state.db, &api, &headers, &id, fields).await
}

/// Move a contact to the trash (restorable for 30 days).
#[utoipa::path(delete, path = "/contacts/{id}", tag = "contacts",
    params(
        ("id" = i64, Path, description = "The contact's id"),
        ("If-Match" = Option<String>, Header, description = "Only if still at this version"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 204, description = "In the trash"),
        (status = 400, description = "Malformed If-Match", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "No such contact", body = Problem),
        (status = 412, description = "Changed since it was read", body = Problem),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    records::delete::<ContactInput>(&state.db, &api, &headers, &id).await
}

/// Bring a contact back from the trash.
#[utoipa::path(post, path = "/contacts/{id}/restore", tag = "contacts",
    params(
        ("id" = i64, Path, description = "The contact's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Restored", body = Contact),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "Not in the trash", body = Problem),
        (status = 409, description = "Another contact has its e-mail now", body = Problem),
    ))]
pub async fn restore(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    records::restore::<ContactInput>(&state.db, &api, &headers, &id).await
}
