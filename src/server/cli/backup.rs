//! `clientele backup FILE` and `clientele restore FILE`: a consistent copy of the database taken
//! while the server runs, and that copy put back into an empty data folder after checking it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::server::config::DatabaseSettings;
use crate::server::db::{check_backup, BackupContents, Check, Db};

/// A progress bar counting bytes (hidden when stderr is not a terminal).
fn byte_bar(total: u64, message: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total).with_message(message);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:>12} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// `FILE.partial`, where a file is written before it is renamed into place.
fn partial(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Makes `from` durable and moves it to `to`, which must not exist: a hard link then the removal
/// of `from`, which unlike a rename never replaces a file that appeared meanwhile; on a file
/// system without hard links (FAT, some network mounts), a rename after checking `to` is absent.
fn put_in_place(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::File::open(from)?.sync_all()?;
    match std::fs::hard_link(from, to) {
        Ok(()) => std::fs::remove_file(from)
            .with_context(|| format!("cannot remove {}", from.display()))?,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!("{} exists now: it was left as it is", to.display())
        }
        Err(_) if !to.exists() => std::fs::rename(from, to)
            .with_context(|| format!("cannot rename {} to {}", from.display(), to.display()))?,
        Err(error) => return Err(error).context(format!("cannot write {}", to.display())),
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn describe(contents: &BackupContents) -> String {
    format!(
        "{} users, {} companies, {} contacts, {} activities, {} tasks (migration {})",
        contents.users,
        contents.companies,
        contents.contacts,
        contents.activities,
        contents.tasks,
        contents.migration
    )
}

pub(super) async fn backup(database: DatabaseSettings, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!("{} exists already: choose a new file name", file.display());
    }
    if !database.path().is_file() {
        bail!("there is no database at {}", database.path().display());
    }
    let started = Instant::now();
    let db = Db::connect(&database).await?;
    let writing = partial(file);
    if writing.exists() {
        std::fs::remove_file(&writing)
            .with_context(|| format!("cannot remove {}", writing.display()))?;
    }
    let bar = byte_bar(db.live_bytes().await?, "backing up");
    // SQLite writes the copy as it goes: its size is the progress.
    let watch = tokio::spawn({
        let (bar, writing) = (bar.clone(), writing.clone());
        async move {
            loop {
                if let Ok(meta) = std::fs::metadata(&writing) {
                    bar.set_position(meta.len());
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    });
    let copied = db.backup_into(&writing).await;
    watch.abort();
    db.close().await;
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&writing);
        return Err(error).context("the backup failed");
    }
    bar.finish();
    // Checked before it gets its name: a file called FILE is always a sound backup.
    let contents = match check_backup(&writing, Check::Quick).await {
        Ok(contents) => contents,
        Err(error) => {
            let _ = std::fs::remove_file(&writing);
            return Err(error);
        }
    };
    if let Err(error) = put_in_place(&writing, file) {
        let _ = std::fs::remove_file(&writing);
        return Err(error);
    }
    let size = std::fs::metadata(file)?.len();
    eprintln!(
        "Backed up to {} ({:.1} MB) in {:.1} s: {}.",
        file.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        describe(&contents)
    );
    Ok(())
}

pub(super) async fn restore(
    database: DatabaseSettings,
    file: &Path,
    check_only: bool,
) -> anyhow::Result<()> {
    let contents = check_backup(file, Check::Full).await?;
    eprintln!(
        "{} is a sound backup: {}.",
        file.display(),
        describe(&contents)
    );
    if check_only {
        return Ok(());
    }
    let target = database.path();
    let mut wal = target.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    let occupied = |path: &Path| std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    if occupied(target) || occupied(&wal) {
        bail!(
            "there is a database at {} already: restore into an empty data folder (or move that file away first)",
            target.display()
        );
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let writing = partial(target);
    let size = std::fs::metadata(file)?.len();
    let bar = byte_bar(size, "restoring");
    let mut from = bar.wrap_read(std::fs::File::open(file)?);
    let mut to = std::fs::File::create(&writing)
        .with_context(|| format!("cannot write {}", writing.display()))?;
    std::io::copy(&mut from, &mut to).context("the copy failed")?;
    drop(to);
    bar.finish();
    // A server started meanwhile would have made a database (and its log) here.
    if occupied(target) || occupied(&wal) {
        let _ = std::fs::remove_file(&writing);
        bail!(
            "a database appeared at {} during the restore (is a server running on this data folder?): nothing was restored",
            target.display()
        );
    }
    // An empty file where the database goes (a server that never wrote) is no database.
    if target.exists() && !occupied(target) {
        std::fs::remove_file(target)
            .with_context(|| format!("cannot remove the empty {}", target.display()))?;
    }
    if let Err(error) = put_in_place(&writing, target) {
        let _ = std::fs::remove_file(&writing);
        return Err(error);
    }
    eprintln!("Restored into {}.", target.display());
    if contents.behind > 0 {
        eprintln!(
            "The backup is from an older version: the server applies {} newer migrations when it starts.",
            contents.behind
        );
    }
    Ok(())
}
