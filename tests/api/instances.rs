//! Several servers on one database (PostgreSQL behind a load balancer): they print and accept
//! one setup token, an upload to one is checked and run by another, and the imports of a server
//! that was lost are stopped by the others.

use clientele::server::auth::session::now;
use clientele::server::config::{AuthSettings, HttpSettings};

use crate::admin::{admin_and, PASSWORD};
use crate::helpers::{db_in, on_postgres, spawn_app_configured, spawn_app_in, TestApp};
use crate::import_stops::{checked_import, file_kept, people};
use crate::import_web::{settled, step};

/// Another server (with a data folder of its own) on `app`'s PostgreSQL database.
pub(crate) async fn another_instance(
    app: &TestApp,
    configure: impl FnOnce(&mut AuthSettings),
) -> TestApp {
    assert!(on_postgres(), "servers share a database only on PostgreSQL");
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(
        app.data_dir.path().join("postgres-database"),
        other.path().join("postgres-database"),
    )
    .unwrap();
    spawn_app_in(other, HttpSettings::default(), false, configure).await
}

/// Whoever registers through a proxy (not from the server's machine) needs the setup token.
async fn register_from_afar(app: &TestApp, token: &str) -> reqwest::StatusCode {
    app.register_with_headers(
        "Ada",
        "ada@example.com",
        PASSWORD,
        &[("setup_token", token)],
        &[("x-forwarded-for", "203.0.113.9")],
    )
    .await
    .status()
}

#[tokio::test]
async fn every_server_on_the_database_accepts_the_setup_token_the_first_one_printed() {
    let first = spawn_app_configured(HttpSettings::default(), false, |auth| {
        auth.registration.setup_token = "token-of-the-first".into();
    })
    .await;
    let second_token = |auth: &mut AuthSettings| {
        auth.registration.setup_token = "token-of-the-second".into();
    };
    // On SQLite the second server is the first one started again: the token stays the same.
    let (second, _first) = if on_postgres() {
        let second = another_instance(&first, second_token).await;
        (second, Some(first))
    } else {
        let (stopped, dir) = first.stop().await;
        stopped.unwrap();
        let second = spawn_app_in(dir, HttpSettings::default(), false, second_token).await;
        (second, None)
    };
    assert_eq!(
        register_from_afar(&second, "token-of-the-second").await,
        409
    );
    assert_eq!(second.count_users().await, 0);
    let status = register_from_afar(&second, "token-of-the-first").await;
    assert!(!status.is_client_error(), "{status}");
    assert_eq!(second.count_users().await, 1);
    // Once the first account exists, the token is forgotten.
    assert_eq!(second.scalar("SELECT count(*) FROM setup").await, 0);
}

#[tokio::test]
async fn a_file_uploaded_to_one_server_is_checked_and_imported_by_another() {
    if !on_postgres() {
        return; // Servers share a database only on PostgreSQL.
    }
    let rows = 600;
    let (app, _admin, member, _) = admin_and("member").await;
    let other = another_instance(&app, |_| {}).await;
    // Uploaded to the first, kept in the database, not in the first's folder.
    let uploaded = crate::import_web::upload(
        &app,
        &member,
        "contact",
        "people.csv",
        people(rows).as_bytes(),
    )
    .await;
    assert_eq!(uploaded.status(), 303, "{uploaded:?}");
    let id = crate::import_web::location(&uploaded)
        .trim_start_matches("/import/")
        .to_owned();
    assert!(file_kept(&app, &id).await);
    let imports = app.data_dir.path().join("imports");
    assert_eq!(files_in(&imports), 0, "the upload's local copy is removed");

    // Checked and run by the other server (the session is shared too).
    let fields = [
        ("mapping[0]", "first_name"),
        ("mapping[1]", "last_name"),
        ("mapping[2]", "email"),
    ];
    let mut check = vec![("step", "check")];
    check.extend_from_slice(&fields);
    assert!(step(&other, &member, &id, &check)
        .await
        .status()
        .is_success());
    let checked = settled(&other, &member, &id).await;
    assert_eq!(checked["state"], "Checked", "{checked}");
    assert_eq!(checked["counts"]["created"], rows, "{checked}");
    assert!(step(&other, &member, &id, &[("step", "run")])
        .await
        .status()
        .is_success());
    let done = settled(&app, &member, &id).await;
    assert_eq!(done["state"], "Done", "{done}");
    assert_eq!(done["counts"]["created"], rows, "{done}");
    assert_eq!(
        app.scalar("SELECT count(*) FROM contacts WHERE email LIKE 'p%@example.com'")
            .await,
        rows as i64
    );
    // The file is needed no more: gone from the database, and no step's copy is left behind.
    for _ in 0..250 {
        if !file_kept(&app, &id).await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!file_kept(&app, &id).await, "the file outlived its run");
    assert_eq!(files_in(&other.data_dir.path().join("imports")), 0);
}

#[tokio::test]
async fn the_imports_of_a_server_that_stopped_answering_are_stopped_by_another() {
    let (app, _admin, member, _) = admin_and("member").await;
    let quiet = checked_import(&app, &member, 3).await;
    let alive = checked_import(&app, &member, 3).await;
    let own = checked_import(&app, &member, 3).await;
    let at = now();
    let db = db_in(app.data_dir.path()).await;
    // Two run by a server that is gone (one silent for ten minutes, one a moment ago) and one
    // by this server, silent as long.
    for (id, runner, beat) in [
        (&quiet, "lost", at - 600),
        (&alive, "lost", at - 5),
        (&own, db.runner(), at - 600),
    ] {
        app.execute(&format!(
            "UPDATE imports SET state = 'running', runner = '{runner}', beat_at = {beat},
                 rows_done = 250 WHERE id = {id}"
        ))
        .await;
    }
    assert_eq!(db.stop_quiet_imports(at, at - 120).await.unwrap(), 1);
    db.close().await;

    let stopped = settled(&app, &member, &quiet).await;
    assert_eq!(stopped["state"], "Failed", "{stopped}");
    assert_eq!(
        stopped["message"],
        "The server running this import stopped answering, after row 250."
    );
    for id in [&alive, &own] {
        let view: serde_json::Value = app
            .post_form(&member, "/api/import/get", &[("id", id)], &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(view["imports"][0]["state"], "Running", "{view}");
    }
    // What it wrote can be undone as usual.
    assert!(step(&app, &member, &quiet, &[("step", "undo")])
        .await
        .status()
        .is_success());
    assert_eq!(settled(&app, &member, &quiet).await["state"], "Undone");
}

/// How many files `folder` holds (none when it does not exist).
fn files_in(folder: &std::path::Path) -> usize {
    std::fs::read_dir(folder).map_or(0, |entries| entries.count())
}
