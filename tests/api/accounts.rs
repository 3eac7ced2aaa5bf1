//! Registration, sign-in, sign-out, throttling and CSRF over real HTTP.

use reqwest::header::SET_COOKIE;

use clientele::error::AppError;

use crate::helpers::{
    cookie_client, error_of, spawn_app, spawn_app_with_policy, TestApp, SETUP_TOKEN,
};

const PASSWORD: &str = "plum-orchard-sunrise";

async fn me(app: &TestApp, client: &reqwest::Client) -> Option<serde_json::Value> {
    let response = client
        .post(app.url("/api/auth/me"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let value: serde_json::Value = response.json().await.unwrap();
    (!value.is_null()).then_some(value)
}

#[tokio::test]
async fn the_first_account_is_the_administrator() {
    let app = spawn_app().await;
    let response = app
        .register("Ada Admin", "Ada@Example.com", PASSWORD, &[])
        .await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{response:?}"
    );
    let user = me(&app, &app.client)
        .await
        .expect("signed in after registering");
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["role"], "admin");
}

#[tokio::test]
async fn the_first_account_needs_loopback_or_the_setup_token() {
    let app = spawn_app().await;
    let proxied = [("x-forwarded-for", "203.0.113.9")];
    let response = app
        .register_with_headers("Eve", "eve@example.com", PASSWORD, &[], &proxied)
        .await;
    assert_eq!(response.status(), 409);
    let message = error_of(response).await.to_string();
    assert!(message.contains("setup link"), "{message}");
    assert_eq!(app.count_users().await, 0);

    let wrong = app
        .register_with_headers(
            "Eve",
            "eve@example.com",
            PASSWORD,
            &[("setup_token", "guess")],
            &proxied,
        )
        .await;
    assert_eq!(wrong.status(), 409);

    let right = app
        .register_with_headers(
            "Ada",
            "ada@example.com",
            PASSWORD,
            &[("setup_token", SETUP_TOKEN)],
            &proxied,
        )
        .await;
    assert!(!right.status().is_client_error(), "{right:?}");
    assert_eq!(app.count_users().await, 1);
}

#[tokio::test]
async fn later_accounts_need_an_invitation_unless_registration_is_open() {
    let app = spawn_app().await;
    app.register("Ada", "ada@example.com", PASSWORD, &[]).await;
    let stranger = reqwest::Client::new();
    let response = app
        .register_as(&stranger, "Sam", "sam@example.com", PASSWORD, &[], &[])
        .await;
    assert_eq!(response.status(), 409);
    assert!(error_of(response)
        .await
        .to_string()
        .contains("invitation only"));

    let open = spawn_app_with_policy(true).await;
    open.register("Ada", "ada@example.com", PASSWORD, &[]).await;
    let client = cookie_client();
    let response = open
        .register_as(&client, "Sam", "sam@example.com", PASSWORD, &[], &[])
        .await;
    assert!(!response.status().is_client_error(), "{response:?}");
    assert_eq!(me(&open, &client).await.unwrap()["role"], "member");
}

#[tokio::test]
async fn invalid_registrations_explain_each_field_and_keep_the_values() {
    let app = spawn_app().await;
    let response = app.register("", "not-an-email", "password", &[]).await;
    assert_eq!(response.status(), 422);
    let error = error_of(response).await;
    assert_eq!(error.field("name").as_deref(), Some("Enter your name."));
    assert!(error
        .field("email")
        .unwrap()
        .starts_with("Enter a valid email address"));
    assert!(error.field("password").unwrap().contains("too common"));
    assert_eq!(
        error.value("email").as_deref(),
        Some("not-an-email"),
        "the entered e-mail comes back"
    );
    assert_eq!(error.value("name").as_deref(), Some(""));
    assert_eq!(error.value("password"), None, "never the password");
    assert_eq!(app.count_users().await, 0);
}

#[tokio::test]
async fn sign_in_failures_are_uniform() {
    let app = spawn_app().await;
    app.register("Ada", "ada@example.com", PASSWORD, &[]).await;
    let client = reqwest::Client::new();
    for (email, password) in [
        ("ada@example.com", "wrong-password-1"),
        ("nobody@example.com", PASSWORD),
    ] {
        let response = app.login_as(&client, email, password).await;
        assert_eq!(response.status(), 401);
        let error = error_of(response).await;
        assert_eq!(error, AppError::InvalidCredentials);
        assert_eq!(error.to_string(), "Invalid email or password.");
    }
}

#[tokio::test]
async fn sign_in_out_and_the_old_cookie_is_dead() {
    let app = spawn_app().await;
    app.register("Ada", "ada@example.com", PASSWORD, &[]).await;
    let client = cookie_client();
    let response = app.login_as(&client, "ADA@example.com ", PASSWORD).await;
    assert!(!response.status().is_client_error());
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("clientele="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    assert!(me(&app, &client).await.is_some());

    let out = client
        .post(app.url("/api/auth/logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert!(!out.status().is_client_error());
    assert!(me(&app, &client).await.is_none());

    // Replaying the old cookie does not bring the session back.
    let replay = reqwest::Client::new();
    let response = replay
        .post(app.url("/api/auth/me"))
        .header("cookie", pair)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "null");
}

/// Sessions are read through a cache in memory; a session ended or a user deactivated by another
/// process (the CLI, another instance on the same store) still loses access on the next request.
#[tokio::test]
async fn a_session_ended_by_another_process_loses_access_at_once() {
    let app = spawn_app().await;
    app.register("Ada", "ada@example.com", PASSWORD, &[]).await;
    let client = cookie_client();
    app.login_as(&client, "ada@example.com", PASSWORD).await;
    assert!(me(&app, &client).await.is_some());
    assert!(me(&app, &client).await.is_some(), "served from the cache");

    app.execute("DELETE FROM auth_sessions").await;
    assert!(me(&app, &client).await.is_none(), "ended elsewhere");

    app.login_as(&client, "ada@example.com", PASSWORD).await;
    assert!(me(&app, &client).await.is_some());
    app.execute("UPDATE users SET active = FALSE").await;
    assert!(me(&app, &client).await.is_none(), "deactivated elsewhere");
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = spawn_app().await;
    app.register("Ada", "ada@example.com", PASSWORD, &[]).await;
    let client = cookie_client();
    let first = app.login_as(&client, "ada@example.com", PASSWORD).await;
    let second = app.login_as(&client, "ada@example.com", PASSWORD).await;
    let id = |r: &reqwest::Response| {
        r.headers().get_all(SET_COOKIE).iter().find_map(|v| {
            v.to_str()
                .ok()
                .filter(|c| c.starts_with("clientele="))
                .map(str::to_owned)
        })
    };
    let (a, b) = (id(&first).unwrap(), id(&second).unwrap());
    assert_ne!(a.split(';').next(), b.split(';').next());
}

#[tokio::test]
async fn too_many_failures_for_an_account_are_throttled() {
    let app = spawn_app().await;
    app.register("Ada", "ada@example.com", PASSWORD, &[]).await;
    let client = reqwest::Client::new();
    for _ in 0..10 {
        assert_eq!(
            app.login_as(&client, "ada@example.com", "not-the-password")
                .await
                .status(),
            401
        );
    }
    let response = app.login_as(&client, "ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), 429, "even the right password waits");
    let error = error_of(response).await;
    assert_eq!(
        error.to_string(),
        "Too many attempts — try again in 15 minutes."
    );
    // Other accounts are not affected.
    assert_eq!(
        app.login_as(&client, "other@example.com", "whatever-else")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn too_many_failures_from_one_address_are_throttled() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for n in 0..50 {
        let response = app
            .login_as(&client, &format!("user{n}@example.com"), "nope-nope-nope")
            .await;
        assert_eq!(response.status(), 401);
    }
    let response = app
        .login_as(&client, "fresh@example.com", "nope-nope-nope")
        .await;
    assert_eq!(response.status(), 429);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let cases: [(&str, String, u16); 4] = [
        ("origin", "https://evil.example".into(), 403),
        ("sec-fetch-site", "cross-site".into(), 403),
        ("origin", format!("http://{host}"), 200),
        ("sec-fetch-site", "same-origin".into(), 200),
    ];
    for (header, value, expected) in cases {
        let response = app
            .client
            .post(app.url("/api/auth/me"))
            .header(header, &value)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{header}: {value}");
    }
    // Reading is never blocked.
    let response = app
        .client
        .get(app.url("/"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn pages_carry_a_nonce_based_csp_and_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP")
        .to_owned();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );
    // Every inline script carries it.
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap();
        assert!(
            tag.contains("nonce="),
            "script without nonce: <script{tag}>"
        );
    }
    // A different response, a different nonce.
    let again = app.get("/").await;
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        csp
    );
}
