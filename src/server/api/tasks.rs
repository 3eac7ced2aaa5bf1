//! `/api/v1/tasks`: the tasks list (by assignee, open or done, overdue or due this week; in due
//! order, cursor paging), one task, and creating, updating (marking it done or open again),
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
use crate::domain::{iso_time, Due, Role, TaskInput, TaskQuery, TaskView};
use crate::server::auth::session::now;
use crate::server::db::Db;
use crate::server::startup::AppState;

/// A task: what someone has to do, by when.
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    pub id: i64,
    /// Goes up by one with each change; send it back as `If-Match` to update.
    pub version: i64,
    pub title: String,
    /// The day it is due (`YYYY-MM-DD`, UTC); null for no due date.
    pub due_date: Option<String>,
    /// The time it is due (`HH:MM`, UTC); null for by the end of `due_date`.
    pub due_time: Option<String>,
    /// The moment it becomes overdue (ISO 8601, UTC).
    pub due_at: Option<String>,
    /// Open and past `due_at`.
    pub overdue: bool,
    pub assignee: Option<Ref>,
    /// The contact it is about (null for none, or while that contact is in the trash).
    pub contact: Option<Ref>,
    /// The company it is about (null for none, or while that company is in the trash).
    pub company: Option<Ref>,
    pub done: bool,
    /// When it was marked done (ISO 8601, UTC).
    pub done_at: Option<String>,
    pub updated: Stamped,
}

impl From<&TaskView> for Task {
    fn from(t: &TaskView) -> Self {
        Task {
            id: t.id,
            version: t.version,
            title: t.title.clone(),
            due_date: t.due.map(Due::date_field),
            due_time: t.due.and_then(due_time),
            due_at: t.due.map(|d| iso_time(d.at)),
            overdue: t.is_overdue(now()),
            assignee: Ref::pair(&t.assignee),
            contact: Ref::pair(&t.contact),
            company: Ref::pair(&t.company),
            done: t.done_at.is_some(),
            done_at: t.done_at.map(iso_time),
            updated: (&t.updated).into(),
        }
    }
}

/// The time a task is due, to the second when it has seconds (the form's field would cut them,
/// and with them change the task).
fn due_time(due: Due) -> Option<String> {
    let format = if due.at % 60 == 0 {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    due.has_time
        .then(|| chrono::DateTime::from_timestamp(due.at, 0))
        .flatten()
        .map(|at| at.format(format).to_string())
}

/// A page of tasks, in due order (undated last).
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<Task>,
    /// Pass as `after` for the next page (null on the last).
    pub next_cursor: Option<String>,
}

/// A task's fields to set: on create, absent ones are empty; on update, unchanged. Each is
/// checked as the task form checks it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskFields {
    /// What is to be done (required).
    pub title: Option<String>,
    /// `YYYY-MM-DD` (UTC), or "" for no due date.
    pub due_date: Option<String>,
    /// `HH:MM` (UTC), or "" for by the end of `due_date`.
    pub due_time: Option<String>,
    /// An active user's id, or null for nobody.
    #[serde(
        default,
        deserialize_with = "present_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub assignee: Option<Option<i64>>,
    /// The id of a live contact it is about, or null for none.
    #[serde(
        default,
        deserialize_with = "present_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub contact: Option<Option<i64>>,
    /// The id of a live company it is about, or null for none.
    #[serde(
        default,
        deserialize_with = "present_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub company: Option<Option<i64>>,
    /// Done, or open again: as "Mark done", recorded in the task's history.
    pub done: Option<bool>,
}

impl ApiRecord for TaskInput {
    type Out = Task;
    type Body = TaskFields;

    async fn read(db: &Db, id: i64) -> Result<Option<(Self, Task, i64)>, sqlx::Error> {
        Ok(db.task(id).await?.map(|t| {
            let mut input = t.input();
            input.due_time = t.due.and_then(due_time).unwrap_or_default();
            (input, Task::from(&t), t.version)
        }))
    }

    fn apply(&mut self, body: TaskFields) {
        let set = |slot: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *slot = value;
            }
        };
        let id = |value: Option<i64>| value.map(|n| n.to_string()).unwrap_or_default();
        set(&mut self.title, body.title);
        set(&mut self.due_date, body.due_date);
        set(&mut self.due_time, body.due_time);
        set(&mut self.assignee, body.assignee.map(id));
        set(&mut self.contact, body.contact.map(id));
        set(&mut self.company, body.company.map(id));
        set(
            &mut self.done,
            body.done.map(|done| if done { "1" } else { "" }.to_owned()),
        );
    }
}

fn body(
    json: Result<Json<TaskFields>, axum::extract::rejection::JsonRejection>,
) -> Result<TaskFields, ApiError> {
    json.map(|Json(fields)| fields)
        .map_err(|e| ApiError::Malformed(e.body_text()))
}

/// List tasks as `/tasks` does: the token owner's open tasks by default, by assignee, open or
/// done, overdue or due this week; in due order.
#[utoipa::path(get, path = "/tasks", tag = "tasks", params(ListParams),
    responses(
        (status = 200, description = "A page of tasks", body = TaskPage),
        (status = 401, description = "No working token", body = Problem),
        (status = 429, description = "Too many requests", body = Problem),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Query(params): Query<ListParams>,
) -> Result<Json<TaskPage>, ApiError> {
    let user = api.require(Role::Viewer)?;
    let text = |value: &Option<String>| value.as_deref().unwrap_or_default().trim().to_owned();
    let query = TaskQuery {
        assignee: text(&params.assignee),
        state: text(&params.state),
        due: text(&params.due),
        after: text(&params.after),
    };
    let limit = params.query().per_page();
    let list = crate::server::records::tasks::list_page(&state.db, user, &query, limit).await?;
    Ok(Json(TaskPage {
        items: list.tasks.iter().map(Task::from).collect(),
        next_cursor: list.next,
    }))
}

/// One task, with its version as `ETag`.
#[utoipa::path(get, path = "/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "The task's id")),
    responses(
        (status = 200, description = "The task", body = Task),
        (status = 401, description = "No working token", body = Problem),
        (status = 404, description = "No such task (or it is in the trash)", body = Problem),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    records::get::<TaskInput>(&state.db, &api, &id).await
}

/// Create a task (members and admins, with a read-write token).
#[utoipa::path(post, path = "/tasks", tag = "tasks", request_body = TaskFields,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key gets the first answer")),
    responses(
        (status = 201, description = "Created", body = Task),
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
    json: Result<Json<TaskFields>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let fields = body(json)?;
    records::create(&state.db, &api, &headers, TaskInput::default(), fields).await
}

/// Change some of a task's fields, or mark it done (`"done": true`) or open again;
/// `If-Match` must carry the version read.
#[utoipa::path(patch, path = "/tasks/{id}", tag = "tasks", request_body = TaskFields,
    params(
        ("id" = i64, Path, description = "The task's id"),
        ("If-Match" = String, Header, description = "The version read (its ETag), or * for any"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Updated", body = Task),
        (status = 400, description = "Malformed body or If-Match", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "No such task", body = Problem),
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
    json: Result<Json<TaskFields>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let fields = body(json)?;
    records::update::<TaskInput>(&state.db, &api, &headers, &id, fields).await
}

/// Move a task to the trash (restorable for 30 days).
#[utoipa::path(delete, path = "/tasks/{id}", tag = "tasks",
    params(
        ("id" = i64, Path, description = "The task's id"),
        ("If-Match" = Option<String>, Header, description = "Only if still at this version"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 204, description = "In the trash"),
        (status = 400, description = "Malformed If-Match", body = Problem),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "No such task", body = Problem),
        (status = 412, description = "Changed since it was read", body = Problem),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    records::delete::<TaskInput>(&state.db, &api, &headers, &id).await
}

/// Bring a task back from the trash.
#[utoipa::path(post, path = "/tasks/{id}/restore", tag = "tasks",
    params(
        ("id" = i64, Path, description = "The task's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    responses(
        (status = 200, description = "Restored", body = Task),
        (status = 401, description = "No working token", body = Problem),
        (status = 403, description = "The token or role may not write", body = Problem),
        (status = 404, description = "Not in the trash", body = Problem),
    ))]
pub async fn restore(
    State(state): State<AppState>,
    Extension(api): Extension<ApiUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    records::restore::<TaskInput>(&state.db, &api, &headers, &id).await
}
