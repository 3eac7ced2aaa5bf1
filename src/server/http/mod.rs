//! The HTTP surface: routes (health checks, Leptos pages and server functions, static files) and
//! the middleware stack around them.

mod assets;
mod error_hooks;
pub mod flash;
mod health;
mod middleware;
pub mod security;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};

use super::auth::session;
use super::config::HttpSettings;
use super::startup::AppState;
use crate::app::App;
use crate::paths;
use crate::shell::shell;

pub fn router(state: AppState, settings: &HttpSettings) -> Router {
    let routes = page_routes();
    let shell_options = state.leptos_options.clone();
    // leptos_axum provides `AppState` and the request's parts as context to every render and
    // server function; each render also gets a CSP nonce.
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(super::metrics::scrape))
        // The upload's size is limited by `--max-import-bytes` (see `middleware`), not by axum's
        // 2 MB default for multipart bodies.
        .route(
            paths::IMPORT_UPLOAD,
            post(super::import::upload::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(paths::IMPORT_SAMPLE, get(super::import::sample::contacts))
        .route(
            paths::IMPORT_SAMPLE_COMPANIES,
            get(super::import::sample::companies),
        )
        .route(paths::EVENTS, get(super::live::events))
        .route(paths::CONTACTS_EXPORT, get(super::export::contacts))
        .route(paths::COMPANIES_EXPORT, get(super::export::companies))
        .leptos_routes_with_context(&state, routes, security::provide_page_nonce, move || {
            shell(shell_options.clone())
        })
        // Static files from the site root; anything else renders the app's 404 page (status 404).
        .fallback_service(assets::service(&state))
        // Innermost first: the history's position for pages that follow changes, pages behind
        // sign-in, who is signed in, the session cookie, then the
        // CSRF check.
        .layer(axum::middleware::from_fn(error_hooks::isolate))
        .layer(from_fn_with_state(state.clone(), super::live::position))
        .layer(axum::middleware::from_fn(session::require_sign_in))
        .layer(from_fn_with_state(state.clone(), session::load))
        .layer(axum::middleware::from_fn(flash::carry))
        .layer(session::layer(&state.db, &state.sessions))
        .layer(from_fn_with_state(state.clone(), security::csrf))
        .layer(axum::middleware::from_fn(middleware::server_fn_status));
    // The JSON API: beside the pages, outside their session, sign-in and CSRF layers (a token,
    // never a cookie, authenticates it).
    let router = router.merge(super::api::router(&state));
    middleware::apply(router, settings, &state).with_state(state)
}

/// The pages' routes, read from `App` once per process. Reading them renders the app with
/// resource loading switched off for the whole process (leptos_server's `SuppressResourceLoad` is
/// one global flag): a page being rendered meanwhile on another thread, say by another
/// `Application` in the same process, would wait forever for its data. Once per process, that
/// happens before any router exists; later calls (concurrent ones wait for it) clone the list.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}
