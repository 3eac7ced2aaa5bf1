//! What server functions reach for: the application state provided by leptos_axum, and the mapping
//! of unexpected failures to [`AppError::Internal`].

use leptos::prelude::use_context;

use super::db::Db;
use super::startup::AppState;
use crate::error::AppError;

/// The application state, provided to every render and server function by the router.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("application state missing from the Leptos context");
        AppError::Internal
    })
}

/// The database handle.
pub fn db() -> Result<Db, AppError> {
    state().map(|s| s.db)
}

/// Logs an unexpected failure with its whole cause chain and returns the error the user sees.
pub fn internal(error: impl Into<anyhow::Error>) -> AppError {
    let error = error.into();
    tracing::error!(error = format!("{error:#}"), "request failed");
    AppError::Internal
}
