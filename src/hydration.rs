//! Early interactions: nothing the user does before hydration is lost, nothing is done twice.
//!
//! The server inlines `early.js` at the top of every page's `<head>` ([`EarlyScript`]). From first
//! paint it records clicks on controls, holds form submits (with a snapshot of their data and
//! submitter) and remembers the fields the user typed in. The WASM entry point calls [`start`]
//! (focus, caret, scroll, typed values) before the islands are hydrated and [`finish`] after:
//! typed values are restored where hydration changed them and announced with `input`/`change`
//! events, recorded clicks are dispatched to the hydrated handlers, and a held submit is sent
//! through the app's own handler; then `html[data-hydrated]` is set with `data-hydration-ms`,
//! `data-replayed` and `data-dropped`, and a `clientele:hydrated` performance mark.
//!
//! If the WASM fails, or hydration has not finished 4 s after a submit was held, the script sends
//! that submit natively instead (the forms work without JavaScript) and stops capturing, so a
//! submit goes exactly one way. The server's idempotency keys (`server::idempotency`) make a
//! repeat harmless anyway.

use leptos::prelude::*;

/// The capture script's source, with whole-line comments and indentation as written.
pub const SOURCE: &str = include_str!("early.js");

/// The script as inlined: whole-line comments, indentation and blank lines removed.
pub fn inlined() -> &'static str {
    static INLINED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    INLINED.get_or_init(|| minify(SOURCE))
}

fn minify(source: &str) -> String {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The inline capture script, carrying the page's CSP nonce. It must come before the hydration
/// scripts so that it listens from the first paint.
#[component]
pub fn EarlyScript() -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    view! { <script id="clientele-early" nonce=nonce inner_html=inlined()></script> }
}

#[cfg(feature = "hydrate")]
mod bindings {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = clienteleEarly, js_name = snap)]
        pub fn snap() -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = clienteleEarly, js_name = replay)]
        pub fn replay() -> Result<(), JsValue>;
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// Whether the capture script was on the page when [`start`] ran.
    static CAPTURED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Before the islands are hydrated: records what hydration must not lose, starts the reactive
/// system for islands, and listens for the page-wide controls (`components::form::listen`).
#[cfg(feature = "hydrate")]
pub fn start() {
    CAPTURED.set(snap());
    leptos::mount::hydrate_islands();
    crate::components::form::listen();
}

/// After the islands are hydrated: replays what the user did before and marks the page.
#[cfg(feature = "hydrate")]
pub fn finish() {
    replay(CAPTURED.get());
}

/// Records what hydration must not lose. Returns whether the capture script is on the page.
#[cfg(feature = "hydrate")]
fn snap() -> bool {
    bindings::snap().is_ok()
}

/// Replays what the user did before hydration and marks the page hydrated. Without the capture
/// script (`captured` false) it only marks the page.
#[cfg(feature = "hydrate")]
fn replay(captured: bool) {
    if captured && bindings::replay().is_ok() {
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inlined_script_has_no_comment_lines_and_stays_small() {
        let script = inlined();
        assert!(!script.lines().any(|l| l.starts_with("//")));
        assert!(
            !script.contains("</script"),
            "it must not end its own element"
        );
        assert!(script.len() < 5 * 1024, "{} bytes", script.len());
        // The WASM calls these two by name.
        assert!(script.contains("window.clienteleEarly"));
        assert!(script.contains("snap: function") && script.contains("replay: function"));
    }

    #[test]
    fn minify_keeps_code_and_drops_comments_and_blank_lines() {
        assert_eq!(
            minify("  // note\n\n  var a = 1; // kept\n}\n"),
            "var a = 1; // kept\n}"
        );
    }
}
