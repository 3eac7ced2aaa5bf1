//! The middleware stack every request goes through, outermost first: request id, tracing span and
//! access log, security headers, metrics, panic guard, body size limit, timeout, requests in
//! flight, compression. (The session,
//! CSRF and sign-in layers sit inside these, next to the routes: see `http::router`.)

use std::any::Any;

use axum::body::Body;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Request, Response, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::IntoResponse;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use super::security;
use crate::paths;
use crate::server::config::HttpSettings;
use crate::server::startup::AppState;

pub fn apply(
    router: Router<AppState>,
    settings: &HttpSettings,
    state: &AppState,
) -> Router<AppState> {
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(
                        DefaultOnResponse::new()
                            .level(Level::INFO)
                            .latency_unit(LatencyUnit::Micros),
                    ),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(from_fn_with_state(state.clone(), security::headers))
            // Outside the panic guard and the limits, so that 500, 408 and 413 are counted too.
            .layer(axum::middleware::from_fn(crate::server::metrics::record))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(from_fn_with_state(Limits::of(settings), limits))
            .layer(from_fn_with_state(state.clone(), in_flight))
            .layer(CompressionLayer::new()),
    )
}

/// How big a request body may be and how long a request may take: for every request, and for a
/// CSV file's upload to `/import`.
#[derive(Clone, Copy)]
struct Limits {
    body_bytes: usize,
    timeout: Duration,
    upload_bytes: usize,
    upload_timeout: Duration,
}

impl Limits {
    fn of(settings: &HttpSettings) -> Self {
        Self {
            body_bytes: settings.max_body_bytes,
            timeout: settings.request_timeout,
            upload_bytes: settings.max_import_bytes,
            // A file of the largest size at 1 MB/s, and never less than the usual timeout.
            upload_timeout: settings.request_timeout.max(Duration::from_secs(
                (settings.max_import_bytes / 1_000_000) as u64,
            )),
        }
    }
}

/// A body larger than allowed gets 413 (at once when its length is declared, else as soon as it
/// is read past the limit); a request taking too long gets 408.
async fn limits(
    State(limits): State<Limits>,
    request: Request<Body>,
    next: Next,
) -> Response<Body> {
    let upload = request.method() == Method::POST && request.uri().path() == paths::IMPORT_UPLOAD;
    let (max, timeout) = if upload {
        (limits.upload_bytes, limits.upload_timeout)
    } else {
        (limits.body_bytes, limits.timeout)
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // An upload too large is told so on the import page (see `import::upload`).
    if !upload && declared.is_some_and(|length| length > max) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, max)));
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// Counts the request as in flight while it is handled: background writers (an import's
/// batches) let it go first (see `Db::background_turn`).
async fn in_flight(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response<Body> {
    let path = request.uri().path();
    // Static files, probes and a file's upload never wait for the write lock.
    let counted = !(crate::server::auth::session::is_static_path(path)
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
        || path == paths::IMPORT_UPLOAD);
    let _in_flight = counted.then(|| state.db.request_in_flight());
    next.run(request).await
}

/// One span per request, carrying the request id, method and path into every log line.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
        user = tracing::field::Empty,
    )
}

/// A bug must not take the process down, nor show the user a stack trace.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "request handler panicked");
    let mut response = Response::new(Body::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Something went wrong · Clientele</title></head>\
         <body><main><h1>Something went wrong</h1><p role=\"alert\">Something went wrong on our side. Please try again in a moment.</p>\
         <p><a href=\"/\">Back to the home page</a></p></main></body></html>",
    ));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// Server functions whose arguments cannot be read fail inside leptos, which answers 500 whatever
/// the cause. This gives such answers the status of the error they carry (400 for a malformed
/// request), so a client's mistake is never reported as a server failure.
pub async fn server_fn_status(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response<Body> {
    let is_server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<crate::error::AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}
