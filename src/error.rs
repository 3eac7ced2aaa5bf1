//! The one error type that crosses the client/server boundary.
//!
//! Server functions return `Result<_, AppError>`. Each variant maps to a message a user can act on
//! and an HTTP status; the details of unexpected failures are logged on the server and never sent
//! to the client.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Messages for individual form fields, keyed by the field's `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors {
    pub errors: Vec<(String, String)>,
    /// The submitted values (never secrets), so a form rendered again shows what was entered.
    pub values: Vec<(String, String)>,
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_owned(), message.into()));
    }

    /// The first message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(value)` when no field has an error, else the errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, AppError> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(AppError::Validation(self))
        }
    }

    /// Keeps the parsed value, or records the message under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }
}

/// Someone saved a record after the form being submitted was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleEdit {
    /// Who saved it last, and when ("30 Nov 2026, 14:05 UTC").
    pub by: String,
    pub at: String,
    /// The record's version now: a form carrying it may save over their change.
    pub version: i64,
    /// Their values, by field name.
    pub theirs: Vec<(String, String)>,
    /// The submitted values, by field name, to fill the form again.
    pub yours: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// Some fields of a form are invalid; each has its own message.
    #[error("Please correct the highlighted fields.")]
    Validation(FieldErrors),
    /// The same message whether the account exists or not.
    #[error("Invalid email or password.")]
    InvalidCredentials,
    /// Too many failed sign-ins recently.
    #[error("Too many attempts — try again in {minutes} minutes.")]
    TooManyAttempts { minutes: u32 },
    /// The page or action needs a signed-in user.
    #[error("Please sign in to continue.")]
    Unauthorized,
    /// The user's role does not allow this.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// The thing asked for does not exist (or the user may not know it exists).
    #[error("We could not find what you were looking for.")]
    NotFound,
    /// The request conflicts with the current state (explained in the message).
    #[error("{0}")]
    Conflict(String),
    /// The record changed since the form was opened; nothing was overwritten.
    #[error("This record was changed by {} at {}.", .0.by, .0.at)]
    StaleEdit(Box<StaleEdit>),
    /// The request was malformed (missing or unreadable arguments).
    #[error("The request could not be understood ({0}). Reload the page and try again.")]
    BadRequest(String),
    /// The server cannot do this right now (too busy, or the work took too long and was
    /// stopped); the message says what to do.
    #[error("{0}")]
    Unavailable(String),
    /// Something failed on our side; the cause is in the server log, keyed by the request id.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The request could not reach the server function or its reply could not be read.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status that goes with the error: the one place that says it. (Pages, server
    /// functions and the middleware apply it through `server::context::set_status`.)
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::InvalidCredentials | AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) | AppError::StaleEdit(_) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Transport(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// When to try again (seconds), for a client that was refused for now.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { minutes } => Some(u64::from(*minutes) * 60),
            AppError::Unavailable(_) => Some(1),
            _ => None,
        }
    }

    /// The message for one form field, when this is a validation error.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors.get(name).map(str::to_owned),
            _ => None,
        }
    }

    /// The submitted value of `name` carried by a validation error.
    pub fn value(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors
                .values
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, v)| v.clone()),
            AppError::StaleEdit(stale) => stale
                .yours
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, v)| v.clone()),
            _ => None,
        }
    }

    /// Attaches the submitted (non-secret) values to a validation error.
    pub fn with_values(self, values: &[(&str, String)]) -> Self {
        match self {
            AppError::Validation(mut errors) => {
                errors.values = values
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect();
                AppError::Validation(errors)
            }
            other => other,
        }
    }

    /// Builds a validation error with one message.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        AppError::Validation(errors)
    }
}

/// A store failure is the server's: logged with the request, answered 500, or 503 when the
/// database was busy or a statement ran past its deadline (`server::context::internal`).
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        crate::server::context::internal(error)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request itself was malformed: a client's mistake, not a server failure.
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::Deserialization(detail)
            | ServerFnErrorErr::UnsupportedRequestMethod(detail) => AppError::BadRequest(detail),
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_reveal_nothing() {
        let text = AppError::Internal.to_string();
        assert!(text.contains("Something went wrong"));
        assert_eq!(AppError::Internal.status(), 500);
        assert_eq!(AppError::NotFound.status(), 404);
    }

    #[test]
    fn field_errors_collect_messages_per_field() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check("email", Ok::<_, String>(1)), Some(1));
        assert_eq!(
            errors.check::<u8>("name", Err("Enter your name.".into())),
            None
        );
        let error = errors.into_result(|| ()).unwrap_err();
        assert_eq!(error.status(), 422);
        assert_eq!(error.field("name").as_deref(), Some("Enter your name."));
        assert_eq!(error.field("email"), None);
        let error = error.with_values(&[("email", "x@y".into())]);
        assert_eq!(error.value("email").as_deref(), Some("x@y"));
        assert_eq!(
            AppError::Forbidden.with_values(&[("a", "b".into())]),
            AppError::Forbidden
        );
    }

    #[test]
    fn throttling_message_names_the_wait() {
        let error = AppError::TooManyAttempts { minutes: 12 };
        assert_eq!(
            error.to_string(),
            "Too many attempts — try again in 12 minutes."
        );
        assert_eq!(error.status(), 429);
    }
}
