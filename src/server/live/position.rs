//! Where a page's live updates start.

use axum::extract::State;
use axum::response::Response;

use crate::server::auth::session::Auth;
use crate::server::startup::AppState;

/// The history's position when a page's request arrived: read before anything the page shows, so
/// that a change committed while the page is rendered is after it, and heard of.
#[derive(Debug, Clone, Copy)]
pub struct Position(pub Option<i64>);

/// Middleware: notes the history's [`Position`] for the pages that follow changes (the record
/// kinds' lists, pages and forms) of a signed-in user, before they are rendered.
pub async fn position(
    State(state): State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let follows = request.method() == axum::http::Method::GET
        && crate::domain::RecordKind::ALL
            .iter()
            .any(|kind| path.starts_with(kind.list_path()))
        && !crate::server::auth::session::is_static_path(path)
        && request
            .extensions()
            .get::<Auth>()
            .is_some_and(|auth| auth.0.is_some());
    if follows {
        let at = state.db.last_change().await;
        if let Err(error) = &at {
            tracing::debug!(%error, "cannot read the history's position");
        }
        request.extensions_mut().insert(Position(at.ok()));
    }
    next.run(request).await
}
