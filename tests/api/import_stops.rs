//! An import or an undo stopped part-way: a cancelled run keeps whole batches only and says where
//! it stopped; an undo cut off by the end of its process can be run again and undoes the rest.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::admin::{admin_and, PASSWORD};
use crate::helpers::{cookie_client, spawn_app_in};
use crate::import_web::{location, settled, step, upload};
use crate::upkeep::scalar;
use clientele::server::config::HttpSettings;

/// Rows run in batches of this many, each one transaction.
const BATCH: i64 = 250;

/// A contacts file of `n` people, p1@example.com onwards.
pub(crate) fn people(n: usize) -> String {
    let mut csv = String::from("First name,Last name,E-mail\n");
    for i in 1..=n {
        csv.push_str(&format!("Person,Number {i},p{i}@example.com\n"));
    }
    csv
}

/// Whether import `id`'s file is kept: in the data folder (SQLite) or in the database, where
/// every instance finds it (PostgreSQL).
pub(crate) async fn file_kept(app: &crate::helpers::TestApp, id: &str) -> bool {
    if crate::helpers::on_postgres() {
        let parts = app
            .scalar(&format!(
                "SELECT count(*) FROM import_files WHERE import_id = {id}"
            ))
            .await;
        return parts > 0;
    }
    let folder = app.database_path().parent().unwrap().join("imports");
    folder.join(format!("{id}.csv")).exists()
}

/// `rows` people uploaded by `member` and checked (every row would be created); the import's id.
pub(crate) async fn checked_import(
    app: &crate::helpers::TestApp,
    member: &reqwest::Client,
    rows: usize,
) -> String {
    let uploaded = upload(app, member, "contact", "many.csv", people(rows).as_bytes()).await;
    assert_eq!(uploaded.status(), 303, "{uploaded:?}");
    let id = location(&uploaded)
        .trim_start_matches("/import/")
        .to_owned();
    let checked = step(
        app,
        member,
        &id,
        &[
            ("step", "check"),
            ("mapping[0]", "first_name"),
            ("mapping[1]", "last_name"),
            ("mapping[2]", "email"),
        ],
    )
    .await;
    assert!(checked.status().is_success(), "{checked:?}");
    let import = settled(app, member, &id).await;
    assert_eq!(import["counts"]["created"], rows, "{import}");
    id
}

#[tokio::test]
async fn an_import_cancelled_part_way_keeps_whole_batches_and_says_where_it_stopped() {
    let rows = 5_000;
    let (app, admin, member, _) = admin_and("member").await;
    let id = checked_import(&app, &member, rows).await;
    assert!(
        file_kept(&app, &id).await,
        "the file is kept until it is imported"
    );

    // Cancelled as soon as it starts: it stops at the end of the batch under way.
    assert!(step(&app, &member, &id, &[("step", "run")])
        .await
        .status()
        .is_success());
    // Its page reloads itself while it runs, with or without JavaScript.
    let running = app.get_as(&member, &format!("/import/{id}")).await;
    assert_eq!(running.headers()["refresh"], "2");
    assert!(step(&app, &member, &id, &[("step", "cancel")])
        .await
        .status()
        .is_success());
    let import = settled(&app, &member, &id).await;
    assert_eq!(import["state"], "Cancelled", "{import}");
    // Removed by the background task right after it records the end.
    for _ in 0..500 {
        if !file_kept(&app, &id).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !file_kept(&app, &id).await,
        "a run that has ended needs its file no more"
    );
    let stopped = app.get_as(&member, &format!("/import/{id}")).await;
    assert!(stopped.headers().get("refresh").is_none());
    let created = import["counts"]["created"].as_i64().unwrap();
    assert!(
        created >= BATCH && created < rows as i64 && created % BATCH == 0,
        "whole batches only: {import}"
    );
    let message = import["message"].as_str().unwrap();
    assert_eq!(
        message,
        format!("Cancelled after {created} rows; those rows were imported, the rest were not.")
    );
    let listed = app
        .post_form(&admin, "/api/contacts/list", &[("query[q]", "")], &[])
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        listed["page"]["total"]["Exact"], created,
        "the contacts listed are the rows it says were imported: {}",
        listed["page"]["total"]
    );
    // It cannot be run on from where it stopped, but it can be undone.
    assert_eq!(
        step(&app, &member, &id, &[("step", "run")]).await.status(),
        409
    );
    assert!(step(&app, &member, &id, &[("step", "undo")])
        .await
        .status()
        .is_success());
    let import = settled(&app, &member, &id).await;
    assert_eq!(import["state"], "Undone", "{import}");
    assert_eq!(
        import["message"],
        format!(
            "Undone: {created} created contacts moved to the trash, 0 given their old values back."
        )
    );
}

#[tokio::test]
async fn an_undo_stopped_part_way_can_be_run_again_to_undo_the_rest() {
    let rows = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().to_owned();
    crate::helpers::database_in(&database).await;
    let database_url = crate::helpers::database_url_for(&database);
    let binary = env!("CARGO_BIN_EXE_clientele");
    let cli = |args: &[&str]| {
        let mut command = Command::new(binary);
        command
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .env("CLIENTELE_PASSWORD", PASSWORD)
            .env_remove("CLIENTELE_DATABASE_URL")
            .envs(
                database_url
                    .clone()
                    .map(|url| ("CLIENTELE_DATABASE_URL", url)),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    let admin = [
        "user",
        "create",
        "--email",
        "ada@example.com",
        "--role",
        "admin",
    ];
    assert!(cli(&admin).status().unwrap().success());
    let file = dir.path().join("many.csv");
    std::fs::write(&file, people(rows)).unwrap();
    let imported = cli(&["import", "contacts", file.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(imported.success());
    let trashed = "SELECT count(*) FROM contacts WHERE deleted_at IS NOT NULL";

    // The undo's process ends once its first batch is in.
    let mut undo = cli(&["undo-import", "1"]).spawn().unwrap();
    let started = Instant::now();
    while scalar(&database, trashed).await < 1 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "undo made no progress"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    undo.kill().unwrap();
    undo.wait().unwrap();
    let first = scalar(&database, trashed).await;
    assert!(first < rows as i64, "the undo was not cut short");

    // The next start says so, and the undo can be run again.
    let app = spawn_app_in(dir, HttpSettings::default(), false, |_| {}).await;
    let ada = cookie_client();
    let signed_in = app.login_as(&ada, "ada@example.com", PASSWORD).await;
    assert_eq!(signed_in.status(), 200);
    let import = settled(&app, &ada, "1").await;
    assert_eq!(import["state"], "Failed", "{import}");
    assert_eq!(import["message"], clientele::domain::UNDO_STOPPED);
    let html = app.get_as(&ada, "/import/1").await.text().await.unwrap();
    assert!(html.contains("Undo this import"), "{html}");
    assert!(step(&app, &ada, "1", &[("step", "undo")])
        .await
        .status()
        .is_success());
    let import = settled(&app, &ada, "1").await;
    assert_eq!(import["state"], "Undone", "{import}");
    assert_eq!(
        import["message"],
        format!(
            "The rest undone: {} created contacts moved to the trash, 0 given their old values back.",
            rows as i64 - first
        )
    );
    assert_eq!(scalar(app.data_dir.path(), trashed).await, rows as i64);
    assert_eq!(
        scalar(
            app.data_dir.path(),
            "SELECT count(*) FROM contacts WHERE deleted_at IS NULL"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn another_instance_starting_on_the_same_database_leaves_a_running_import_alone() {
    if !crate::helpers::on_postgres() {
        return; // Instances share a database only on PostgreSQL.
    }
    let rows = 10_000;
    let (app, _admin, member, _) = admin_and("member").await;
    let id = checked_import(&app, &member, rows).await;
    assert!(step(&app, &member, &id, &[("step", "run")])
        .await
        .status()
        .is_success());

    // A second instance (its own data folder, the same database) starts meanwhile: it stops
    // only what it was running itself, which is nothing.
    let second = crate::instances::another_instance(&app, |_| {}).await;
    let during: serde_json::Value = app
        .post_form(&member, "/api/import/get", &[("id", &id)], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        during["imports"][0]["state"], "Running",
        "the import ended too soon: {during}"
    );
    let import = settled(&app, &member, &id).await;
    assert_eq!(import["state"], "Done", "{import}");
    assert_eq!(import["counts"]["created"], rows, "{import}");
    // And it serves the same data.
    let vic = cookie_client();
    assert_eq!(
        second
            .login_as(&vic, "vic@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        crate::records::list(&second, &vic, &[]).await["page"]["total"],
        serde_json::json!({"Exact": rows})
    );
}
