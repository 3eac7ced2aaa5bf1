//! The HTTP surface: routes (health checks, Leptos pages and server functions, static files) and
//! the middleware stack around them.

mod health;
mod middleware;

use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};

use super::config::HttpSettings;
use super::startup::AppState;
use crate::app::{shell, App};

pub fn router(state: AppState, settings: &HttpSettings) -> Router {
    let routes = generate_route_list(App);
    let shell_options = state.leptos_options.clone();
    // leptos_axum provides `AppState` as context to every render and server function.
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .leptos_routes(&state, routes, move || shell(shell_options.clone()))
        // Static files from the site root; anything else renders the app's 404 page (status 404).
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    middleware::apply(router, settings).with_state(state)
}
