//! What each command of the command line does, once its flags are read into settings (`cli.rs`).

use std::time::Duration;

use super::commands::Command;
use super::{backup, export, import, migrate, users, Cli, ProgressBar};
use crate::domain::ListQuery;
use crate::server::db::Db;
use crate::server::startup::{shutdown_signal, Application};

pub(super) async fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command.as_ref().unwrap_or(&Command::Serve) {
        Command::Serve => {
            let app = Application::build(cli.settings()?).await?;
            app.run_until_stopped(shutdown_signal()).await
        }
        Command::Migrate => {
            let db = Db::connect(&cli.database()?).await?;
            let applied = db.migrate().await?;
            tracing::info!(applied, path = %db.path().display(), "database is up to date");
            db.close().await;
            Ok(())
        }
        Command::Seed {
            companies,
            contacts,
            seed,
        } => {
            let mut database = cli.database()?;
            // A bulk load: its statements run as long as they need.
            database.statement_timeout = None;
            // Index builds take seconds by design here: not worth a warning each.
            database.connect = sqlx::ConnectOptions::log_slow_statements(
                database.connect,
                log::LevelFilter::Off,
                Duration::from_secs(60),
            );
            let db = Db::connect(&database).await?;
            db.migrate().await?;
            let plan = crate::server::db::seed::SeedPlan {
                companies: *companies,
                contacts: *contacts,
                seed: *seed,
            };
            let started = std::time::Instant::now();
            let result =
                crate::server::db::seed::seed(&db, plan, &mut ProgressBar::default()).await;
            db.close().await;
            result?;
            eprintln!(
                "Added {companies} companies and {contacts} contacts in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Export {
            what,
            out,
            q,
            status,
            tag,
            industry,
            sort,
            dir,
        } => {
            let given = [
                ("q", q),
                ("status", status),
                ("tag", tag),
                ("industry", industry),
                ("sort", sort),
                ("dir", dir),
            ];
            let query = ListQuery::from_pairs(
                given
                    .iter()
                    .filter_map(|(key, value)| value.as_deref().map(|v| (*key, v))),
            );
            let db = Db::connect(&cli.database()?).await?;
            db.migrate().await?;
            let result = export::run(&db, *what, query, out).await;
            db.close().await;
            result
        }
        Command::Import {
            what,
            file,
            dry_run,
            on_existing,
            user,
        } => {
            let db = Db::connect(&cli.database()?).await?;
            db.migrate().await?;
            let args = import::ImportArgs {
                what: *what,
                file,
                dry_run: *dry_run,
                on_existing: *on_existing,
                user: user.as_deref(),
            };
            let result = import::run(&db, args).await;
            db.close().await;
            result
        }
        Command::Backup { file } => {
            let mut database = cli.database()?;
            database.max_connections = 1;
            backup::backup(database, file).await
        }
        Command::Restore { file, check } => backup::restore(cli.database()?, file, *check).await,
        Command::MigrateToPostgres {
            from,
            to,
            keep_sessions,
        } => migrate::to_postgres(from, to, &cli.data_dir, *keep_sessions).await,
        Command::UndoImport { id, user } => {
            let db = Db::connect(&cli.database()?).await?;
            db.migrate().await?;
            let result = import::undo(&db, *id, user.as_deref()).await;
            db.close().await;
            result
        }
        Command::User(command) => {
            let db = Db::connect(&cli.database()?).await?;
            db.migrate().await?;
            let result = users::run(&db, command).await;
            db.close().await;
            result
        }
    }
}
