//! HTTP integration tests: a real server on a random port with a fresh database per test.

mod access;
mod accounts;
mod activities;
mod admin;
mod backup;
mod cli;
mod export;
mod hardening;
mod health;
mod helpers;
mod history;
mod idempotency;
mod import;
mod import_stops;
mod import_web;
mod metrics;
mod migrate_postgres;
mod migrations;
mod pages;
mod records;
mod settings;
mod shutdown;
mod tasks;
mod throttling;
mod tls;
mod upkeep;
