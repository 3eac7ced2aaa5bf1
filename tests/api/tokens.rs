//! Personal access tokens for the JSON API: they act as their owner and never beyond, stop at
//! once when revoked or when the owner is deactivated, are held to a rate, and can be made on
//! the command line.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::admin::{admin_and, PASSWORD};
use crate::helpers::{cookie_client, spawn_app_with};
use crate::rest::{api, problem, token};
use clientele::server::config::HttpSettings;

#[tokio::test]
async fn tokens_never_act_beyond_their_owners_role_and_stop_when_revoked_or_deactivated() {
    let (app, admin, viewer, vic) = admin_and("viewer").await;
    // No token, a cookie, or a made-up token: 401, with the scheme to use.
    let anonymous = reqwest::Client::new()
        .get(app.url("/api/v1/contacts"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let cookie = admin.get(app.url("/api/v1/contacts")).send().await.unwrap();
    assert_eq!(cookie.status(), 401, "cookies do not authenticate the API");
    let made_up = api(&app, "clt_made-up", Method::GET, "/contacts", None, &[]).await;
    assert_eq!(made_up.status(), 401);

    // A viewer's token reads, and cannot be made to write.
    let refused = app
        .post_form(
            &viewer,
            "/api/settings/tokens/create",
            &[("name", "Sneaky"), ("access", "write"), ("expires", "30")],
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let reader = token(&app, &viewer, "read").await;
    assert_eq!(
        api(&app, &reader, Method::GET, "/companies", None, &[])
            .await
            .status(),
        200
    );
    let write = api(
        &app,
        &reader,
        Method::POST,
        "/companies",
        Some(json!({"name": "Acme"})),
        &[],
    )
    .await;
    assert_eq!(write.status(), 403);
    problem(&write);
    // An admin's read-only token reads only.
    let admin_reader = token(&app, &admin, "read").await;
    let write = api(
        &app,
        &admin_reader,
        Method::POST,
        "/companies",
        Some(json!({"name": "Acme"})),
        &[],
    )
    .await;
    assert_eq!(write.status(), 403);

    // Revoked at /settings/tokens: 401 at once.
    let (tokens, _): (Vec<Value>, i64) = app
        .post_form(
            &viewer,
            "/api/settings/tokens",
            &[],
            &[("accept", "application/json")],
        )
        .await
        .json()
        .await
        .unwrap();
    let revoked = app
        .post_form(
            &viewer,
            "/api/settings/tokens/revoke",
            &[("token_id", &tokens[0]["id"].to_string())],
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(revoked.status(), 200, "{revoked:?}");
    assert_eq!(
        api(&app, &reader, Method::GET, "/companies", None, &[])
            .await
            .status(),
        401
    );

    // Its owner deactivated: 401 at once.
    let second = token(&app, &viewer, "read").await;
    assert_eq!(
        api(&app, &second, Method::GET, "/contacts", None, &[])
            .await
            .status(),
        200
    );
    let deactivated = app
        .post_form(
            &admin,
            "/api/admin/users/active",
            &[("user_id", &vic.to_string()), ("active", "false")],
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(deactivated.status(), 200);
    assert_eq!(
        api(&app, &second, Method::GET, "/contacts", None, &[])
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn each_token_is_held_to_its_rate() {
    let http = HttpSettings {
        api_requests_per_minute: 10,
        ..HttpSettings::default()
    };
    let app = spawn_app_with(http, false).await;
    let admin = cookie_client();
    app.register_as(&admin, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    let (one, two) = (
        token(&app, &admin, "read").await,
        token(&app, &admin, "read").await,
    );
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            api(&app, &one, Method::GET, "/contacts", None, &[])
                .await
                .status(),
        );
    }
    assert!(
        statuses[..10].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    let limited = api(&app, &one, Method::GET, "/contacts", None, &[]).await;
    assert_eq!(limited.status(), 429);
    problem(&limited);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Another token has its own rate.
    assert_eq!(
        api(&app, &two, Method::GET, "/contacts", None, &[])
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn an_operator_makes_a_token_on_the_command_line() {
    let (app, _admin, _viewer, _) = admin_and("viewer").await;
    let dir = app.data_dir.path().to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let mut all = vec!["user", "token", "--data-dir", &dir];
        all.extend_from_slice(args);
        crate::cli::clientele(app.data_dir.path(), &all)
    };
    let made = run(&[
        "--email",
        "ada@example.com",
        "--write",
        "--name",
        "Nightly sync",
    ]);
    assert!(made.status.success(), "{made:?}");
    let secret = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    let created = api(
        &app,
        &secret,
        Method::POST,
        "/companies",
        Some(json!({"name": "Made by a script"})),
        &[],
    )
    .await;
    assert_eq!(created.status(), 201);
    // A viewer's token cannot write, whatever is asked for.
    let refused = run(&["--email", "vic@example.com", "--write"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("can only read"));
}
