//! Undoing an import as one unit: every record it created goes to the trash and every field it
//! changed gets its old value back, unless the record was edited since, which is reported rather
//! than overwritten. Effects are undone a batch per transaction and forgotten as they are, so an
//! undo stopped part-way (the server stopped, say) can be run again to undo the rest.

use super::run::{load, BATCH_ROWS};
use crate::domain::{company_input, contact_input, ImportView, RecordKind};
use crate::error::AppError;
use crate::server::auth::session::now;
use crate::server::db::seed::Progress;
use crate::server::db::{CurrentUser, Db, Effect};
use crate::server::records::{save, trash};

/// What undoing one effect came to.
enum Undone {
    Trashed,
    Restored,
    /// Gone or in the trash already: nothing to undo.
    Gone,
    /// Edited since the import (its name): left as it is.
    Kept(String),
}

/// Undoes one effect of an import of `kind` records.
async fn undo_one(
    db: &Db,
    user: &CurrentUser,
    kind: RecordKind,
    effect: &Effect,
    at: i64,
) -> Result<Undone, AppError> {
    let current = match kind {
        RecordKind::Company => db
            .company(effect.record_id)
            .await?
            .map(|c| (c.version, c.name.clone(), c.input().echo())),
        _ => db
            .contact(effect.record_id)
            .await?
            .map(|c| (c.version, c.name(), c.input().echo())),
    };
    let Some((version, name, mut values)) = current else {
        return Ok(Undone::Gone);
    };
    if version != effect.version {
        return Ok(Undone::Kept(name));
    }
    if effect.created {
        return match trash(db, user, kind, effect.record_id, at).await {
            Ok(()) => Ok(Undone::Trashed),
            Err(AppError::NotFound) => Ok(Undone::Gone),
            Err(error) => Err(error),
        };
    }
    for (field, old) in &effect.old_values {
        if let Some(slot) = values.iter_mut().find(|(f, _)| f == field) {
            slot.1.clone_from(old);
        }
    }
    let id = Some(effect.record_id);
    let saved = match kind {
        RecordKind::Company => save(db, user, id, version, &company_input(&values), at).await,
        _ => save(db, user, id, version, &contact_input(&values), at).await,
    };
    match saved {
        Ok(_) => Ok(Undone::Restored),
        Err(AppError::StaleEdit(_) | AppError::Validation(_) | AppError::NotFound) => {
            Ok(Undone::Kept(name))
        }
        Err(error) => Err(error),
    }
}

/// Undoes import `id` (already moved to `undone`) as `user`, saying what it did in the import's
/// message. The changes it makes are the import's in the history.
pub async fn undo<P: Progress + Send + ?Sized>(
    db: &Db,
    id: i64,
    user: &CurrentUser,
    progress: &mut P,
) -> Result<ImportView, AppError> {
    let view = load(db, id).await?;
    let kind = view.kind;
    let remaining = db.import_effects_left(id).await?;
    let resumed = remaining < view.counts.written();
    progress.stage("undoing", remaining);
    let (mut trashed, mut restored) = (0u64, 0u64);
    let mut kept: Vec<String> = Vec::new();
    let mut kept_count = 0u64;
    let mut after = 0;
    loop {
        let effects = db.import_effects(id, after, BATCH_ROWS as i64).await?;
        let Some(last) = effects.last() else { break };
        after = last.record_id;
        db.background_turn().await;
        let at = now();
        let effects = &effects;
        let outcomes = db
            .atomically(|db| async move {
                let before = db.last_change().await?;
                let mut outcomes = Vec::with_capacity(effects.len());
                for effect in effects {
                    let outcome = undo_one(&db, user, kind, effect, at).await?;
                    if !matches!(outcome, Undone::Kept(_)) {
                        db.forget_effect(id, effect.record_id).await?;
                    }
                    outcomes.push(outcome);
                }
                db.tag_changes(id, before).await?;
                db.import_beat(id, at).await?;
                Ok::<_, AppError>(outcomes)
            })
            .await?;
        for outcome in outcomes {
            match outcome {
                Undone::Trashed => trashed += 1,
                Undone::Restored => restored += 1,
                Undone::Gone => {}
                Undone::Kept(name) => {
                    kept_count += 1;
                    if kept.len() < 10 {
                        kept.push(name);
                    }
                }
            }
        }
        progress.advance(effects.len() as u64);
    }
    progress.finish();
    // A second undo (the first stopped part-way) counts what it did itself.
    let verb = if resumed { "The rest undone" } else { "Undone" };
    let mut message =
        format!(
        "{verb}: {trashed} created {} moved to the trash, {restored} given their old values back.",
        if trashed == 1 { kind.as_str() } else { kind.plural() }
    );
    if kept_count > 0 {
        message.push_str(&format!(
            " {kept_count} edited since the import were left as they are: {}{}.",
            kept.join(", "),
            if kept_count > kept.len() as u64 {
                ", …"
            } else {
                ""
            }
        ));
    }
    db.finish_import(id, "undone", None, &message, now())
        .await?;
    tracing::info!(
        import = id,
        trashed,
        restored,
        kept = kept_count,
        "import undone"
    );
    load(db, id).await
}
