//! What every record kind shares on the server-function side and the page it needs: deleting a
//! record to the trash, from its "Delete" page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::flash::server_action;
use crate::components::form::{set_status_for, FormAlert, IdempotencyField};
use crate::components::record::may_edit;
use crate::components::records::use_id_param;
use crate::domain::{HistoryPage, RecordKind, TaskList, Timeline, TRASH_DAYS};
use crate::error::AppError;
use crate::pages::activities::{activity_timeline, RecordTimeline};
use crate::pages::history::{record_history, RecordHistory};
use crate::pages::tasks::{record_tasks, RecordTasks};
use leptos_router::hooks::use_query_map;

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
        let db = context::db()?;
        let name = records::name(&db, kind, id).await?;
        let can_edit = user.role.allows(Role::Member)
            && records::may_change(&db, &user, kind, id).await.is_ok();
        Ok(NamedRecord { name, can_edit })
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
        let back = records::deleted_path(&db, kind, id).await?;
        idempotency::once(&db, &user, idempotency_key, &(kind, id), |db| {
            let user = &user;
            async move { records::trash(&db, user, kind, id, session::now()).await }
        })
        .await?;
        context::redirect(&back);
        Ok(())
    }
    .await;
    context::respond(result)
}

/// What every record page shows below its fields: its timeline (contacts and companies) and its
/// history. Loaded in the page's own `Suspend`, after the record, so that the page is one
/// asynchronous step: sections with data of their own inside it would each be a second one.
#[derive(Debug, Clone)]
pub struct Sections {
    kind: RecordKind,
    id: i64,
    timeline: Option<Timeline>,
    tasks: Option<TaskList>,
    history: HistoryPage,
}

/// The page's place in its sections (`?timeline=…`, `?history=…`), read when the page is made.
#[derive(Debug, Clone, Default)]
pub struct SectionCursors {
    timeline: Option<String>,
    history: Option<i64>,
}

impl SectionCursors {
    pub fn from_query() -> Self {
        let query = use_query_map();
        let query = query.read_untracked();
        SectionCursors {
            timeline: query.get("timeline"),
            history: query.get("history").and_then(|v| v.trim().parse().ok()),
        }
    }

    /// The sections of record `id`.
    pub async fn load(self, kind: RecordKind, id: i64) -> Result<Sections, AppError> {
        let (timeline, tasks) = match kind {
            RecordKind::Contact | RecordKind::Company => (
                Some(activity_timeline(Some(kind), Some(id), self.timeline).await?),
                Some(record_tasks(kind, id).await?),
            ),
            RecordKind::Activity | RecordKind::Task => (None, None),
        };
        Ok(Sections {
            kind,
            id,
            timeline,
            tasks,
            history: record_history(kind, id, self.history).await?,
        })
    }
}

impl Sections {
    pub fn view(self) -> impl IntoView {
        let Sections {
            kind,
            id,
            timeline,
            tasks,
            history,
        } = self;
        view! {
            {tasks.map(|list| view! { <RecordTasks kind id list /> })}
            {timeline.map(|page| view! { <RecordTimeline kind id page /> })}
            <RecordHistory kind id page=history />
        }
    }
}

/// What deleting does, in the words of the "Delete" page.
fn what_delete_does(kind: RecordKind) -> String {
    let then = match kind {
        RecordKind::Contact | RecordKind::Activity | RecordKind::Task => "",
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
