//! `clientele migrate-to-postgres`: a SQLite workspace copied into PostgreSQL.

use std::path::Path;
use std::time::Instant;

use anyhow::bail;

use crate::server::config::DatabaseSettings;
use crate::server::db::Db;

pub(super) async fn to_postgres(
    from: &str,
    to: &str,
    data_dir: &Path,
    keep_sessions: bool,
) -> anyhow::Result<()> {
    let mut source = DatabaseSettings::new(Some(from), data_dir)?;
    let mut target = DatabaseSettings::new(Some(to), data_dir)?;
    if source.is_postgres() || !source.path().is_file() {
        bail!("--from must name an existing SQLite database (sqlite://PATH)");
    }
    if !target.is_postgres() {
        bail!("--to must name a PostgreSQL database (postgres://…)");
    }
    // A bulk copy: statements run as long as they need.
    source.statement_timeout = None;
    target.statement_timeout = None;
    let started = Instant::now();
    let source = Db::connect(&source).await?;
    let target = Db::connect(&target).await?;
    let bar = indicatif::ProgressBar::new(source.rows_to_copy(keep_sessions).await?)
        .with_message("copying");
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:>8} [{bar:40}] {human_pos}/{human_len} rows ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let result = source
        .copy_to(&target, keep_sessions, &mut |rows| bar.inc(rows))
        .await;
    bar.finish_and_clear();
    // The files of imports not yet run go into the database, where every instance finds them.
    let files = match &result {
        Ok(_) => crate::server::import::file::copy_waiting(&source, &target)
            .await
            .map_err(|e| anyhow::anyhow!("cannot copy the files of the imports not yet run: {e}")),
        Err(_) => Ok(0),
    };
    source.close().await;
    target.close().await;
    let copied = result?;
    let files = files?;
    for table in &copied {
        eprintln!("  {:<16} {:>10} rows", table.table, table.target);
    }
    if files > 0 {
        eprintln!(
            "  {:<16} {:>10} files of imports not yet run",
            "import_files", files
        );
    }
    eprintln!(
        "Copied {} into {} in {:.1} s; the counts match. Start the servers with --database-url {}",
        from,
        target.describe(),
        started.elapsed().as_secs_f64(),
        target.describe()
    );
    Ok(())
}
