//! `clientele import contacts|companies FILE`: the `/import` page from the command line — the
//! columns mapped from the header, a check of every row, then (unless `--dry-run`) the import,
//! each with a progress bar, as the given user (or the first administrator); and the undo of an
//! import.

use std::path::Path;

use anyhow::{bail, Context};

use super::{Exportable, ProgressBar};
use crate::domain::{guess_mapping, ImportState, ImportView, OnExisting, Role, UNDO_STOPPED};
use crate::server::auth::session::now;
use crate::server::db::{CurrentUser, Db};
use crate::server::import::{self, source::Source};

pub(super) struct ImportArgs<'a> {
    pub what: Exportable,
    pub file: &'a Path,
    pub dry_run: bool,
    pub on_existing: OnExisting,
    pub user: Option<&'a str>,
}

pub(super) async fn run(db: &Db, args: ImportArgs<'_>) -> anyhow::Result<()> {
    let kind = args.what.kind();
    let user = acting_user(db, args.user).await?;
    let header = Source::open(args.file).map_err(anyhow::Error::msg)?.header;
    let mapping = guess_mapping(kind, &header);
    for (column, field) in header.iter().zip(&mapping) {
        eprintln!("  {column:>24} → {}", field.unwrap_or("(ignored)"));
    }
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = db
        .create_import(kind, &name, user.id, now(), &header, &mapping)
        .await?;
    db.plan_import(id, &mapping, args.on_existing).await?;
    db.move_import(id, "uploaded", "checking").await?;
    let checked = import::check(db, id, args.file, &mut ProgressBar::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    report(&checked, "would be");
    if checked.state != ImportState::Checked {
        bail!("{}", checked.message);
    }
    if args.dry_run {
        return Ok(());
    }
    db.move_import(id, "checked", "running").await?;
    let done = import::import(db, id, &user, args.file, &mut ProgressBar::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    report(&done, "were");
    if done.state != ImportState::Done {
        bail!("{}", done.message);
    }
    eprintln!("Import {id} is listed at /import, where it can be undone.");
    Ok(())
}

/// Undoes import `id` as the given user (or the first admin), with a progress bar.
pub(super) async fn undo(db: &Db, id: i64, user: Option<&str>) -> anyhow::Result<()> {
    let user = acting_user(db, user).await?;
    let view = db
        .import(id, 0)
        .await?
        .with_context(|| format!("there is no import {id}"))?;
    if !view.state.wrote() || !db.move_import(id, view.state.as_str(), "undone").await? {
        bail!(
            "import {id} is {}: only an import that wrote records can be undone",
            view.state.label().to_lowercase()
        );
    }
    // Stopped by an error or by Ctrl-C, it is left `failed`, to be undone again.
    let mut bar = ProgressBar::default();
    let undone = tokio::select! {
        undone = import::undo(db, id, &user, &mut bar) => {
            undone.map_err(|e| anyhow::anyhow!("{e}"))
        }
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    match undone {
        Ok(undone) => {
            eprintln!("{}", undone.message);
            Ok(())
        }
        Err(error) => {
            // Unless it finished meanwhile (Ctrl-C after its end was recorded).
            if let Err(e) = db.stop_undos(Some(id), now()).await {
                tracing::error!(error = %e, import = id, "cannot record that the undo stopped");
            }
            Err(error.context(UNDO_STOPPED))
        }
    }
}

fn report(view: &ImportView, verb: &str) {
    let c = view.counts;
    eprintln!(
        "{} rows: {} {verb} created, {} updated, {} skipped, {} invalid.",
        c.rows(),
        c.created,
        c.updated,
        c.skipped,
        c.invalid
    );
    for (line, reason) in view.problems.iter().take(20) {
        eprintln!("  line {line}: {reason}");
    }
}

/// The user an import from the command line acts as: the one named, else the first admin.
async fn acting_user(db: &Db, email: Option<&str>) -> anyhow::Result<CurrentUser> {
    let user = match email {
        Some(email) => db.find_user_by_email(&email.to_lowercase()).await?,
        None => {
            let admins = db.list_users().await?;
            let first = admins
                .iter()
                .find(|u| u.active && u.role == Role::Admin)
                .map(|u| u.email.clone());
            match first {
                Some(email) => db.find_user_by_email(&email).await?,
                None => None,
            }
        }
    }
    .filter(|u| u.active && u.role.allows(Role::Member))
    .context("no active member or admin to import as: create one with `clientele user create`, or give --as EMAIL")?;
    Ok(CurrentUser {
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        session_id: String::new(),
    })
}
