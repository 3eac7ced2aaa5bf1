//! Static files: the built bundle under `/pkg` and the files copied from `public/` (favicon,
//! robots.txt), served from the site root by tower-http's `ServeDir`, which answers conditional
//! requests (ETag/Last-Modified → 304) and picks a pre-compressed `.br`/`.gz` variant when one
//! exists and the client accepts it. A path that names no file renders the app's 404 page.

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use tower_http::services::ServeDir;

use super::security;
use crate::app::shell;
use crate::server::startup::AppState;

/// The fallback of the router: a file from the site root, or else the app's 404 page.
pub fn service(
    state: &AppState,
) -> ServeDir<
    impl tower::Service<
            Request<Body>,
            Response = Response,
            Error = std::convert::Infallible,
            Future = impl Send,
        > + Clone,
> {
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let not_found = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(context_state.clone());
            security::provide_page_nonce();
        },
        move || shell(options.clone()),
    );
    ServeDir::new(&*state.leptos_options.site_root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(tower::service_fn(move |request: Request<Body>| {
            let not_found = not_found.clone();
            async move {
                Ok::<Response, std::convert::Infallible>(not_found(request).await.into_response())
            }
        }))
}
