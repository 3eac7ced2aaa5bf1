//! What server functions reach for: the application state and request facts provided by
//! leptos_axum, the signed-in user, and the mapping of failures to responses.

use axum::http::header;
use axum::http::request::Parts;
use leptos::prelude::{use_context, with_context};
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
    // Borrowed, not cloned: `use_context` would copy the whole state (Leptos' options and all)
    // for every call, and a page makes several.
    with_context::<AppState, _>(|state| state.db.clone())
        .ok_or_else(|| missing("application state"))
}

/// Reads the request's parts in place: `use_context::<Parts>()` would copy its headers and
/// extensions for every question asked of it.
fn with_parts<R>(read: impl FnOnce(&Parts) -> R) -> Option<R> {
    with_context::<Parts, _>(read)
}

/// The request extension `T`, cloned; `None` outside a request or without one.
pub fn request_extension<T: Clone + Send + Sync + 'static>() -> Option<T> {
    with_parts(|parts| parts.extensions.get::<T>().cloned()).flatten()
}

/// The request extension `T` every request carries (a middleware inserts it).
fn extension<T: Clone + Send + Sync + 'static>(what: &str) -> Result<T, AppError> {
    with_parts(|parts| parts.extensions.get::<T>().cloned())
        .ok_or_else(|| missing("request"))?
        .ok_or_else(|| missing(what))
}

fn missing(what: &str) -> AppError {
    tracing::error!("{what} missing from the Leptos context");
    AppError::Internal
}

/// The tower session of this request.
pub fn session() -> Result<Session, AppError> {
    extension::<Session>("session")
}

/// Where the request comes from.
pub fn client() -> Result<Client, AppError> {
    extension::<Client>("client")
}

/// What a plain form post left for this page (see `http::flash`), if anything.
pub fn flash() -> Option<crate::domain::Flash> {
    request_extension::<crate::domain::Flash>()
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
    with_parts(|parts| parts.uri.path().to_owned()).unwrap_or_default()
}

/// The signed-in user, if any.
pub fn current_user() -> Result<Option<CurrentUser>, AppError> {
    with_parts(|parts| {
        parts
            .extensions
            .get::<Auth>()
            .and_then(|auth| auth.0.clone())
    })
    .ok_or_else(|| missing("request"))
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
    with_parts(|parts| {
        parts.method == axum::http::Method::POST
            && parts
                .headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
    })
    .unwrap_or(false)
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
