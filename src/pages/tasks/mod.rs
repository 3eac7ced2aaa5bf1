//! Tasks: `/tasks` ("My tasks" by default, filtered by assignee, open or done, overdue or due
//! this week), a record's open tasks on its page, a task's own page with its history, and its
//! edit page. "Mark done" is one button (one plain form). Viewers read only.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

use crate::components::flash::server_action;
use crate::components::form::{
    field_error, general_error, set_status_for, typed_or, Field, FormAlert, IdempotencyField,
    SelectField,
};
use crate::components::records::{owner_options, RESULTS_ID};
use crate::domain::{RecordKind, TaskInput, TaskList, TaskQuery, TaskView, TASKS_PAGE};
use crate::error::AppError;
use crate::pages::live::LiveList;
use crate::pages::trash::UndoDelete;

mod page;

pub use page::{EditTaskPage, TaskPage};

#[server(endpoint = "tasks/list")]
pub async fn list_tasks(query: TaskQuery) -> Result<TaskList, AppError> {
    use crate::server::{context, records};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        records::tasks::list(&context::db()?, &user, &query).await
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "tasks/save")]
pub async fn save_task(
    id: String,
    version: String,
    title: String,
    due_date: String,
    due_time: String,
    assignee: String,
    contact: String,
    company: String,
    done: Option<String>,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{context, records};
    let input = TaskInput {
        title,
        due_date,
        due_time,
        assignee,
        contact,
        company,
        done: done.unwrap_or_default(),
    };
    context::respond(records::submit(&id, &version, idempotency_key, input).await)
}

/// Marks a task done (or open again) and goes back to `back`, the page the button was on.
#[server(endpoint = "tasks/done")]
pub async fn mark_task(
    id: i64,
    done: bool,
    back: String,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{context, idempotency, records};
    let result: Result<(), AppError> = async {
        let user = context::require_role(Role::Member)?;
        let db = context::db()?;
        idempotency::once(&db, &user, idempotency_key, &(id, done), |db| {
            let user = &user;
            async move { records::tasks::set_done(&db, user, id, done).await }
        })
        .await?;
        context::redirect(&crate::pages::safe_next(Some(&back)));
        Ok(())
    }
    .await;
    context::respond(result)
}

/// A task and what its page needs around it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaskDetails {
    pub task: TaskView,
    pub people: Vec<(i64, String)>,
    pub can_edit: bool,
    pub now: i64,
}

#[server(endpoint = "tasks/get")]
pub async fn get_task(id: i64) -> Result<TaskDetails, AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        Ok(TaskDetails {
            task: db.task(id).await?.ok_or(AppError::NotFound)?,
            people: crate::server::records::tasks::people(&db, &user).await?,
            can_edit: user.role.allows(Role::Member),
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

/// The open tasks of a contact or a company.
#[server(endpoint = "tasks/of-record")]
pub async fn record_tasks(kind: RecordKind, id: i64) -> Result<TaskList, AppError> {
    use crate::server::{context, records};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        records::tasks::of_record(&context::db()?, &user, kind, id).await
    }
    .await;
    context::respond(result)
}

/// The page the user is on, to come back to after "Mark done".
pub(super) fn here() -> String {
    let location = use_location();
    let search = location.search.get_untracked();
    let path = location.pathname.get_untracked();
    if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    }
}

/// A list of tasks: title, due (overdue ones marked), assignee, what it is about, and "Mark
/// done" / "Reopen" for those who may.
pub fn task_table(list: &TaskList, caption: &'static str) -> impl IntoView {
    if list.tasks.is_empty() {
        return view! { <p class="empty">"No tasks."</p> }.into_any();
    }
    let back = here();
    let rows = list
        .tasks
        .iter()
        .map(|task| {
            let overdue = task.is_overdue(list.now);
            let due = task.due.map(|d| d.describe()).unwrap_or_default();
            let about = task
                .contact
                .clone()
                .map(|(id, name)| view! { <a href=RecordKind::Contact.path(id)>{name}</a> }.into_any())
                .or_else(|| {
                    task.company.clone().map(|(id, name)| {
                        view! { <a href=RecordKind::Company.path(id)>{name}</a> }.into_any()
                    })
                });
            let action = list
                .can_edit
                .then(|| view! { <MarkTask task=task.clone() back=back.clone() /> });
            view! {
                <tr class:overdue=overdue class:done=task.done_at.is_some()>
                    <td data-label="Task"><a href=RecordKind::Task.path(task.id)>{task.title.clone()}</a></td>
                    <td data-label="Due">
                        {due}
                        {overdue.then(|| view! { " " <strong class="overdue-label">"Overdue"</strong> })}
                    </td>
                    <td data-label="Assignee">{task.assignee.clone().map(|a| a.1)}</td>
                    <td data-label="About">{about}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="records stack tasks">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Task"</th>
                    <th scope="col">"Due"</th>
                    <th scope="col">"Assignee"</th>
                    <th scope="col">"About"</th>
                    <th scope="col"><span class="visually-hidden">"Action"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// "Mark done" (or "Reopen"): one button, one plain form.
#[component]
pub(super) fn MarkTask(task: TaskView, back: String) -> impl IntoView {
    let mark = server_action::<MarkTask>();
    let done = task.done_at.is_none();
    let (text, label) = if done {
        ("Mark done", format!("Mark done: {}", task.title))
    } else {
        ("Reopen", format!("Reopen: {}", task.title))
    };
    view! {
        <ActionForm action=mark attr:class="inline">
            <IdempotencyField action=mark />
            <input type="hidden" name="id" value=task.id.to_string() />
            <input type="hidden" name="done" value=done.to_string() />
            <input type="hidden" name="back" value=back />
            <button type="submit" aria-label=label>{text}</button>
        </ActionForm>
    }
}

/// The task form's fields: title, due date and time, assignee (plus what the caller adds).
#[component]
pub(super) fn TaskFields(
    form: &'static str,
    initial: TaskInput,
    people: Vec<(i64, String)>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let failed = error.get_untracked();
    let value = move |name: &str, fallback: &str| typed_or(failed.as_ref(), name, fallback);
    let field = move |name: &'static str| field_error(error, name);
    view! {
        <div class="grid">
            <Field form name="title" label="Title" value=value("title", &initial.title) error=field("title") required=true />
            <Field form name="due_date" label="Due date" kind="date" value=value("due_date", &initial.due_date) error=field("due_date") />
            <Field form name="due_time" label="Due time (UTC)" kind="time" value=value("due_time", &initial.due_time) error=field("due_time") hint="Leave empty for the end of the day." />
            <SelectField form name="assignee" label="Assignee" options=owner_options(&people, "Nobody") selected=value("assignee", &initial.assignee) error=field("assignee") />
        </div>
    }
}

/// "Add task": a short plain form for a new task, about `contact` or `company` if given.
#[component]
fn NewTask(
    people: Vec<(i64, String)>,
    me: i64,
    #[prop(optional)] contact: Option<i64>,
    #[prop(optional)] company: Option<i64>,
) -> impl IntoView {
    let save = server_action::<SaveTask>();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    let general = general_error(error);
    let initial = TaskInput {
        assignee: me.to_string(),
        ..Default::default()
    };
    view! {
        <ActionForm action=save attr:class="log-activity" attr:aria-label="Add task">
            <IdempotencyField action=save />
            <FormAlert error=general />
            <input type="hidden" name="id" value="" />
            <input type="hidden" name="version" value="0" />
            <input type="hidden" name="contact" value=contact.map(|id| id.to_string()).unwrap_or_default() />
            <input type="hidden" name="company" value=company.map(|id| id.to_string()).unwrap_or_default() />
            <TaskFields form="new-task" initial people error />
            <button type="submit" class="primary">"Add task"</button>
        </ActionForm>
    }
}

/// A contact's or company's "Tasks" section: its open tasks and "Add task".
#[component]
pub fn RecordTasks(kind: RecordKind, id: i64, list: TaskList) -> impl IntoView {
    let saved = use_query_map().read_untracked().get("task").is_some();
    let (contact, company) = match kind {
        RecordKind::Contact => (Some(id), None),
        _ => (None, Some(id)),
    };
    let form = list.can_edit.then(|| {
        let people = list.people.clone();
        let me = list.me;
        match (contact, company) {
            (Some(contact), _) => view! { <NewTask people me contact /> }.into_any(),
            (_, Some(company)) => view! { <NewTask people me company /> }.into_any(),
            _ => ().into_any(),
        }
    });
    view! {
        <section aria-labelledby="tasks" class="tasks">
            <h2 id="tasks">"Open tasks"</h2>
            {saved.then(|| view! { <p role="status" class="flash">"Task saved."</p> })}
            {task_table(&list, "Open tasks")}
            {list.next.is_some().then(|| view! { <p>{format!("The first {TASKS_PAGE} open tasks, in due order, are shown.")}</p> })}
            {form}
        </section>
    }
}

/// `/tasks`.
#[component]
pub fn TasksPage() -> impl IntoView {
    let query = {
        let q = use_query_map();
        let q = q.read_untracked();
        TaskQuery {
            assignee: q.get("assignee").unwrap_or_default(),
            state: q.get("state").unwrap_or_default(),
            due: q.get("due").unwrap_or_default(),
            after: q.get("after").unwrap_or_default(),
        }
    };
    let saved = use_query_map().read_untracked().get("saved").is_some();
    let page = move || {
        let query = query.clone();
        Suspend::new(async move {
            let list = list_tasks(query.clone()).await?;
            let people = std::iter::once(("me".to_owned(), "Me".to_owned()))
                .chain(std::iter::once(("anyone".to_owned(), "Anyone".to_owned())))
                .chain(
                    list.people
                        .iter()
                        .map(|(id, name)| (id.to_string(), name.clone())),
                )
                .collect::<Vec<_>>();
            let states = [("open", "Open"), ("done", "Done")]
                .map(|(v, l)| (v.to_owned(), l.to_owned()))
                .to_vec();
            let dues = [
                ("", "Any time"),
                ("overdue", "Overdue"),
                ("week", "Due this week"),
            ]
            .map(|(v, l)| (v.to_owned(), l.to_owned()))
            .to_vec();
            let next = list
                .next
                .clone()
                .map(|after| query.href(RecordKind::Task.list_path(), &after));
            let form = list
                .can_edit
                .then(|| view! { <NewTask people=list.people.clone() me=list.me /> });
            let assignee = if query.assignee.is_empty() {
                "me".to_owned()
            } else {
                query.assignee.clone()
            };
            Ok::<_, AppError>(view! {
                <form method="get" action=RecordKind::Task.list_path() class="filters" role="search">
                    <SelectField form="filter" name="assignee" label="Assignee" options=people selected=assignee />
                    <SelectField form="filter" name="state" label="State" options=states selected=query.state.clone() />
                    <SelectField form="filter" name="due" label="Due" options=dues selected=query.due.clone() />
                    <button type="submit">"Apply"</button>
                </form>
                // "Refresh" (live updates) replaces what is inside.
                <div id=RESULTS_ID>
                    {task_table(&list, "Tasks")}
                    {next.map(|href| view! { <nav class="pager" aria-label="Pages"><a href=href rel="next">"Next"</a></nav> })}
                </div>
                {form.map(|form| view! { <h2>"New task"</h2> {form} })}
            })
        })
    };
    view! {
        <Title text="Tasks" />
        <h1>"Tasks"</h1>
        {saved.then(|| view! { <p role="status" class="flash">"Task saved."</p> })}
        <UndoDelete kind=RecordKind::Task />
        <LiveList kind=RecordKind::Task />
        {page}
    }
}
