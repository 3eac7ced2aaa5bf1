//! What every record kind shares on the server-function side and the page it needs: deleting a
//! record to the trash, from its "Delete" page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::flash::server_action;
use crate::components::form::{set_status_for, FormAlert, IdempotencyField};
use crate::components::record::may_edit;
use crate::components::records::use_id_param;
use crate::domain::{RecordKind, TRASH_DAYS};
use crate::error::AppError;

/// A record's name, for a page that asks about it, and whether the viewer may change it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NamedRecord {
    pub name: String,
    pub can_edit: bool,
}

#[server(endpoint = "records/name")]
pub async fn record_name(kind: RecordKind, id: i64) -> Result<NamedRecord, AppError> {
    use crate::domain::Role;
    use crate::server::{context, records};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        let name = records::name(&context::db()?, kind, id).await?;
        Ok(NamedRecord {
            name,
            can_edit: user.role.allows(Role::Member),
        })
    }
    .await;
    context::respond(result)
}

/// Moves a record to the trash and opens its list, which offers to undo.
#[server(endpoint = "records/delete")]
pub async fn delete_record(
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
            async move { records::trash(&db, user, kind, id, session::now()).await }
        })
        .await?;
        context::redirect(&format!("{}?deleted={id}", kind.list_path()));
        Ok(())
    }
    .await;
    context::respond(result)
}

/// What deleting does, in the words of the "Delete" page.
fn what_delete_does(kind: RecordKind) -> String {
    let then = match kind {
        RecordKind::Contact => "",
        RecordKind::Company => " Its contacts stay, without a company while it is in the trash.",
    };
    format!(
        "The {} moves to the trash, where it can be restored for {TRASH_DAYS} days.{then}",
        kind.as_str()
    )
}

/// "Delete Ann Lee?": the page a record's "Delete" button opens (it works without JavaScript).
#[component]
pub fn DeleteRecordPage(kind: RecordKind) -> impl IntoView {
    let id = use_id_param();
    let record = Resource::new(
        move || id.get(),
        move |id| async move {
            match id {
                Some(id) => record_name(kind, id).await.map(|r| (id, r)),
                None => Err(AppError::NotFound),
            }
        },
    );
    let delete = server_action::<DeleteRecord>();
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    let page = move || {
        Suspend::new(async move {
            let (id, NamedRecord { name, can_edit }) = record.await?;
            may_edit(can_edit)?;
            Ok::<_, AppError>(view! {
                <Title text=format!("Delete {name}") />
                <h1>"Delete " {name} "?"</h1>
                <p>{what_delete_does(kind)}</p>
                <ActionForm action=delete>
                    <IdempotencyField action=delete />
                    <FormAlert error />
                    <input type="hidden" name="kind" value=kind.as_str() />
                    <input type="hidden" name="id" value=id.to_string() />
                    <div class="actions">
                        <button type="submit" class="danger">"Delete"</button>
                        <a href=kind.path(id)>"Cancel"</a>
                    </div>
                </ActionForm>
            })
        })
    };
    view! { {page} }
}
