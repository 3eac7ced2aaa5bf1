//! Cross-site request forgery defence and security headers.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use axum::http::request::Parts;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, with_context};

use crate::server::startup::AppState;

/// Refuses state-changing requests (anything but GET, HEAD, OPTIONS) that a browser marks as
/// cross-site, or whose `Origin` is not this site. Requests without either header (non-browser
/// clients) pass: they carry no ambient credentials a third-party page could abuse.
pub async fn csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // HTTP/2 has no `Host` header: the authority is in the request line.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if is_safe(request.method())
        || same_site(request.headers(), host, state.public_origin.as_deref())
    {
        next.run(request).await
    } else {
        tracing::warn!(
            method = %request.method(),
            origin = ?request.headers().get(header::ORIGIN),
            "cross-site request refused"
        );
        (StatusCode::FORBIDDEN, "Cross-site request refused.\n").into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a state-changing request may proceed.
pub fn same_site(headers: &HeaderMap, host: Option<&str>, public_origin: Option<&str>) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    match public_origin {
        Some(expected) => origin.eq_ignore_ascii_case(expected),
        None => {
            // Without a configured public URL, the site is whatever host the browser asked for.
            let Some(host) = host else {
                return false;
            };
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
        }
    }
}

/// The CSP nonce of one request, made by [`headers`] and used by the renderer for its scripts.
#[derive(Debug, Clone)]
pub struct PageNonce(pub Arc<str>);

/// Headers for every response: no MIME sniffing, a strict referrer policy, HSTS over HTTPS, and a
/// Content-Security-Policy: for HTML, one allowing only scripts with this request's fresh nonce
/// (and `no-store`, since the nonce must not be reused and signed-in pages must not be cached);
/// for everything else, one allowing nothing.
pub async fn headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response<Body> {
    let nonce: Arc<str> = crate::server::auth::session::random_token().into();
    request.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if state.sessions.secure {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // A response any cache may keep must not carry anyone's cookie.
    let public = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    if public && headers.remove(header::SET_COOKIE).is_some() {
        tracing::warn!("a cookie was dropped from a public response");
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let page_policy = if is_html {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        HeaderValue::from_str(&page_csp(&nonce)).ok()
    } else {
        None
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        page_policy.unwrap_or(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        )),
    );
    response
}

/// The Content-Security-Policy for a page whose scripts carry `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Leptos context for each render: this request's nonce, which the hydration scripts carry and
/// [`headers`] allows in the CSP.
pub fn provide_page_nonce() {
    // Without the request (outside a page render) there is nothing to give a nonce to.
    let Some(nonce) =
        with_context::<Parts, _>(|parts| parts.extensions.get::<PageNonce>().cloned())
    else {
        return;
    };
    match nonce {
        Some(PageNonce(nonce)) => provide_context(Nonce::from_value(nonce)),
        None => tracing::error!("request without a CSP nonce: its scripts will be blocked"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `same_site` with the host taken from the `Host` header, as for HTTP/1.1.
    fn same_site(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        super::same_site(headers, host, public_origin)
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn cross_site_fetches_are_refused() {
        let h = headers(&[("sec-fetch-site", "cross-site"), ("host", "crm.example")]);
        assert!(!same_site(&h, None));
        let h = headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://crm.example"),
            ("host", "crm.example"),
        ]);
        assert!(same_site(&h, None));
    }

    #[test]
    fn a_foreign_origin_is_refused() {
        let h = headers(&[("origin", "https://evil.example"), ("host", "crm.example")]);
        assert!(!same_site(&h, None));
        let h = headers(&[("origin", "null"), ("host", "crm.example")]);
        assert!(!same_site(&h, None));
        let h = headers(&[
            ("origin", "https://crm.example"),
            ("host", "crm.example:8443"),
        ]);
        assert!(!same_site(&h, None));
    }

    #[test]
    fn a_configured_public_origin_is_authoritative() {
        let h = headers(&[("origin", "https://crm.example"), ("host", "10.0.0.5:3000")]);
        assert!(same_site(&h, Some("https://crm.example")));
        assert!(!same_site(&h, Some("https://other.example")));
    }

    #[test]
    fn http2_requests_compare_against_their_authority() {
        let h = headers(&[("origin", "https://crm.example")]);
        assert!(super::same_site(&h, Some("crm.example"), None));
        assert!(!super::same_site(&h, Some("evil.example"), None));
        assert!(!super::same_site(&h, None, None));
    }

    #[test]
    fn requests_without_browser_headers_pass() {
        assert!(same_site(&headers(&[("host", "crm.example")]), None));
    }

    #[test]
    fn page_csp_allows_only_nonced_scripts() {
        let csp = page_csp("abc123");
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(!csp.contains("unsafe-inline"));
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{directive}");
        }
    }
}
