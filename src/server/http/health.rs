//! Probes for load balancers and orchestrators: plain text, no page rendering, one cheap query.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

use crate::server::db::{Db, Readiness};

const NO_STORE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-store");

/// The process is up and serving HTTP.
pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, [NO_STORE], "ok\n")
}

/// The database answers and every migration has been applied.
pub async fn readyz(State(db): State<Db>) -> impl IntoResponse {
    let (status, body) = match db.readiness().await {
        Ok(Readiness::Ready) => (StatusCode::OK, "ready\n"),
        Ok(Readiness::MigrationsPending) => {
            (StatusCode::SERVICE_UNAVAILABLE, "migrations pending\n")
        }
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    };
    (status, [NO_STORE], body)
}
