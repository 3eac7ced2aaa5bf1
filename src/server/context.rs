//! What server functions reach for: the application state and request facts provided by
//! leptos_axum, the signed-in user, and the mapping of failures to responses.

use axum::http::header;
use axum::http::request::Parts;
use leptos::prelude::use_context;
use tower_sessions::Session;

use super::auth::session::{Auth, Client};
use super::db::{CurrentUser, Db};
use super::startup::AppState;
use crate::domain::Role;
use crate::error::AppError;

/// The application state, provided to every render and server function by the router.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| missing("application state"))
}

/// The database handle.
pub fn db() -> Result<Db, AppError> {
    state().map(|s| s.db)
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| missing("request"))
}

fn missing(what: &str) -> AppError {
    tracing::error!("{what} missing from the Leptos context");
    AppError::Internal
}

/// The tower session of this request.
pub fn session() -> Result<Session, AppError> {
    parts()?
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| missing("session"))
}

/// Where the request comes from.
pub fn client() -> Result<Client, AppError> {
    parts()?
        .extensions
        .get::<Client>()
        .cloned()
        .ok_or_else(|| missing("client"))
}

/// What a plain form post left for this page (see `http::flash`), if anything.
pub fn flash() -> Option<crate::domain::Flash> {
    use_context::<Parts>().and_then(|parts| parts.extensions.get::<crate::domain::Flash>().cloned())
}

/// For a plain form post, leaves `notes` for the page at `target` (which is where the server
/// function then redirects): a script's call gets them in the answer instead.
pub async fn leave_notes(target: &str, notes: Vec<(String, String)>) -> Result<(), AppError> {
    if is_native_form_post() {
        super::http::flash::leave_notes(&session()?, target, notes)
            .await
            .map_err(internal)?;
    }
    Ok(())
}

/// The path of the endpoint being called (`/api/contacts/save`), or `""` outside a request.
pub fn endpoint() -> String {
    use_context::<Parts>().map_or_else(String::new, |parts| parts.uri.path().to_owned())
}

/// The signed-in user, if any.
pub fn current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(parts()?
        .extensions
        .get::<Auth>()
        .and_then(|auth| auth.0.clone()))
}

/// The signed-in user, or [`AppError::Unauthorized`].
pub fn require_user() -> Result<CurrentUser, AppError> {
    current_user()?.ok_or(AppError::Unauthorized)
}

/// The signed-in user if their role includes `role`; else Unauthorized or Forbidden.
pub fn require_role(role: Role) -> Result<CurrentUser, AppError> {
    let user = require_user()?;
    if user.role.allows(role) {
        Ok(user)
    } else {
        tracing::warn!(user = user.id, role = %user.role, required = %role, "forbidden");
        Err(AppError::Forbidden)
    }
}

/// Logs an unexpected failure with its whole cause chain and returns the error the user sees.
pub fn internal(error: impl Into<anyhow::Error>) -> AppError {
    let error = error.into();
    if super::db::is_busy(&error) {
        tracing::warn!(error = format!("{error:#}"), "the database stayed locked");
        return AppError::Unavailable("The server is busy. Try again in a moment.".into());
    }
    if super::db::is_interrupted(&error) {
        tracing::warn!(
            error = format!("{error:#}"),
            "a statement ran past its deadline"
        );
        return AppError::Unavailable(
            "That took too long and was stopped. Narrow the search or filters, or try again in a moment."
                .into(),
        );
    }
    tracing::error!(error = format!("{error:#}"), "request failed");
    AppError::Internal
}

/// Whether this is a plain HTML form post (no JavaScript) to a server function: leptos answers
/// it with a redirect back to the form, carrying the error in the URL, and that must stay a redirect.
fn is_native_form_post() -> bool {
    use_context::<Parts>().is_some_and(|parts| {
        parts.method == axum::http::Method::POST
            && parts
                .headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
    })
}

/// Gives a failure the HTTP status of its error (422, 401, 403, 404, 429, …): for a server-function
/// call from script, and for a page being rendered (the data it loads failed), but not for a plain
/// form post, which must stay a redirect back to the form.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if !is_native_form_post() {
            set_status(error);
        }
    }
    result
}

/// Gives the response being built the status of `error` ([`AppError::status`]) and, for a
/// client refused for now, when to try again.
pub fn set_status(error: &AppError) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
        if let Some(seconds) = error.retry_after() {
            response.insert_header(header::RETRY_AFTER, seconds.into());
        }
    }
}

/// Asks the browser to load the page again in `seconds` (the `Refresh` header, which browsers
/// follow with JavaScript switched off too; some ignore a `<meta http-equiv="refresh">` then).
pub fn refresh_after(seconds: u32) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(header::REFRESH, header::HeaderValue::from(seconds));
    }
}

/// Sends the browser to `path` once the server function returns (with or without JavaScript).
pub fn redirect(path: &str) {
    leptos_axum::redirect(path);
}
