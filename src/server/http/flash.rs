//! One-time messages from a plain (no-JavaScript) form post to the page it returns to.
//!
//! When a server function fails on a plain form post, the framework redirects back to the form
//! with the error in the URL (`?__path=…&__err=…`), where it would land in the browser's history
//! and in proxy logs, and where a crafted link could show any message on a trusted page. This
//! middleware takes the error out of that redirect, together with the values that were submitted
//! (never secrets), and keeps them in the session for the next request of that page, which gets
//! them as a [`Flash`] (read once). Error parameters arriving in any other URL are dropped.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::domain::Flash;
use crate::server::auth::session::is_static_path;

/// Key of the pending flash in the session.
const KEY: &str = "flash";
/// The framework's query parameters for an error carried in the URL.
const ERROR_PARAMS: [&str; 2] = ["__path", "__err"];
/// Most submitted fields kept.
const MAX_VALUES: usize = 64;
/// Longest submitted value kept (the longest field, notes, is 10,000 characters).
const MAX_VALUE_BYTES: usize = 40_000;
/// Most bytes of submitted values kept, and longest error kept, for one page view.
const MAX_FLASH_BYTES: usize = 64 * 1024;
/// Largest form body read (the body limit layer refuses larger ones first).
const MAX_FORM_BYTES: usize = 16 * 1024 * 1024;

/// A flash waiting for the request of `target` (path and query, exactly as redirected to).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    target: String,
    flash: Flash,
}

/// Middleware (inside the session layer): see the module documentation.
pub async fn carry(mut request: Request, next: Next) -> Response {
    // Error parameters never reach the app, whoever wrote them: not in the address asked for,
    // and not in the `Referer` the framework redirects a failed form back to (it appends its own
    // after whatever that address already holds).
    strip_error_params(&mut request);
    strip_error_params_from_referer(&mut request);
    let Some(session) = request
        .extensions()
        .get::<Session>()
        .filter(|_| !is_static_path(request.uri().path()))
        .cloned()
    else {
        return next.run(request).await;
    };
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let target = request.uri().path_and_query().map_or_else(
            || request.uri().path().to_owned(),
            |pq| pq.as_str().to_owned(),
        );
        if let Ok(Some(pending)) = session.get::<Pending>(KEY).await {
            if pending.target == target {
                if let Err(error) = session.remove::<Pending>(KEY).await {
                    tracing::warn!(%error, "cannot clear a flash message");
                }
                request.extensions_mut().insert(pending.flash);
            }
        }
        return next.run(request).await;
    }
    if !is_plain_form_post(&request) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.\n").into_response();
    };
    // Kept for one page view in the session: bounded, whatever was sent.
    let mut room = MAX_FLASH_BYTES;
    let values: Vec<(String, String)> = form_urlencoded::parse(&bytes)
        .filter(|(name, value)| Flash::keeps(name) && value.len() <= MAX_VALUE_BYTES)
        .take(MAX_VALUES)
        .take_while(|(name, value)| {
            room = room.saturating_sub(name.len() + value.len());
            room > 0
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let Some((target, failed)) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(split_error)
    else {
        return response;
    };
    let Ok(location) = HeaderValue::from_str(&target) else {
        return response;
    };
    if failed.1.len() > MAX_FLASH_BYTES {
        // Only absurd input makes an error this long (it echoes what was typed): the form
        // comes back fresh rather than storing it.
        response.headers_mut().insert(header::LOCATION, location);
        return response;
    }
    let pending = Pending {
        flash: Flash {
            page: page_of(&target).to_owned(),
            failed: Some(failed),
            values,
            notes: Vec::new(),
        },
        target,
    };
    match session.insert(KEY, pending).await {
        Ok(()) => {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Err(error) => tracing::error!(%error, "cannot keep a form's error for its page"),
    }
    response
}

/// Leaves `notes` for the next request of `target` (for a plain form post, whose page cannot get
/// them from the server function's answer).
pub async fn leave_notes(
    session: &Session,
    target: &str,
    notes: Vec<(String, String)>,
) -> anyhow::Result<()> {
    let pending = Pending {
        target: target.to_owned(),
        flash: Flash {
            page: page_of(target).to_owned(),
            notes,
            ..Flash::default()
        },
    };
    session.insert(KEY, pending).await?;
    Ok(())
}

fn page_of(target: &str) -> &str {
    target.split('?').next().unwrap_or(target)
}

/// A form posted by the browser itself to a server function (it wants HTML back).
fn is_plain_form_post(request: &Request) -> bool {
    request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

/// Drops the framework's error parameters from the `Referer` header.
fn strip_error_params_from_referer(request: &mut Request) {
    let Some(referer) = request
        .headers()
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
    else {
        return;
    };
    let Ok(uri) = referer.parse::<Uri>() else {
        return;
    };
    let Some(query) = uri.query().filter(|q| has_error_params(q)) else {
        return;
    };
    let clean = with_query(uri.path(), &without_error_params(query));
    let clean = match (uri.scheme_str(), uri.authority()) {
        (Some(scheme), Some(authority)) => format!("{scheme}://{authority}{clean}"),
        _ => clean,
    };
    if let Ok(value) = HeaderValue::from_str(&clean) {
        request.headers_mut().insert(header::REFERER, value);
    }
}

/// Drops the framework's error parameters from the request's query, wherever they come from.
fn strip_error_params(request: &mut Request) {
    let Some(query) = request.uri().query() else {
        return;
    };
    if !has_error_params(query) {
        return;
    }
    let target = with_query(request.uri().path(), &without_error_params(query));
    let mut parts = request.uri().clone().into_parts();
    match target.parse() {
        Ok(path_and_query) => parts.path_and_query = Some(path_and_query),
        Err(_) => return,
    }
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
}

fn has_error_params(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes()).any(|(k, _)| ERROR_PARAMS.contains(&k.as_ref()))
}

fn without_error_params(query: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(query.as_bytes())
                .filter(|(k, _)| !ERROR_PARAMS.contains(&k.as_ref())),
        )
        .finish()
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// A redirect to `…?__path=P&__err=E` → (the local target without them, (P, E)). Read by hand:
/// such an address can be longer than `Uri` accepts.
fn split_error(location: &str) -> Option<(String, (String, String))> {
    let local = match location.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/')?..],
        None => location,
    };
    let (path, query) = local.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    let find = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let found = (find("__path")?, find("__err")?);
    Some((with_query(path, &without_error_params(query)), found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_redirect_becomes_a_clean_local_target() {
        let (target, (path, error)) = split_error(
            "http://127.0.0.1:3000/contacts/new?x=1&__path=%2Fapi%2Fcontacts%2Fsave&__err=eyJ9",
        )
        .unwrap();
        assert_eq!(target, "/contacts/new?x=1");
        assert_eq!(path, "/api/contacts/save");
        assert_eq!(error, "eyJ9");
        assert_eq!(
            split_error("/login?__path=%2Fapi%2Fauth%2Flogin&__err=e")
                .unwrap()
                .0,
            "/login"
        );
        assert!(split_error("/contacts/5?saved=1").is_none());
    }

    #[test]
    fn error_parameters_are_dropped_from_requests() {
        let mut request = Request::builder()
            .uri("/contacts/5/edit?a=b&__path=%2Fapi%2Fx&__err=AAAA")
            .body(Body::empty())
            .unwrap();
        strip_error_params(&mut request);
        assert_eq!(request.uri(), "/contacts/5/edit?a=b");
        let mut request = Request::builder()
            .uri("/login?__err=AAAA")
            .body(Body::empty())
            .unwrap();
        strip_error_params(&mut request);
        assert_eq!(request.uri(), "/login");
        let mut untouched = Request::builder()
            .uri("/contacts?q=a%20b")
            .body(Body::empty())
            .unwrap();
        strip_error_params(&mut untouched);
        assert_eq!(untouched.uri(), "/contacts?q=a%20b");
    }
}
