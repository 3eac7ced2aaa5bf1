//! `clientele migrate-to-postgres`: a SQLite workspace moves to PostgreSQL whole (it runs in
//! `make test-postgres`, where there is a PostgreSQL server to copy into).

use std::process::{Command, Output};

use clientele::server::config::HttpSettings;

use crate::admin::PASSWORD;
use crate::helpers::{cookie_client, database_in, database_url_for, on_postgres, spawn_app_in};
use crate::import_web::{settled, step};
use crate::records::{list, names, new_contact};

/// `clientele ARGS` on the SQLite database of `dir` (whatever the suite's backend).
fn on_sqlite(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clientele"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("CLIENTELE_PASSWORD", PASSWORD)
        .env_remove("CLIENTELE_DATABASE_URL")
        .output()
        .expect("clientele runs")
}

/// A SQLite data folder with an admin, and a new PostgreSQL database: their URLs.
async fn sqlite_and_postgres() -> (tempfile::TempDir, tempfile::TempDir, String, String) {
    let sqlite = tempfile::tempdir().unwrap();
    let admin = [
        "user",
        "create",
        "--email",
        "ada@example.com",
        "--role",
        "admin",
    ];
    succeeded(&on_sqlite(sqlite.path(), &admin));
    let postgres = tempfile::tempdir().unwrap();
    database_in(postgres.path()).await;
    let to = database_url_for(postgres.path()).unwrap();
    let from = format!("sqlite://{}", sqlite.path().join("clientele.db").display());
    (sqlite, postgres, from, to)
}

/// Import 2 in the SQLite workspace of `dir`: a file of two people uploaded, not yet checked.
async fn upload_waiting(dir: &std::path::Path) {
    let settings = clientele::server::config::DatabaseSettings::new(None, dir).unwrap();
    let db = clientele::server::db::Db::connect(&settings).await.unwrap();
    clientele::server::db::sql::query(
        "INSERT INTO imports (id, kind, file_name, by, created_at, header, mapping)
         VALUES (2, 'contact', 'later.csv', 1, 0, '[\"Name\",\"E-mail\"]', '[null,null]')",
    )
    .execute(&mut db.conn().await.unwrap())
    .await
    .unwrap();
    db.close().await;
    std::fs::create_dir_all(dir.join("imports")).unwrap();
    std::fs::write(
        dir.join("imports/2.csv"),
        "Name,E-mail\nLater One,one@later.example\nLater Two,two@later.example\n",
    )
    .unwrap();
}

fn succeeded(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

#[tokio::test]
async fn a_sqlite_workspace_moves_to_postgres_whole_and_a_second_run_changes_nothing() {
    if !on_postgres() {
        return; // Needs a PostgreSQL server: `make test-postgres`.
    }
    // A SQLite workspace: an admin, 300 contacts imported (with their tags and companies,
    // the import and its history).
    let (sqlite, postgres, from, url) = sqlite_and_postgres().await;
    let file = sqlite.path().join("people.csv");
    let mut csv = String::from("First name,Last name,E-mail,Company,Tags\n");
    for i in 1..=300 {
        csv.push_str(&format!(
            "Person,Número {i},p{i}@example.com,Firm {},\"vip,n{}\"\n",
            i % 7,
            i % 3
        ));
    }
    std::fs::write(&file, csv).unwrap();
    succeeded(&on_sqlite(
        sqlite.path(),
        &["import", "contacts", file.to_str().unwrap()],
    ));

    // And a file uploaded but not yet checked (as the `/import` page leaves it).
    upload_waiting(sqlite.path()).await;

    // Copied into the new PostgreSQL database.
    let copy = ["migrate-to-postgres", "--from", &from, "--to", &url];
    let report = succeeded(&on_sqlite(sqlite.path(), &copy));
    assert!(report.contains("the counts match"), "{report}");
    assert!(report.contains("contacts"), "{report}");
    assert!(
        report.contains("1 files of imports not yet run"),
        "{report}"
    );

    // A server on it has everything: sign-in, the list, search (accents folded), tags,
    // companies, the import (which can be undone), and new records get new ids.
    let app = spawn_app_in(postgres, HttpSettings::default(), false, |_| {}).await;
    let ada = cookie_client();
    assert_eq!(
        app.login_as(&ada, "ada@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    let all = list(&app, &ada, &[]).await;
    assert_eq!(all["page"]["total"], serde_json::json!({"Exact": 300}));
    let found = list(&app, &ada, &[("q", "numero 42")]).await;
    assert_eq!(names(&found), ["Person Número 42"]);
    let tagged = list(&app, &ada, &[("tag", "VIP"), ("per", "100")]).await;
    assert_eq!(tagged["page"]["total"], serde_json::json!({"Exact": 300}));
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, 7);
    assert!(
        app.scalar("SELECT count(*) FROM changes WHERE import_id = 1")
            .await
            >= 300
    );
    let rerun = succeeded(&on_sqlite(sqlite.path(), &copy));
    assert!(rerun.contains("the counts match"), "{rerun}");
    assert!(!rerun.contains("files of imports"), "copied twice: {rerun}");
    // The upload waiting in SQLite's folder is checked and imported on PostgreSQL.
    let check = [
        ("step", "check"),
        ("mapping[0]", "name"),
        ("mapping[1]", "email"),
    ];
    assert!(step(&app, &ada, "2", &check).await.status().is_success());
    assert_eq!(settled(&app, &ada, "2").await["state"], "Checked");
    assert!(step(&app, &ada, "2", &[("step", "run")])
        .await
        .status()
        .is_success());
    let waiting = settled(&app, &ada, "2").await;
    assert_eq!(waiting["counts"]["created"], 2, "{waiting}");
    let later = list(&app, &ada, &[("q", "later")]).await;
    let mut later = names(&later);
    later.sort();
    assert_eq!(later, ["Later One", "Later Two"]);
    let id = new_contact(
        &app,
        &ada,
        &[("first_name", "After"), ("email", "after@example.com")],
    )
    .await;
    assert!(id > 302, "{id}");

    // Copying again changes nothing while the two agree, and refuses (changing nothing) once
    // PostgreSQL has rows SQLite does not.
    let again = on_sqlite(sqlite.path(), &copy);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("contacts has 303 rows in PostgreSQL but 300 in SQLite"),
        "{stderr}"
    );
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 303);
    let undone = step(&app, &ada, "1", &[("step", "undo")]).await;
    assert!(undone.status().is_success() || undone.status().is_redirection());
    let import = settled(&app, &ada, "1").await;
    assert_eq!(import["state"], "Undone", "{import}");
}

#[tokio::test]
async fn copying_twice_into_the_same_database_is_safe() {
    if !on_postgres() {
        return; // Needs a PostgreSQL server: `make test-postgres`.
    }
    let (sqlite, _postgres, from, url) = sqlite_and_postgres().await;
    let copy = [
        "migrate-to-postgres",
        "--from",
        &from,
        "--to",
        &url,
        "--keep-sessions",
    ];
    succeeded(&on_sqlite(sqlite.path(), &copy));
    let second = succeeded(&on_sqlite(sqlite.path(), &copy));
    assert!(second.contains("the counts match"), "{second}");
    // Not from SQLite, or not into PostgreSQL: refused.
    let wrong = on_sqlite(
        sqlite.path(),
        &["migrate-to-postgres", "--from", &url, "--to", &url],
    );
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--from must name"));
}
