//! Sign-in limits that hold under bursts and behind proxies, and the first-admin set-up.

use clientele::server::config::HttpSettings;

use crate::helpers::{error_of, spawn_app, spawn_app_with, TestApp};

const PASSWORD: &str = "plum-orchard-sunrise";

async fn with_account(http: HttpSettings) -> TestApp {
    let app = spawn_app_with(http, false).await;
    let setup = [("setup_token", crate::helpers::SETUP_TOKEN)];
    let created = app
        .register("Ada", "ada@example.com", PASSWORD, &setup)
        .await;
    assert!(created.status().is_success(), "{created:?}");
    app
}

/// A server behind a reverse proxy on loopback.
fn behind_proxy() -> HttpSettings {
    HttpSettings {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..HttpSettings::default()
    }
}

async fn login_from(app: &TestApp, address: &str, password: &str) -> reqwest::Response {
    app.post_form(
        &reqwest::Client::new(),
        "/api/auth/login",
        &[("email", "ada@example.com"), ("password", password)],
        &[("x-forwarded-for", address)],
    )
    .await
}

/// How many failed attempts the server evaluated (checked a password for).
async fn failures_recorded(app: &TestApp) -> i64 {
    app.scalar("SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded")
        .await
}

#[tokio::test]
async fn a_burst_of_guesses_gets_no_more_than_the_limit_evaluated() {
    let app = with_account(HttpSettings::default()).await;
    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..40 {
        let url = app.url("/api/auth/login");
        guesses.spawn(async move {
            let guess = format!("guess number {n}");
            reqwest::Client::new()
                .post(url)
                .form(&[("email", "ada@example.com"), ("password", guess.as_str())])
                .send()
                .await
                .map_or(0, |r| r.status().as_u16())
        });
    }
    let statuses = guesses.join_all().await;
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        evaluated <= 10,
        "{evaluated} guesses evaluated: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(failures_recorded(&app).await <= 10);
}

#[tokio::test]
async fn failures_from_one_address_never_lock_the_owner_out_elsewhere() {
    let app = with_account(behind_proxy()).await;
    for _ in 0..12 {
        login_from(&app, "203.0.113.66", "wrong guess").await;
    }
    // The attacker's address is refused, even with the right password…
    let attacker = login_from(&app, "203.0.113.66", PASSWORD).await;
    assert_eq!(attacker.status(), 429);
    // …but the owner, elsewhere, signs in (slowed down a little, never refused).
    let owner = login_from(&app, "198.51.100.7", PASSWORD).await;
    assert_eq!(owner.status(), 200, "{:?}", error_of(owner).await);
}

#[tokio::test]
async fn forwarding_headers_count_only_from_trusted_proxies() {
    // No proxy is trusted: every request counts as the peer's (loopback), whatever it claims.
    let app = with_account(HttpSettings::default()).await;
    for n in 0..10 {
        login_from(&app, &format!("203.0.113.{n}"), "wrong guess").await;
    }
    let response = login_from(&app, "198.51.100.7", PASSWORD).await;
    assert_eq!(response.status(), 429, "spoofed addresses dodged the limit");
}

#[tokio::test]
async fn sessions_list_the_client_address_given_by_a_trusted_proxy() {
    let app = with_account(behind_proxy()).await;
    let client = crate::helpers::cookie_client();
    let response = app
        .post_form(
            &client,
            "/api/auth/login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            &[("x-forwarded-for", "198.51.100.23, 127.0.0.1")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let sessions = app
        .post_form(&client, "/api/settings/sessions", &[], &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(sessions.contains("198.51.100.23"), "{sessions}");
}

#[tokio::test]
async fn guessing_the_current_password_in_settings_is_throttled() {
    let app = spawn_app().await;
    let client = crate::helpers::cookie_client();
    app.register_as(&client, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    let mut statuses = Vec::new();
    for n in 0..12 {
        // As the real form does: each submission with its own idempotency key.
        let key = format!("00000000-0000-4000-8000-{n:012}");
        let response = app
            .post_form(
                &client,
                "/api/settings/profile",
                &[
                    ("name", "Ada"),
                    ("email", "ada@example.com"),
                    ("current_password", &format!("guess {n}")),
                    ("idempotency_key", &key),
                ],
                &[],
            )
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(&statuses[..10], &[422; 10]);
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
}

#[tokio::test]
async fn a_sign_in_with_a_huge_email_is_refused_before_anything_is_stored() {
    let app = spawn_app().await;
    let huge = format!("{}@example.com", "a".repeat(300_000));
    for email in [huge.as_str(), "my secret password"] {
        let response = app
            .login_as(&reqwest::Client::new(), email, "whatever")
            .await;
        assert_eq!(response.status(), 422);
        let error = error_of(response).await;
        assert!(error.field("email").is_some(), "{error:?}");
    }
    assert_eq!(failures_recorded(&app).await, 0);
}

#[tokio::test]
async fn the_first_admin_needs_a_loopback_host_or_the_setup_link() {
    let app = spawn_app().await;
    // DNS rebinding: loopback connection, but a foreign host name.
    let rebound = [("host", "rebind.evil.example:3000")];
    let info = app
        .post_form(&app.client, "/api/auth/registration", &[], &rebound)
        .await
        .text()
        .await
        .unwrap();
    assert!(info.contains(r#""first_account":false"#), "{info}");
    let response = app
        .register_with_headers("Eve", "eve@example.com", PASSWORD, &[], &rebound)
        .await;
    assert_eq!(response.status(), 409);
    // A proxy that adds no forwarding header but says it is one.
    let via = [("via", "1.1 proxy")];
    let response = app
        .register_with_headers("Eve", "eve@example.com", PASSWORD, &[], &via)
        .await;
    assert_eq!(response.status(), 409);
    assert_eq!(app.count_users().await, 0);
    // From the machine itself, it works.
    let response = app.register("Ada", "ada@example.com", PASSWORD, &[]).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn behind_a_proxy_the_first_admin_needs_the_setup_link() {
    // nginx's bare `proxy_pass http://127.0.0.1:3000` adds no header and sends a loopback Host.
    let app = spawn_app_with(behind_proxy(), false).await;
    let response = app.register("Eve", "eve@example.com", PASSWORD, &[]).await;
    assert_eq!(response.status(), 409);
    assert_eq!(app.count_users().await, 0);
    let response = app
        .register(
            "Ada",
            "ada@example.com",
            PASSWORD,
            &[("setup_token", crate::helpers::SETUP_TOKEN)],
        )
        .await;
    assert_eq!(response.status(), 200);
}
