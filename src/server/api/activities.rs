//! `/api/v1/activities`: the team's activities newest first, or a contact's or a company's
//! timeline (cursor paging), one activity, and logging, changing (its author or an admin),
//! deleting (to the trash) and restoring one.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiUser;
use super::problem::{ApiError, Problem};
use super::records::{self, present_whole, ApiRecord, ListParams, Ref, Stamped};
use crate::domain::{iso_time, ActivityInput, ActivityView, RecordKind, Role};
use crate::error::FieldErrors;
use crate::server::db::Db;
use crate::server::startup::AppState;

/// An activity: what happened with a contact or a company.
#[derive(Debug, Serialize, ToSchema)]
pub struct Activity {
    pub id: i64,
    /// Goes up by one with each change; send it back as `If-Match` to update.
    pub version: i64,
    /// note, call, meeting or email.
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// When it happened (ISO 8601, UTC).
    pub happened_at: String,
    /// Who logged it (null once their account is gone); only they or an admin may change it.
    pub author: Option<Ref>,
    /// The contact it is about (null for none, or while that contact is in the trash).
    pub contact: Option<Ref>,
    /// The company it is about: the one given, else the contact's when it was logged.
    pub company: Option<Ref>,
    pub updated: Stamped,
}

impl From<&ActivityView> for Activity {
    fn from(a: &ActivityView) -> Self {
        Activity {
            id: a.id,
            version: a.version,
            kind: a.kind.as_str().to_owned(),
            subject: a.subject.clone(),
            body: a.body.clone(),
            happened_at: iso_time(a.happened_at),
            author: Ref::of(a.author_id, &a.author),
            contact: Ref::pair(&a.contact),
            company: Ref::pair(&a.company),
            updated: (&a.updated).into(),
        }
    }
}

/// A page of activities, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityPage {
    pub items: Vec<Activity>,
    /// Pass as `after` for the next (older) page (null on the last).
    pub next_cursor: Option<String>,
}

/// An activity's fields to set: on create, absent ones are empty; on update, unchanged. Each is
/// checked as the "Log activity" form checks it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityFields {
    /// note (the default), call, meeting or email.
    pub kind: Option<String>,
    /// What happened, in a few words (required).
    pub subject: Option<String>,
    pub body: Option<String>,
    /// When it happened, in UTC: `2026-03-14T09:30:00Z` (the seconds and the `Z` may be left
    /// out); "" for now. Up to a year ahead.
    pub happened_at: Option<String>,
    /// The id of the live contact it is about (create only: an activity stays where it was
    /// logged).
    #[serde(
        default,
        deserialize_with = "present_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub contact: Option<Option<i64>>,
    /// The id of the live company it is about (create only). A contact or a company is needed.
    #[serde(
        default,
        deserialize_with = "present_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub company: Option<Option<i64>>,
}

/// A moment as the form's field takes it, to the second (the API answers with seconds; the form
/// would cut them, and with them change the activity).
fn moment(unix: i64) -> String {
    iso_time(unix).trim_end_matches('Z').to_owned()
}

impl ApiRecord for ActivityInput {
    type Out = Activity;
    type Body = ActivityFields;

    async fn read(db: &Db, id: i64) -> Result<Option<(Self, Activity, i64)>, sqlx::Error> {
        Ok(db.activity(id).await?.map(|a| {
            let mut input = a.input();
            input.happened_at = moment(a.happened_at);
            (input, Activity::from(&a), a.version)
        }))
    }

    fn apply(&mut self, body: ActivityFields) {
        let set = |slot: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *slot = value;
            }
        };
        let id = |value: Option<i64>| value.map(|n| n.to_string()).unwrap_or_default();
        set(&mut self.kind, body.kind);
        set(&mut self.subject, body.subject);
        set(&mut self.body, body.body);
        // "…Z" is UTC, which the form's field is.
        set(
            &mut self.happened_at,
            body.happened_at
                .map(|at| at.trim().trim_end_matches('Z').to_owned()),
        );
        set(&mut self.contact, body.contact.map(id));
        set(&mut self.company, body.company.map(id));
    }

    fn fixed(body: &ActivityFields) -> FieldErrors {
        let mut errors = FieldErrors::new();
        for (field, sent) in [
            ("contact", body.contact.is_some()),
            ("company", body.company.is_some()),
        ] {
            if sent {
                errors.add(
                    field,
                    "An activity stays with the record it was logged on: log a new one there.",
                );
            }
        }
        errors
    }
}

fn body(
    json: Result<Json<ActivityFields>, axum::extract::rejection::JsonRejection>,
) -> Result<ActivityFields, ApiError> {
    json.map(|Json(fields)| fields)
        .map_err(|e| ApiError::Malformed(e.body_text()))
}

/// A positive id from a parameter; anything else is ignored, as on the pages.
fn id_param(text: Option<&str>) -> Option<i64> {
    text?.trim().parse().ok().filter(|id| *id > 0)
}

/// List activities, newest first: the team's (as `/activities`), or a contact's or a company's
/// timeline (as on its page).
#[utoipa::path(get, path = "/activities", tag = "activities", params(ListParams),
    responses(
        (status = 200, description = "A page of activities", body = ActivityPage),
        (status = 400, description = "Both `contact` and `company`", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 429, description = "Too many requests", body = Problem),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Query(params): Query<ListParams>,
) -> Result<Json<ActivityPage>, ApiError> {
    let user = api.require(Role::Viewer)?;
    let of = match (
        id_param(params.contact.as_deref()),
        id_param(params.company.as_deref()),
    ) {
        (Some(_), Some(_)) => {
            return Err(ApiError::Malformed(
                "Give `contact` or `company`, not both: each has its own timeline.".into(),
            ))
        }
        (Some(contact), None) => Some((RecordKind::Contact, contact)),
        (None, Some(company)) => Some((RecordKind::Company, company)),
        (None, None) => None,
    };
    let limit = params.query().per_page();
    let page =
        crate::server::records::timeline_page(&state.db, user, of, params.after.as_deref(), limit)
            .await?;
    Ok(Json(ActivityPage {
        items: page.entries.iter().map(Activity::from).collect(),
        next_cursor: page.older,
    }))
}

/// One activity, with its version as `ETag`.
#[utoipa::path(get, path = "/activities/{id}", tag = "activities",
    params(("id" = i64, Path, description = "The activity's id")),
    responses(
        (status = 200, description = "The activity", body = Activity),
        (status = 401, description = "No working token", body = Problem),
        (status = 404, description = "No such activity (or it is in the trash)", body = Problem),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    records::get::<ActivityInput>(&state.db, &api, &id).await
}

/// Log an activity about a contact or a company (members and admins, with a read-write token).
#[utoipa::path(post, path = "/activities", tag = "activities", request_body = ActivityFields,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key gets the first answer")),
    responses(
        (status = 201, description = "Logged", body = Activity),
        (status = 400, description = "Malformed body", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 409, description = "The same key was sent with another request", body = Problem),
        (status = 422, description = "Invalid fields, or a contact or company that is not live", body = Problem),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    headers: HeaderMap,
    json: Result<Json<ActivityFields>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let fields = body(json)?;
    records::create(&state.db, &api, &headers, ActivityInput::default(), fields).await
}

/// Change some of an activity's fields (its author or an admin); `If-Match` must carry the
/// version read.
#[utoipa::path(patch, path = "/activities/{id}", tag = "activities", request_body = ActivityFields,
    params(
        ("id" = i64, Path, description = "The activity's id"),
        ("If-Match" = String, Header, description = "The version read (its ETag), or * for any"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Updated", body = Activity),
        (status = 400, description = "Malformed body or If-Match", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write, or the activity is someone else's", body = Problem),
        (status = 404, description = "No such activity", body = Problem),
        (status = 409, description = "The same key was sent with another request", body = Problem),
        (status = 412, description = "Changed since it was read", body = Problem),
        (status = 422, description = "Invalid fields (`contact` and `company` cannot change)", body = Problem),
        (status = 428, description = "If-Match missing", body = Problem),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    json: Result<Json<ActivityFields>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let fields = body(json)?;
    records::update::<ActivityInput>(&state.db, &api, &headers, &id, fields).await
}

/// Move an activity to the trash (its author or an admin; restorable for 30 days).
#[utoipa::path(delete, path = "/activities/{id}", tag = "activities",
    params(
        ("id" = i64, Path, description = "The activity's id"),
        ("If-Match" = Option<String>, Header, description = "Only if still at this version"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 204, description = "In the trash"),
        (status = 400, description = "Malformed If-Match", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write, or the activity is someone else's", body = Problem),
        (status = 404, description = "No such activity", body = Problem),
        (status = 412, description = "Changed since it was read", body = Problem),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    records::delete::<ActivityInput>(&state.db, &api, &headers, &id).await
}

/// Bring an activity back from the trash (its author or an admin).
#[utoipa::path(post, path = "/activities/{id}/restore", tag = "activities",
    params(
        ("id" = i64, Path, description = "The activity's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Restored", body = Activity),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write, or the activity is someone else's", body = Problem),
        (status = 404, description = "Not in the trash", body = Problem),
    ))]
pub async fn restore(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    records::restore::<ActivityInput>(&state.db, &api, &headers, &id).await
}
