//! Everything that runs only on the server. Nothing outside this module names sqlx, axum's server
//! machinery, tower or tracing-subscriber.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod context;
pub mod db;
pub mod export;
pub mod http;
pub mod idempotency;
pub mod import;
pub mod live;
pub mod metrics;
pub mod records;
pub mod startup;
pub mod telemetry;
pub mod tls;
