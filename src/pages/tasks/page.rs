//! A task's own page (with its history and "Mark done") and its edit page.

use leptos::prelude::*;

use crate::components::flash::server_action;
use crate::components::form::{
    general_error, set_status_for, typed_or, FormAlert, IdempotencyField,
};
use crate::components::record::{may_edit, FormHeading, RecordFlash, RecordHeading, When};
use crate::components::records::{use_id_param, StaleEditNotice};
use crate::domain::RecordKind;
use crate::error::AppError;
use crate::pages::live::LiveRecord;
use crate::pages::record::SectionCursors;

use super::{get_task, here, MarkTask, SaveTask, TaskDetails, TaskFields};

async fn load_task(id: Option<i64>) -> Result<TaskDetails, AppError> {
    match id {
        Some(id) => get_task(id).await,
        None => Err(AppError::NotFound),
    }
}

/// `/tasks/:id`: a task in full, with its history.
#[component]
pub fn TaskPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_task);
    let cursors = SectionCursors::from_query();
    let page = move || {
        let cursors = cursors.clone();
        Suspend::new(async move {
            let TaskDetails {
                task,
                can_edit,
                now,
                ..
            } = details.await?;
            let sections = cursors.load(RecordKind::Task, task.id).await?;
            let about = |record: Option<(i64, String)>, kind: RecordKind| {
                record.map(|(id, name)| view! { <a href=kind.path(id)>{name}</a> })
            };
            let overdue = task.is_overdue(now);
            let mark = can_edit.then(|| view! { <MarkTask task=task.clone() back=here() /> });
            Ok::<_, AppError>(view! {
                <RecordHeading kind=RecordKind::Task id=task.id name=task.title.clone() can_edit />
                {mark}
                <dl class="details">
                    <dt>"Due"</dt>
                    <dd>
                        {task.due.map(|d| d.describe())}
                        {overdue.then(|| view! { " " <strong class="overdue-label">"Overdue"</strong> })}
                    </dd>
                    <dt>"Assignee"</dt><dd>{task.assignee.clone().map(|a| a.1)}</dd>
                    <dt>"Contact"</dt><dd>{about(task.contact.clone(), RecordKind::Contact)}</dd>
                    <dt>"Company"</dt><dd>{about(task.company.clone(), RecordKind::Company)}</dd>
                    <dt>"Done"</dt><dd>{task.done_at.map(|at| view! { <When at now /> })}</dd>
                </dl>
                {sections.view()}
            })
        })
    };
    view! {
        <RecordFlash kind=RecordKind::Task />
        <LiveRecord kind=RecordKind::Task id=id.get_untracked() />
        {page}
    }
}

/// `/tasks/:id/edit`.
#[component]
pub fn EditTaskPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_task);
    let save = server_action::<SaveTask>();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    let page = move || {
        Suspend::new(async move {
            let TaskDetails {
                task,
                people,
                can_edit,
                ..
            } = details.await?;
            may_edit(can_edit)?;
            let failed = error.get_untracked();
            let version = match &failed {
                Some(AppError::StaleEdit(stale)) => stale.version,
                _ => task.version,
            };
            let initial = task.input();
            let done = typed_or(failed.as_ref(), "done", &initial.done);
            let general = general_error(error);
            Ok::<_, AppError>(view! {
                <FormHeading kind=RecordKind::Task record=Some((task.id, task.title.clone())) />
                <ActionForm action=save attr:class="record-form">
                    <IdempotencyField action=save />
                    <FormAlert error=general />
                    <StaleEditNotice error labels=RecordKind::Task.fields() />
                    <input type="hidden" name="id" value=task.id.to_string() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <input type="hidden" name="contact" value=initial.contact.clone() />
                    <input type="hidden" name="company" value=initial.company.clone() />
                    <TaskFields form="task" initial=initial.clone() people error />
                    <div class="field checkbox">
                        <input id="task-done" type="checkbox" name="done" value="1" checked=!done.is_empty() />
                        <label for="task-done">"Done"</label>
                    </div>
                    <div class="actions">
                        <button type="submit" class="primary">"Save"</button>
                        <a href=RecordKind::Task.path(task.id)>"Cancel"</a>
                    </div>
                </ActionForm>
            })
        })
    };
    view! {
        <LiveRecord kind=RecordKind::Task id=id.get_untracked() editing=true />
        {page}
    }
}
