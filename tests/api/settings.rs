//! The signed-in user's settings and sessions over real HTTP.

use clientele::error::AppError;

use crate::helpers::{cookie_client, error_of, spawn_app, TestApp};

const PASSWORD: &str = "plum-orchard-sunrise";

async fn signed_in_admin() -> (TestApp, reqwest::Client) {
    let app = spawn_app().await;
    let client = cookie_client();
    let response = app
        .register_as(&client, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    assert!(!response.status().is_client_error());
    (app, client)
}

async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(client, path, fields, &[]).await
}

#[tokio::test]
async fn pages_behind_sign_in_redirect_to_the_login_page_and_back() {
    let app = spawn_app().await;
    for (path, next) in [
        ("/settings", "%2Fsettings"),
        ("/settings/sessions", "%2Fsettings%2Fsessions"),
    ] {
        let response = app
            .client
            .get(app.url(path))
            .header("accept", "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(
            response.headers()["location"],
            format!("/login?next={next}")
        );
    }
    // Only those pages: a look-alike path is simply not found.
    let response = app
        .client
        .get(app.url("/settingsx"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = call(&app, &app.client, "/api/settings/me", &[]).await;
    assert_eq!(response.status(), 401);
    assert_eq!(error_of(response).await, AppError::Unauthorized);
}

#[tokio::test]
async fn the_settings_page_shows_the_signed_in_user() {
    let (app, client) = signed_in_admin().await;
    let response = client.get(app.url("/settings")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("value=\"ada@example.com\""), "{html}");
}

#[tokio::test]
async fn changing_the_profile_needs_the_current_password() {
    let (app, client) = signed_in_admin().await;
    let fields = [
        ("name", "Ada L."),
        ("email", "ada.l@example.com"),
        ("current_password", "wrong"),
    ];
    let response = call(&app, &client, "/api/settings/profile", &fields).await;
    assert_eq!(response.status(), 422);
    let error = error_of(response).await;
    assert_eq!(
        error.field("current_password").as_deref(),
        Some("The current password is not correct.")
    );
    assert_eq!(error.value("email").as_deref(), Some("ada.l@example.com"));

    let fields = [
        ("name", "Ada L."),
        ("email", "Ada.L@example.com"),
        ("current_password", PASSWORD),
    ];
    let response = call(&app, &client, "/api/settings/profile", &fields).await;
    assert!(response.status().is_success(), "{response:?}");
    let me: serde_json::Value = call(&app, &client, "/api/settings/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Ada L.");
    assert_eq!(me["email"], "ada.l@example.com");
}

#[tokio::test]
async fn ending_another_session_signs_that_browser_out() {
    let (app, laptop) = signed_in_admin().await;
    let phone = cookie_client();
    app.login_as(&phone, "ada@example.com", PASSWORD).await;

    let (sessions, _now): (Vec<serde_json::Value>, i64) =
        call(&app, &laptop, "/api/settings/sessions", &[])
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(sessions.len(), 2);
    let other = sessions
        .iter()
        .find(|s| s["current"] == false)
        .expect("the phone's session");
    let handle = other["handle"].to_string();

    let response = call(
        &app,
        &laptop,
        "/api/settings/sessions/end",
        &[("handle", &handle)],
    )
    .await;
    assert!(response.status().is_success(), "{response:?}");
    assert_eq!(
        call(&app, &phone, "/api/settings/me", &[]).await.status(),
        401
    );
    assert_eq!(
        call(&app, &laptop, "/api/settings/me", &[]).await.status(),
        200
    );

    // Someone else's session cannot be named.
    let response = call(
        &app,
        &laptop,
        "/api/settings/sessions/end",
        &[("handle", "999999")],
    )
    .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let (app, laptop) = signed_in_admin().await;
    let phone = cookie_client();
    app.login_as(&phone, "ada@example.com", PASSWORD).await;

    let weak = [("current_password", PASSWORD), ("new_password", "12345678")];
    let response = call(&app, &laptop, "/api/settings/password", &weak).await;
    assert_eq!(response.status(), 422);

    let fields = [
        ("current_password", PASSWORD),
        ("new_password", "a brand new passphrase"),
    ];
    let response = call(&app, &laptop, "/api/settings/password", &fields).await;
    assert!(response.status().is_success(), "{response:?}");
    assert_eq!(
        call(&app, &phone, "/api/settings/me", &[]).await.status(),
        401
    );
    assert_eq!(
        call(&app, &laptop, "/api/settings/me", &[]).await.status(),
        200
    );

    let fresh = cookie_client();
    assert_eq!(
        app.login_as(&fresh, "ada@example.com", PASSWORD)
            .await
            .status(),
        401
    );
    assert!(!app
        .login_as(&fresh, "ada@example.com", "a brand new passphrase")
        .await
        .status()
        .is_client_error());
}

#[tokio::test]
async fn ending_all_other_sessions_keeps_this_one() {
    let (app, laptop) = signed_in_admin().await;
    let others: Vec<reqwest::Client> = (0..3).map(|_| cookie_client()).collect();
    for client in &others {
        app.login_as(client, "ada@example.com", PASSWORD).await;
    }
    let response = call(&app, &laptop, "/api/settings/sessions/end-others", &[]).await;
    assert!(response.status().is_success());
    for client in &others {
        assert_eq!(
            call(&app, client, "/api/settings/me", &[]).await.status(),
            401
        );
    }
    assert_eq!(
        call(&app, &laptop, "/api/settings/me", &[]).await.status(),
        200
    );
}

#[tokio::test]
async fn pages_arrive_complete_without_javascript() {
    let (app, client) = signed_in_admin().await;
    for path in ["/", "/settings", "/settings/sessions", "/login?next=%2F"] {
        let response = client
            .get(app.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        let status = response.status();
        // Hydration markers (`<!>`) are not content.
        let html = response.text().await.unwrap().replace("<!>", "");
        if path.starts_with("/login") {
            // Already signed in: straight on to `next`.
            assert_eq!(status, 302, "{path}");
            continue;
        }
        assert_eq!(status, 200, "{path}");
        // No out-of-order fragments that only a script could put in place.
        assert!(!html.contains("<template"), "{path}: {html}");
        assert!(
            html.contains("Signed in as <strong>Ada</strong>"),
            "{path}: {html}"
        );
    }
}

#[tokio::test]
async fn an_active_session_outlives_the_idle_timeout_and_an_idle_one_does_not() {
    use clientele::server::config::HttpSettings;
    let app = crate::helpers::spawn_app_configured(HttpSettings::default(), false, |auth| {
        auth.sessions.idle_timeout = std::time::Duration::from_secs(4);
    })
    .await;
    app.register("Ada", "ada@example.com", "plum-orchard-sunrise", &[])
        .await;
    let me = |app: &crate::helpers::TestApp| {
        let client = app.client.clone();
        let url = format!("{}/api/auth/me", app.address);
        async move {
            let me: serde_json::Value =
                client.post(url).send().await.unwrap().json().await.unwrap();
            me["email"].as_str().map(str::to_owned)
        }
    };
    // Active every 1.5 s for 6 s: longer than the idle timeout, never idle that long.
    for _ in 0..4 {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(me(&app).await.as_deref(), Some("ada@example.com"));
    }
    // Then idle for longer than the timeout.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_eq!(me(&app).await, None);
}
