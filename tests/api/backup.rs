//! `clientele backup` while the server writes, and `clientele restore` of that backup into a new
//! data folder: a consistent database that a server starts on, with every record the backup
//! holds findable.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::admin::PASSWORD;
use crate::cli::clientele;
use crate::helpers::{cookie_client, form, spawn_app, spawn_app_in, CONTACT_FIELDS};
use crate::upkeep::scalar;
use clientele::server::config::HttpSettings;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_into_a_consistent_database() {
    if crate::helpers::on_postgres() {
        return; // PostgreSQL is backed up with pg_dump (README).
    }
    let app = spawn_app().await;
    let ada = cookie_client();
    app.register_as(&ada, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    let data_dir = app.database_path().parent().unwrap().to_owned();

    // Contacts keep being saved while the backup runs.
    let saved = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let (app_url, ada, saved, stop) = (
            app.url(""),
            ada.clone(),
            Arc::clone(&saved),
            Arc::clone(&stop),
        );
        async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) || n < 20 {
                n += 1;
                let last = format!("Writer{n}");
                let email = format!("writer{n}@example.com");
                let fields = form(
                    &CONTACT_FIELDS,
                    &[
                        ("first_name", "Backed"),
                        ("last_name", &last),
                        ("email", &email),
                        ("tags", "backup, test"),
                    ],
                );
                let response = ada
                    .post(format!("{app_url}/api/contacts/save"))
                    .form(&fields)
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success(), "{response:?}");
                saved.store(n, Ordering::SeqCst);
            }
        }
    });
    while saved.load(Ordering::SeqCst) < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let file = data_dir.join("backup.db");
    let before = saved.load(Ordering::SeqCst);
    let backup = tokio::task::spawn_blocking({
        let (dir, file) = (data_dir.clone(), file.clone());
        move || {
            clientele(
                &dir,
                &[
                    "backup",
                    file.to_str().unwrap(),
                    "--data-dir",
                    dir.to_str().unwrap(),
                ],
            )
        }
    })
    .await
    .unwrap();
    let after = saved.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert!(
        stderr(&backup).contains("Backed up to"),
        "{}",
        stderr(&backup)
    );
    // A second backup never overwrites the first.
    let again = clientele(
        &data_dir,
        &[
            "backup",
            file.to_str().unwrap(),
            "--data-dir",
            data_dir.to_str().unwrap(),
        ],
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );

    // Restored into a new data folder: checked, then a server starts on it.
    let restored = tempfile::tempdir().unwrap();
    // An empty file where the database goes (a server that never wrote) is no database.
    std::fs::write(restored.path().join("clientele.db"), b"").unwrap();
    let run = clientele(
        restored.path(),
        &[
            "restore",
            file.to_str().unwrap(),
            "--data-dir",
            restored.path().to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("is a sound backup: 1 users"),
        "{}",
        stderr(&run)
    );
    let database = restored.path().to_owned();
    let contacts = scalar(&database, "SELECT count(*) FROM contacts").await as usize;
    assert!(
        (before..=after).contains(&contacts),
        "the backup holds the contacts saved before it began ({before}) and none saved after it ended ({after}): {contacts}"
    );
    // Derived data agrees with the rows: every contact's tags and search entry are there.
    assert_eq!(
        scalar(&database, "SELECT count(*) FROM contact_tags").await as usize,
        2 * contacts
    );
    assert_eq!(
        scalar(
            &database,
            "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'backed'"
        )
        .await as usize,
        contacts
    );

    let copy = spawn_app_in(restored, HttpSettings::default(), false, |_| {}).await;
    let signed_in = cookie_client();
    let login = copy.login_as(&signed_in, "ada@example.com", PASSWORD).await;
    assert_eq!(login.status(), 200);
    let found = copy
        .get_as(&signed_in, "/contacts?q=writer1")
        .await
        .text()
        .await
        .unwrap();
    assert!(found.contains("Backed Writer1"), "{found}");

    // A data folder with a database is never overwritten.
    let refused = clientele(
        &data_dir,
        &[
            "restore",
            file.to_str().unwrap(),
            "--data-dir",
            data_dir.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("restore into an empty data folder"),
        "{}",
        stderr(&refused)
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_sound_backup_is_refused_with_the_reason() {
    if crate::helpers::on_postgres() {
        return; // Restores are of SQLite backups.
    }
    let dir = tempfile::tempdir().unwrap();
    let not_sqlite = dir.path().join("notes.db");
    std::fs::write(&not_sqlite, b"shopping list: eggs, flour").unwrap();
    let target = dir.path().join("target");
    let run = clientele(
        dir.path(),
        &[
            "restore",
            not_sqlite.to_str().unwrap(),
            "--data-dir",
            target.to_str().unwrap(),
        ],
    );
    assert!(!run.status.success());
    assert!(
        stderr(&run).contains("is not a usable backup"),
        "{}",
        stderr(&run)
    );
    assert!(!target.join("clientele.db").exists(), "nothing restored");

    // A SQLite database, but not Clientele's.
    let other = dir.path().join("other.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", other.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (x)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let run = clientele(
        dir.path(),
        &[
            "restore",
            "--check",
            other.to_str().unwrap(),
            "--data-dir",
            target.to_str().unwrap(),
        ],
    );
    assert!(!run.status.success());
    assert!(
        stderr(&run).contains("it is not a Clientele database"),
        "{}",
        stderr(&run)
    );
}
