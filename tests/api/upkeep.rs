//! What the server tidies up on its own: expired sign-in sessions, and a bulk load that was
//! interrupted.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clientele::server::config::HttpSettings;

use crate::helpers::spawn_app_in;

const PASSWORD: &str = "plum-orchard-sunrise";

/// The integer `sql` selects in the database of the data folder `dir`.
pub(crate) async fn scalar(dir: &std::path::Path, sql: &str) -> i64 {
    let db = crate::helpers::db_in(dir).await;
    let value = clientele::server::db::sql::query_scalar(sql)
        .fetch_one(&mut db.conn().await.unwrap())
        .await
        .unwrap();
    db.close().await;
    value
}

#[tokio::test]
async fn expired_sign_in_sessions_are_deleted_with_what_they_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::helpers::db_in(dir.path()).await;
    db.migrate().await.unwrap();
    let email = clientele::domain::Email::parse("ada@example.com").unwrap();
    let user = db
        .create_first_user(&email, "Ada", "x", 0)
        .await
        .unwrap()
        .unwrap();
    let now = 1_000_000;
    db.create_auth_session("idle", user, "Firefox", "203.0.113.9", now - 3_600)
        .await
        .unwrap();
    db.create_auth_session("fresh", user, "Firefox", "203.0.113.9", now - 60)
        .await
        .unwrap();
    let deleted = db
        .prune_auth_sessions(now - 1_800, now - 43_200)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    db.close().await;
    let left = scalar(
        dir.path(),
        "SELECT count(*) FROM auth_sessions WHERE id = 'fresh'",
    )
    .await;
    assert_eq!(left, 1);
    let all = scalar(dir.path(), "SELECT count(*) FROM auth_sessions").await;
    assert_eq!(all, 1, "the idle session and its address are gone");
}

#[tokio::test]
async fn an_interrupted_seed_is_finished_at_the_next_start() {
    if crate::helpers::on_postgres() {
        return; // `seed` loads SQLite databases only.
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().to_owned();
    let binary = env!("CARGO_BIN_EXE_clientele");
    let created = Command::new(binary)
        .args([
            "user",
            "create",
            "--email",
            "ada@example.com",
            "--role",
            "admin",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env("CLIENTELE_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(created.success());
    let mut seed = Command::new(binary)
        .args(["seed", "--companies", "2000", "--contacts", "2000000"])
        .arg("--data-dir")
        .arg(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once some contacts are in, with the indexes dropped.
    let started = Instant::now();
    while scalar(&database, "SELECT count(*) FROM contacts").await < 1 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "seed made no progress"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    seed.kill().unwrap();
    seed.wait().unwrap();
    let missing = "SELECT count(*) FROM sqlite_schema WHERE name = 'contacts_live_by_name'";
    assert_eq!(
        scalar(&database, missing).await,
        0,
        "the load was not cut short"
    );
    let name: String = {
        let db = crate::helpers::db_in(&database).await;
        let name = clientele::server::db::sql::query_scalar(
            "SELECT first_name FROM contacts ORDER BY id LIMIT 1",
        )
        .fetch_one(&mut db.conn().await.unwrap())
        .await
        .unwrap();
        db.close().await;
        name
    };

    let app = spawn_app_in(dir, HttpSettings::default(), false, |_| {}).await;
    assert_eq!(scalar(&database, missing).await, 1);
    assert_eq!(
        scalar(&database, "SELECT count(*) FROM seed_pending").await,
        0
    );
    let signed_in = app.login_as(&app.client, "ada@example.com", PASSWORD).await;
    assert_eq!(signed_in.status(), 200);
    let page = app.get("/contacts").await;
    assert_eq!(page.status(), 200);
    let found = crate::records::list(&app, &app.client, &[("q", &name)]).await;
    assert!(
        !found["page"]["rows"].as_array().unwrap().is_empty(),
        "{found}"
    );
}
