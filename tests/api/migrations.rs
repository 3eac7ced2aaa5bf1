use std::path::Path;

use clientele::server::config::DatabaseSettings;
use clientele::server::db::{migrate_with, Db};
use sqlx::migrate::Migrator;

async fn open(dir: &Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("test.db").display()
    ))
    .await
    .unwrap()
}

#[tokio::test]
async fn a_failing_migration_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    std::fs::write(migrations.join("1_good.sql"), "CREATE TABLE a (x INTEGER);").unwrap();
    std::fs::write(
        migrations.join("2_bad.sql"),
        "CREATE TABLE b (y INTEGER); SELEC oops;",
    )
    .unwrap();
    let migrator = Migrator::new(migrations.as_path()).await.unwrap();
    let pool = open(dir.path()).await;

    let error = migrate_with(&pool, &migrator).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("nothing was changed"),
        "{error:#}"
    );

    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(tables.is_empty(), "tables left behind: {tables:?}");
}

#[tokio::test]
async fn migrating_twice_applies_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let settings = DatabaseSettings::new(None, dir.path()).unwrap();
    let db = Db::connect(&settings).await.unwrap();
    let first = db.migrate().await.unwrap();
    assert!(first >= 1);
    assert_eq!(db.migrate().await.unwrap(), 0);
    db.close().await;

    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("clientele.db").display()
    ))
    .await
    .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal", "the database uses the write-ahead log");
}
