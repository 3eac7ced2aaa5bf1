//! Static files: the built bundle under `/pkg` and the files copied from `public/` (favicon,
//! robots.txt), served from the site root by tower-http's `ServeDir`, which picks a pre-compressed
//! `.br`/`.gz` variant when one exists and the client accepts it, and answers `If-Modified-Since`.
//! Around it, this module adds an `ETag` (from the file's size and modification time, like nginx)
//! answered with 304 on `If-None-Match`, and the caching policy:
//!
//! - bundle files with a content hash in their name (`clientele.<hash>.js`, the release build's
//!   `hash-files`) never change: `public, max-age=31536000, immutable`;
//! - anything else may change under the same name: `public, no-cache` (always revalidated, which the
//!   ETag makes cheap).
//!
//! A path that names no file renders the app's 404 page.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::security;
use crate::server::startup::AppState;
use crate::shell::shell;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "public, no-cache";

/// The router's fallback: a file from the site root, or else the app's 404 page.
pub fn service(
    state: &AppState,
) -> impl tower::Service<
    Request<Body>,
    Response = Response,
    Error = Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let not_found = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(context_state.clone());
            security::provide_page_nonce();
        },
        move || shell(options.clone()),
    );
    let root: Arc<Path> = PathBuf::from(&*state.leptos_options.site_root).into();
    let files = ServeDir::new(&*root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(tower::service_fn(move |request: Request<Body>| {
            let not_found = not_found.clone();
            async move { Ok::<Response, Infallible>(not_found(request).await.into_response()) }
        }));
    tower::service_fn(move |request: Request<Body>| {
        let (files, root) = (files.clone(), root.clone());
        async move { Ok::<Response, Infallible>(serve(files, &root, request).await) }
    })
}

async fn serve<S>(files: ServeDir<S>, root: &Path, request: Request<Body>) -> Response
where
    S: tower::Service<Request<Body>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let path = request.uri().path().to_owned();
    let cacheable = matches!(*request.method(), Method::GET | Method::HEAD);
    let etag = match cacheable {
        true => etag_of(root, &path).await,
        false => None,
    };
    let cache_control = HeaderValue::from_static(if is_hashed(&path) {
        IMMUTABLE
    } else {
        REVALIDATE
    });
    if let Some(etag) = &etag {
        if none_match(request.headers(), etag) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, cache_control);
            if let Ok(value) = HeaderValue::from_str(etag) {
                headers.insert(header::ETAG, value);
            }
            return response;
        }
    }
    let Ok(response) = files.oneshot(request).await;
    let mut response = response.map(Body::new);
    if etag.is_some() && response.status() == StatusCode::OK {
        let encoding = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, cache_control);
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        // Each encoding is its own representation, with its own tag.
        let tagged = match (&etag, encoding) {
            (Some(etag), Some(encoding)) => format!("{}-{encoding}\"", etag.trim_end_matches('"')),
            (Some(etag), None) => etag.clone(),
            (None, _) => String::new(),
        };
        if let Ok(value) = HeaderValue::from_str(&tagged) {
            headers.insert(header::ETAG, value);
        }
    }
    response
}

/// `"<size>-<mtime>"` of the file the path names, if it names one under `root`.
async fn etag_of(root: &Path, path: &str) -> Option<String> {
    let relative = path.strip_prefix('/')?;
    // Only plain names: ServeDir does the decoding and rejects traversal for the body itself.
    let plain = |part: &str| {
        !part.is_empty()
            && part != ".."
            && part != "."
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if !relative.split('/').all(plain) {
        return None;
    }
    let metadata = tokio::fs::metadata(root.join(relative)).await.ok()?;
    if !metadata.is_file() {
        return None;
    }
    let modified = metadata
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!("\"{:x}-{modified:x}\"", metadata.len()))
}

/// Whether `If-None-Match` lists `etag` (weak comparison: any encoding's tag of the same file).
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|tag| {
            tag == "*"
                || tag == bare
                || tag
                    .strip_prefix(bare)
                    .is_some_and(|rest| rest == "-br" || rest == "-gzip")
        })
}

/// A bundle file named with its content hash (`/pkg/clientele.Xy3…Q.wasm`).
pub fn is_hashed(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 3
        && parts[1].len() >= 16
        && parts[1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_hashed_bundle_names_are_immutable() {
        assert!(is_hashed("/pkg/clientele.4yE4K0bVdTcXbnHXeamwwg.wasm"));
        assert!(is_hashed("/pkg/clientele.4yE4K0bVdTcXbnHXeamwwg.js"));
        assert!(!is_hashed("/pkg/clientele.js"));
        assert!(!is_hashed("/pkg/clientele_bg.wasm.d.ts"));
        assert!(!is_hashed("/favicon.svg"));
        assert!(!is_hashed("/pkg/../clientele.4yE4K0bVdTcXbnHXeamwwg.js/x"));
    }

    #[test]
    fn if_none_match_accepts_the_tag_of_any_encoding() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"other\", W/\"10-abc-br\""),
        );
        assert!(none_match(&headers, "\"10-abc\""));
        assert!(!none_match(&headers, "\"10-abd\""));
        assert!(!none_match(&HeaderMap::new(), "\"10-abc\""));
    }
}
