//! The trash: deleted records, restorable for 30 days; and the "Undo" offered after deleting.
//!
//! The page to copy for a new page (ARCHITECTURE.md, "Rendering model"): a server function that
//! loads, one that changes with an idempotency key, and a server-rendered page whose plain form
//! works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::flash::server_action;
use crate::components::form::{set_status_for, FormAlert, IdempotencyField};
use crate::domain::{ago, RecordKind, TrashPage, TRASH_DAYS};
use crate::error::AppError;

/// One page of the trash: the most recent deletions, or those before the cursor `after`.
#[server(endpoint = "trash/list")]
pub async fn list_trash(after: Option<String>) -> Result<TrashPage, AppError> {
    use crate::domain::{Role, TrashItem, TRASH_PAGE};
    use crate::server::{auth::session, context};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        let after = after.as_deref().and_then(TrashItem::parse_cursor);
        let mut items = context::db()?
            .trash(after, TRASH_PAGE + 1)
            .await
            .map_err(context::internal)?;
        let more = items.len() > TRASH_PAGE as usize;
        items.truncate(TRASH_PAGE as usize);
        Ok(TrashPage {
            older: more.then(|| items.last().map(TrashItem::cursor)).flatten(),
            items,
            can_edit: user.role.allows(Role::Member),
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

/// Brings a record back from the trash and opens its page.
#[server(endpoint = "trash/restore")]
pub async fn restore_record(
    kind: RecordKind,
    id: i64,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context, idempotency, records};
    let result: Result<(), AppError> = async {
        let user = context::require_role(Role::Member)?;
        let db = context::db()?;
        idempotency::once(&db, &user, idempotency_key, &(kind, id), |db| {
            let user = &user;
            async move { records::restore(&db, user, kind, id, session::now()).await }
        })
        .await?;
        context::redirect(&format!("{}?restored=1", kind.path(id)));
        Ok(())
    }
    .await;
    context::respond(result)
}

/// The message on a list after one of its records was deleted (`?deleted=<id>`), with its "Undo"
/// button.
#[component]
pub fn UndoDelete(kind: RecordKind) -> impl IntoView {
    let deleted = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("deleted")
        .and_then(|id| id.parse::<i64>().ok());
    deleted.map(|id| undo_delete(kind, id))
}

fn undo_delete(kind: RecordKind, id: i64) -> impl IntoView {
    let restore = server_action::<RestoreRecord>();
    let error = Signal::derive(move || restore.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    view! {
        <div class="flash" role="status">
            <ActionForm action=restore attr:class="inline">
                <IdempotencyField action=restore />
                {kind.label()} " moved to the trash. "
                <input type="hidden" name="kind" value=kind.as_str() />
                <input type="hidden" name="id" value=id.to_string() />
                <button type="submit">"Undo"</button>
            </ActionForm>
        </div>
        <FormAlert error />
    }
}

#[component]
pub fn TrashPage() -> impl IntoView {
    let restore = server_action::<RestoreRecord>();
    let query = leptos_router::hooks::use_query_map();
    let after = move || query.read().get("after").filter(|a| !a.is_empty());
    let items = Resource::new(after, list_trash);
    let error = Signal::derive(move || restore.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    let list = move || {
        Suspend::new(async move {
            let TrashPage {
                items,
                older,
                can_edit,
                now,
            } = items.await?;
            let older = older.map(|cursor| {
                view! {
                    <nav class="pager" aria-label="Pages">
                        <a href=crate::paths::trash_after(&cursor)>"Older deletions"</a>
                    </nav>
                }
            });
            if items.is_empty() {
                return Ok::<_, AppError>(
                    view! { <p class="empty">"The trash is empty."</p> }.into_any(),
                );
            }
            let rows = items
                .into_iter()
                .map(|item| {
                    let left = (TRASH_DAYS * 86_400 - (now - item.deleted_at)).max(0) / 86_400;
                    let label = format!("Restore {}", item.name);
                    let button = can_edit.then(|| {
                        view! {
                            <ActionForm action=restore attr:class="inline">
                                <IdempotencyField action=restore />
                                <input type="hidden" name="kind" value=item.kind.as_str() />
                                <input type="hidden" name="id" value=item.id.to_string() />
                                <button type="submit" aria-label=label>"Restore"</button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr>
                            <td>{item.name.clone()}</td>
                            <td>{item.kind.label()}</td>
                            <td>{ago(now - item.deleted_at)}</td>
                            <td>{format!("{left} days")}</td>
                            <td>{button}</td>
                        </tr>
                    }
                })
                .collect_view();
            Ok(view! {
                <table class="records">
                    <caption class="visually-hidden">"Deleted records"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Deleted"</th>
                            <th scope="col">"Deleted for good in"</th>
                            <th scope="col"><span class="visually-hidden">"Action"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                {older}
            }
            .into_any())
        })
    };
    view! {
        <Title text="Trash" />
        <h1>"Trash"</h1>
        <p>{format!("Deleted contacts, companies, activities and tasks stay here for {TRASH_DAYS} days; restore one to bring it back.")}</p>
        <FormAlert error />
        {list}
    }
}
