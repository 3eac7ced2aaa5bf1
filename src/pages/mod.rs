//! One module per route group: the page components and the thin server functions they call.

pub mod activities;
pub mod admin;
pub mod api_docs;
pub mod auth;
pub mod companies;
pub mod contacts;
pub mod history;
pub mod home;
pub mod import;
pub mod live;
pub mod not_found;
pub mod record;
pub mod settings;
pub mod tasks;
pub mod tokens;
pub mod trash;

/// Where to go after signing in: a local path from the `next` parameter, or the home page. Anything
/// that could lead off-site (`//host`, `/\host`, `https://…`) is ignored: no open redirects.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The login page address that comes back to `path` after signing in.
pub fn login_url(path: &str) -> String {
    let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
    format!("/login?next={next}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/settings?tab=1")), "/settings?tab=1");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "",
            "/\nx",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn login_url_encodes_the_return_path() {
        assert_eq!(
            login_url("/settings/sessions"),
            "/login?next=%2Fsettings%2Fsessions"
        );
        assert_eq!(login_url("/a?b=1&c=2"), "/login?next=%2Fa%3Fb%3D1%26c%3D2");
    }
}
