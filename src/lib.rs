//! Clientele: a self-hosted CRM for small teams.
//!
//! One crate, two targets. With the `ssr` feature it is the server (the `clientele` binary); with the
//! `hydrate` feature it is the WASM bundle that hydrates the server-rendered HTML. See ARCHITECTURE.md.

pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;

/// Server-only code: configuration, start-up, database, HTTP middleware, telemetry.
#[cfg(feature = "ssr")]
pub mod server;

/// The WASM entry point: hydrate the server-rendered body, then mark the document as hydrated.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    mark_hydrated();
}

/// Sets `html[data-hydrated]` and a `performance.mark` so tests and monitoring can tell that the page
/// is interactive.
#[cfg(feature = "hydrate")]
fn mark_hydrated() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-hydrated", "");
    }
    if let Some(performance) = window.performance() {
        let _ = performance.mark("clientele:hydrated");
    }
}
