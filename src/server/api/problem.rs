//! Errors of the JSON API as RFC 9457 problem details (`application/problem+json`): a title, the
//! status, a detail a person can act on, and for invalid input every field's message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, FieldErrors};
use crate::server::records;

/// A problem report (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank`: the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
    /// For invalid input: each field's message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// For a stale write: the record's version now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// One field's message.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// An error of an API request, answered as a [`Problem`].
#[derive(Debug)]
pub enum ApiError {
    /// What the app's own rules said.
    App(AppError),
    /// 401: no token, or one that does not work (unknown, revoked, expired, owner deactivated).
    Unauthenticated,
    /// 428: an update must say which version it changes (`If-Match`).
    VersionRequired,
    /// 412: the record is at another version than `If-Match` named.
    Stale { current: i64 },
    /// 429: the token's requests per minute are used up; try again after this many seconds.
    RateLimited { retry_after: u64 },
    /// 400: a body or parameter that could not be read.
    Malformed(String),
    /// Any other refusal (a path or query that could not be read, a method not allowed…),
    /// with what the layer that refused it said.
    Refused { status: StatusCode, detail: String },
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::StaleEdit(stale) => ApiError::Stale {
                current: stale.version,
            },
            AppError::Validation(errors) => ApiError::App(AppError::Validation(named(errors))),
            other => ApiError::App(other),
        }
    }
}

/// A form's field errors as the API names them: a form shows what is wrong with the contact or
/// company a record is about (hidden fields there) beside its subject or title.
fn named(mut errors: FieldErrors) -> FieldErrors {
    for (field, message) in &mut errors.errors {
        match message.as_str() {
            records::CONTACT_GONE => *field = "contact".into(),
            records::COMPANY_GONE => *field = "company".into(),
            crate::domain::ACTIVITY_WITHOUT_RECORD => {
                *field = "contact".into();
                *message = "Give the contact or the company it is about.".into();
            }
            _ => {}
        }
    }
    errors
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::App(crate::server::context::internal(error))
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        let (status, title, detail) = match self {
            ApiError::App(AppError::Validation(_)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid input",
                "Some fields are invalid: see `errors`.".to_owned(),
            ),
            ApiError::App(AppError::Unauthorized) | ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "Not authenticated",
                "Send a working personal access token as `Authorization: Bearer …` (made at /settings/tokens)."
                    .to_owned(),
            ),
            ApiError::App(error) => {
                let status = error.status();
                (status, status.canonical_reason().unwrap_or("Error"), error.to_string())
            }
            ApiError::VersionRequired => (
                StatusCode::PRECONDITION_REQUIRED,
                "Version required",
                "Send the version you read as `If-Match` (the record's `ETag`), so that nobody's change is overwritten."
                    .to_owned(),
            ),
            ApiError::Stale { current } => (
                StatusCode::PRECONDITION_FAILED,
                "Changed meanwhile",
                format!(
                    "The record was changed since you read it (it is at version {current} now): read it again, then apply your change."
                ),
            ),
            ApiError::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                format!("This token's requests per minute are used up: try again in {retry_after} s."),
            ),
            ApiError::Malformed(what) => (
                StatusCode::BAD_REQUEST,
                "Malformed request",
                what.clone(),
            ),
            ApiError::Refused { status, detail } => (
                *status,
                status.canonical_reason().unwrap_or("Error"),
                detail.clone(),
            ),
        };
        let errors = match self {
            ApiError::App(AppError::Validation(fields)) => fields
                .errors
                .iter()
                .map(|(field, message)| FieldProblem {
                    field: field.to_owned(),
                    message: message.to_owned(),
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            kind: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors,
            current_version: match self {
                ApiError::Stale { current } => Some(*current),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        let retry_after = match &self {
            ApiError::RateLimited { retry_after } => Some(*retry_after),
            ApiError::App(error) => error.retry_after(),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"clientele\""),
            );
        }
        response
    }
}

/// Middleware: an error answer that is not yet a problem report (from axum's extractors, the
/// router's 405, a timeout) becomes one, keeping its status, its text as the detail, and its
/// `Allow` header.
pub async fn as_problem(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/problem+json"));
    if status.as_u16() < 400 || problem {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let text = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let detail = if text.is_empty() {
        status.canonical_reason().unwrap_or("Error").to_owned()
    } else {
        text
    };
    let mut answer = ApiError::Refused { status, detail }.into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}
