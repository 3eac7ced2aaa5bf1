//! The HTML document around the app, rendered on the server only: the `<head>` with the
//! early-interaction script, the stylesheet and the scripts that load the WASM bundle.
//!
//! The bundle's file names carry content hashes (`hash-files` in Leptos.toml) that the build
//! writes to a file beside the binary. They are read **once per process** ([`BundleNames`]):
//! Leptos' own `HydrationScripts` reads that file on every render.

use std::sync::OnceLock;

use leptos::prelude::*;
use leptos_meta::MetaTags;

use crate::app::App;
use crate::hydration::EarlyScript;

/// The document, for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Islands mode: the page is not hydrated, so its resources are not serialised into it and
    // its views carry no hydration markers; each island turns hydration on for itself.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let names = BundleNames::get(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <EarlyScript />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                {dev_reload(&options)}
                <link rel="stylesheet" id="leptos" href=names.css.as_str() />
                <BundleScripts names />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// cargo-leptos' live reload, only in debug builds (`cargo leptos watch`).
#[cfg(debug_assertions)]
fn dev_reload(options: &LeptosOptions) -> impl IntoView {
    view! { <AutoReload options=options.clone() /> }
}

#[cfg(not(debug_assertions))]
fn dev_reload(_: &LeptosOptions) -> impl IntoView {}

/// The addresses of the bundle's JS, WASM and CSS files, and the script that starts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleNames {
    pub js: String,
    pub wasm: String,
    pub css: String,
    /// The inline module script that loads the bundle, calls its `hydrate` export, hydrates each
    /// island and calls `hydrated`. A failure is left unhandled on purpose: the early-interaction
    /// script listens for it (`early.js`).
    pub loader: String,
}

impl BundleNames {
    /// The names for this process, worked out on first use.
    pub fn get(options: &LeptosOptions) -> &'static BundleNames {
        static NAMES: OnceLock<BundleNames> = OnceLock::new();
        NAMES.get_or_init(|| {
            let hashes = options
                .hash_files
                .then(|| {
                    let exe = std::env::current_exe().ok()?;
                    std::fs::read_to_string(exe.parent()?.join(&*options.hash_file)).ok()
                })
                .flatten();
            if options.hash_files && hashes.is_none() {
                tracing::warn!("file hashing is on but the hash file is missing: plain names used");
            }
            Self::new(
                &options.site_pkg_dir,
                &options.output_name,
                hashes.as_deref(),
            )
        })
    }

    /// The names from the hash file's text (`js: <hash>` lines), or plain names without it.
    fn new(pkg: &str, output: &str, hashes: Option<&str>) -> Self {
        let hash = |kind: &str| {
            hashes?.lines().find_map(|line| {
                let (file, hash) = line.split_once(':')?;
                (file.trim() == kind).then(|| format!(".{}", hash.trim()))
            })
        };
        let name = |kind: &str, ext: &str| {
            format!("/{pkg}/{output}{}.{ext}", hash(kind).unwrap_or_default())
        };
        let (js, wasm) = (name("js", "js"), name("wasm", "wasm"));
        // Islands are hydrated in document order (they are never nested and take no children,
        // so Leptos' own walk for nested islands is not needed); then the early interactions
        // are replayed, on hydrated islands. Only names shaped like an island's hydration
        // function (`Name_<hash>`) are called, never another export of the bundle.
        let loader = format!(
            "import({js:?}).then(m => m.default({{module_or_path: {wasm:?}}}).then(() => {{\
             m.hydrate();\
             for (const el of document.querySelectorAll(\"leptos-island\")) {{\
             const id = el.dataset.component || \"\";\
             const f = /^[A-Za-z]\\w*_\\d+$/.test(id) && m[id];\
             if (f) f(el); else console.warn(\"no island named \" + id); }}\
             m.hydrated(); }}))"
        );
        Self {
            js,
            wasm,
            css: name("css", "css"),
            loader,
        }
    }
}

/// Preloads the bundle and starts it with the page's CSP nonce.
#[component]
fn BundleScripts(names: &'static BundleNames) -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    view! {
        <link rel="modulepreload" href=names.js.as_str() />
        // `crossorigin` (anonymous) matches the `fetch` the loader makes, so the preload is used.
        <link rel="preload" href=names.wasm.as_str() r#as="fetch" r#type="application/wasm" crossorigin="" />
        <script type="module" nonce=nonce>{names.loader.as_str()}</script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_hashes_of_the_hash_file() {
        let names = BundleNames::new("pkg", "clientele", Some("js: abc\nwasm: def\ncss: ghi"));
        assert_eq!(names.js, "/pkg/clientele.abc.js");
        assert_eq!(names.wasm, "/pkg/clientele.def.wasm");
        assert_eq!(names.css, "/pkg/clientele.ghi.css");
        let plain = BundleNames::new("pkg", "clientele", None);
        assert_eq!(plain.wasm, "/pkg/clientele.wasm");
    }

    #[test]
    fn the_loader_imports_the_named_files() {
        let names = BundleNames::new("pkg", "app", Some("js: 1\nwasm: 2"));
        assert!(names.loader.starts_with(
            r#"import("/pkg/app.1.js").then(m => m.default({module_or_path: "/pkg/app.2.wasm"}).then(() => {"#
        ));
        let (hydrate, islands, hydrated) = (
            names.loader.find("m.hydrate();"),
            names.loader.find("querySelectorAll(\"leptos-island\")"),
            names.loader.find("m.hydrated();"),
        );
        assert!(hydrate < islands && islands < hydrated, "{}", names.loader);
        assert!(hydrate.is_some());
    }
}
