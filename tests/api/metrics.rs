//! `/metrics`: off by default; with a bearer token or from trusted addresses, the Prometheus text
//! with requests by route and status, sign-in failures, and the pool's connections.

use crate::helpers::{cookie_client, spawn_app, spawn_app_with};
use clientele::server::config::HttpSettings;
use clientele::server::metrics::MetricsAccess;

const TOKEN: &str = "scrape-me-with-this-long-token";

fn with(access: MetricsAccess) -> HttpSettings {
    HttpSettings {
        metrics: access,
        ..HttpSettings::default()
    }
}

/// The value of the first sample named `name` whose labels include every one of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter(|l| labels.iter().all(|label| l.contains(label)))
        .find_map(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn metrics_are_off_unless_configured() {
    let app = spawn_app().await;
    assert_eq!(app.get("/metrics").await.status(), 404);
}

#[tokio::test]
async fn metrics_need_the_token_and_count_requests_and_failed_sign_ins() {
    let app = spawn_app_with(
        with(MetricsAccess {
            token: Some(TOKEN.into()),
            allow: Vec::new(),
        }),
        false,
    )
    .await;
    let client = cookie_client();
    let refused = app.get("/metrics").await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    let wrong = client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me-with-this-long-tokeN")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    let scrape = || async {
        let response = client
            .get(app.url("/metrics"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"));
        response.text().await.unwrap()
    };
    let before = scrape().await;
    let failures =
        |text: &str| sample(text, "clientele_sign_in_failures_total", &[]).unwrap_or(0.0);
    let logins = |text: &str| {
        sample(
            text,
            "clientele_http_requests_total",
            &[r#"route="/login""#, r#"method="GET""#, r#"status="200""#],
        )
        .unwrap_or(0.0)
    };
    assert_eq!(app.get("/login").await.status(), 200);
    let signed_in = app
        .login_as(&cookie_client(), "nobody@example.com", "not-the-password")
        .await;
    assert!(!signed_in.status().is_success());
    // A made-up method is counted under "other", never as a label of its own.
    let brewed = client
        .request(
            reqwest::Method::from_bytes(b"BREW").unwrap(),
            app.url("/login"),
        )
        .send()
        .await
        .unwrap();
    assert!(brewed.status().is_client_error());
    let after = scrape().await;
    assert!(!after.contains("BREW"), "{after}");
    assert!(after.contains(r#"method="other""#), "{after}");
    assert!(logins(&after) >= logins(&before) + 1.0, "{after}");
    assert!(failures(&after) >= failures(&before) + 1.0, "{after}");
    assert!(
        after.contains("clientele_http_request_duration_seconds_bucket"),
        "{after}"
    );
    assert!(
        sample(&after, "clientele_db_connections", &[r#"state="idle""#]).is_some(),
        "{after}"
    );
    assert!(
        after.contains("clientele_password_hashing_queued"),
        "{after}"
    );
}

#[tokio::test]
async fn metrics_are_served_to_trusted_addresses_only() {
    let trusted = spawn_app_with(
        with(MetricsAccess {
            token: None,
            allow: vec!["127.0.0.1/32".parse().unwrap()],
        }),
        false,
    )
    .await;
    assert_eq!(trusted.get("/metrics").await.status(), 200);
    let elsewhere = spawn_app_with(
        with(MetricsAccess {
            token: None,
            allow: vec!["10.0.0.0/8".parse().unwrap()],
        }),
        false,
    )
    .await;
    assert_eq!(elsewhere.get("/metrics").await.status(), 403);
}

#[tokio::test]
async fn a_short_metrics_token_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    crate::cli::assert_start_refused(
        dir.path(),
        &["--metrics-token", "short"],
        "--metrics-token must have at least 16 characters",
    );
}
