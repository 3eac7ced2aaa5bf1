//! Prometheus metrics at `GET /metrics` (the `metrics` facade and its Prometheus exporter). Off
//! unless a bearer token or trusted addresses are configured; then only a request with the token
//! or from one of the addresses gets them (the rest 401 or 403).
//!
//! - `clientele_http_requests_total` and `clientele_http_request_duration_seconds` (histogram),
//!   by `route` (the route's pattern, `fallback` for static files and unknown paths), `method`
//!   and `status`;
//! - `clientele_sign_in_failures_total`, `clientele_sign_in_throttled_total{reason}`;
//! - `clientele_import_rows_total{step}`, `clientele_background_jobs{step}`;
//! - read at each scrape: `clientele_db_connections{state}`, `clientele_requests_in_flight`,
//!   `clientele_password_hashing_queued`.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::Extension;
use ipnet::IpNet;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::auth::client::Client;
use super::startup::AppState;

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    /// A request with `Authorization: Bearer <token>` may.
    pub token: Option<String>,
    /// A request from one of these addresses may (the client's address, through trusted proxies).
    pub allow: Vec<IpNet>,
}

impl MetricsAccess {
    /// The shortest token accepted.
    pub const MIN_TOKEN_CHARS: usize = 16;

    pub fn enabled(&self) -> bool {
        self.token.is_some() || !self.allow.is_empty()
    }

    fn token_matches(&self, headers: &HeaderMap) -> bool {
        let (Some(token), Some(given)) = (
            &self.token,
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer ")),
        ) else {
            return false;
        };
        // Compared as digests, in constant time: neither the token nor its length shows in timing.
        Sha256::digest(token.as_bytes())
            .ct_eq(&Sha256::digest(given.trim().as_bytes()))
            .into()
    }
}

/// Latency buckets (seconds): a page in a millisecond up to a request timing out.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle), and keeps its
/// histograms drained in the background.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets(&BUCKETS)
                .and_then(PrometheusBuilder::install_recorder);
            match built {
                Ok(handle) => {
                    let upkeep = handle.clone();
                    tokio::spawn(async move {
                        loop {
                            tokio::time::sleep(Duration::from_secs(5)).await;
                            upkeep.run_upkeep();
                        }
                    });
                    Some(handle)
                }
                Err(error) => {
                    tracing::error!(%error, "cannot record metrics");
                    None
                }
            }
        })
        .as_ref()
}

fn installed() -> bool {
    HANDLE.get().is_some_and(Option::is_some)
}

/// Counts every request and its time, by route, method and status (when metrics are on).
pub async fn record(request: Request, next: Next) -> Response<Body> {
    if !installed() {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "fallback".to_owned(), |p| p.as_str().to_owned());
    // A client may send any method name: the label takes the standard ones only.
    let method = match *request.method() {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::OPTIONS => request.method().as_str().to_owned(),
        _ => "other".to_owned(),
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("route", route),
        ("method", method),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("clientele_http_requests_total", &labels).increment(1);
    metrics::histogram!("clientele_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A sign-in with a wrong password (or an unknown account).
pub fn sign_in_failed() {
    metrics::counter!("clientele_sign_in_failures_total").increment(1);
}

/// A sign-in refused before its password was checked: too many failures (`limit`) or too many
/// checks at once from one address (`concurrency`).
pub fn sign_in_throttled(reason: &'static str) {
    metrics::counter!("clientele_sign_in_throttled_total", "reason" => reason).increment(1);
}

/// An API request whose bearer token does not work (unknown, revoked, expired, or its owner
/// deactivated).
pub fn api_token_refused() {
    metrics::counter!("clientele_api_tokens_refused_total").increment(1);
}

/// An API request refused for its token's rate.
pub fn api_rate_limited() {
    metrics::counter!("clientele_api_rate_limited_total").increment(1);
}

/// A background job (an import's check, run or undo) under way until dropped.
pub struct Job(&'static str);

impl Job {
    pub fn start(step: &'static str) -> Self {
        metrics::gauge!("clientele_background_jobs", "step" => step).increment(1.0);
        Self(step)
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        metrics::gauge!("clientele_background_jobs", "step" => self.0).decrement(1.0);
    }
}

/// Rows an import's `step` (check or run) got through.
pub fn import_rows(step: &'static str, rows: u64) {
    metrics::counter!("clientele_import_rows_total", "step" => step).increment(rows);
}

/// `GET /metrics`: the Prometheus text format, for those allowed (see [`MetricsAccess`]).
pub async fn scrape(
    State(state): State<AppState>,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
) -> Response<Body> {
    let access = &state.metrics;
    if !access.enabled() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let from_allowed = client.is_some_and(|c| access.allow.iter().any(|n| n.contains(&c.ip)));
    if !from_allowed && !access.token_matches(&headers) {
        return if access.token.is_some() {
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
            )
                .into_response()
        } else {
            StatusCode::FORBIDDEN.into_response()
        };
    }
    let Some(handle) = install() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let (size, idle) = state.db.pool_usage();
    metrics::gauge!("clientele_db_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("clientele_db_connections", "state" => "in_use")
        .set((size as usize).saturating_sub(idle) as f64);
    metrics::gauge!("clientele_requests_in_flight").set(state.db.requests_in_flight() as f64);
    metrics::gauge!("clientele_password_hashing_queued")
        .set(super::auth::password::queued() as f64);
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        handle.render(),
    )
        .into_response()
}
