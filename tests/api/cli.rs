//! The `clientele` binary as an operator uses it.

use std::path::Path;
use std::process::{Command, Output};

pub fn clientele(dir: &Path, args: &[&str]) -> Output {
    // On PostgreSQL, the database of the data folder the command names (or it runs in).
    let data_dir = args
        .iter()
        .position(|a| *a == "--data-dir")
        .and_then(|i| args.get(i + 1))
        .map_or(dir, |d| Path::new(*d));
    Command::new(env!("CARGO_BIN_EXE_clientele"))
        .args(args)
        .current_dir(dir)
        .env("CLIENTELE_LOG_FORMAT", "pretty")
        .env_remove("CLIENTELE_DATABASE_URL")
        .envs(crate::helpers::database_url_for(data_dir).map(|url| ("CLIENTELE_DATABASE_URL", url)))
        .env_remove("CLIENTELE_DATA_DIR")
        .output()
        .expect("clientele runs")
}

/// `clientele serve` with `args` on a new data folder `dir` stops before serving, with one error
/// line containing `expected`.
pub fn assert_start_refused(dir: &Path, args: &[&str], expected: &str) {
    let mut all = vec!["serve", "--listen", "127.0.0.1:0", "--data-dir"];
    all.push(dir.to_str().unwrap());
    all.extend_from_slice(args);
    assert_one_line_error(&clientele(dir, &all), expected);
}

/// A failure is one line on stderr, starting with `clientele: error:`, and no panic.
fn assert_one_line_error(output: &Output, expected: &str) {
    assert!(!output.status.success());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("clientele: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{stderr}");
    assert!(
        errors[0].contains(expected),
        "{:?} lacks {expected:?}",
        errors[0]
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn migrate_creates_the_database_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let output = clientele(dir.path(), &["migrate"]);
    assert!(output.status.success(), "{output:?}");
    assert!(dir.path().join("data/clientele.db").exists());
    // Idempotent.
    let output = clientele(dir.path(), &["migrate", "--data-dir", "data"]);
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn a_corrupt_database_file_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("corrupt.db");
    std::fs::write(&file, vec![0x5a; 8192]).unwrap();
    let url = format!("sqlite://{}", file.display());
    for command in ["migrate", "serve"] {
        let output = clientele(
            dir.path(),
            &[command, "--database-url", &url, "--listen", "127.0.0.1:0"],
        );
        assert_one_line_error(&output, "file is not a database");
    }
}

#[test]
fn an_unwritable_database_location_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the data directory should be (root ignores permission bits, this does not).
    std::fs::write(dir.path().join("blocker"), "").unwrap();
    let url = format!("sqlite://{}", dir.path().join("blocker/crm.db").display());
    let output = clientele(dir.path(), &["migrate", "--database-url", &url]);
    assert_one_line_error(&output, "cannot create the data directory");

    // A directory that refuses new files.
    let output = clientele(
        dir.path(),
        &[
            "migrate",
            "--database-url",
            "sqlite:///proc/clientele-test.db",
        ],
    );
    assert_one_line_error(&output, "cannot open the database /proc/clientele-test.db");

    // A folder instead of a file.
    let url = format!("sqlite://{}", dir.path().display());
    let output = clientele(dir.path(), &["migrate", "--database-url", &url]);
    assert_one_line_error(&output, "cannot open the database");
}

#[test]
fn an_unknown_applied_migration_stops_the_server_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    assert!(clientele(dir.path(), &["migrate"]).status.success());
    let db = dir.path().join("data/clientele.db");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99990101000000, 'from a newer release', TRUE, x'00', 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    });
    let output = clientele(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    assert_one_line_error(&output, "database migration failed");
}

#[test]
fn a_bad_flag_value_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let output = clientele(dir.path(), &["serve", "--listen", "not-an-address"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--listen"), "{stderr}");
}
