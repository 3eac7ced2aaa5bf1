//! Clientele: a self-hosted CRM for small teams.
//!
//! One crate, two targets. With the `ssr` feature it is the server (the `clientele` binary); with the
//! `hydrate` feature it is the WASM bundle that hydrates the server-rendered HTML. See ARCHITECTURE.md.

pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod hydration;
pub mod pages;
pub mod paths;

/// The HTML document around the app (server only).
#[cfg(feature = "ssr")]
pub mod shell;

/// Server-only code: configuration, start-up, database, HTTP middleware, telemetry.
#[cfg(feature = "ssr")]
pub mod server;

/// The WASM entry point, called by the loader (`shell::BundleNames`) once the bundle is in:
/// records what hydration must not lose (`hydration::start`). The loader then hydrates each
/// island (`<leptos-island>`) and calls [`hydrated`].
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console are for development: the hook and the formatting it pulls in
    // are left out of the release bundle (`debug_assertions` is off in the `wasm-release` profile).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    hydration::start();
}

/// Called by the loader once every island is hydrated: replays what the user did before and
/// marks the document as hydrated (`hydration::finish`).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrated() {
    hydration::finish();
}
