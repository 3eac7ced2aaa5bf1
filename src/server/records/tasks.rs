//! Tasks beyond their form: the lists (`/tasks`, a record's open tasks) and "Mark done".

use crate::domain::{
    ChangeAction, FieldChange, RecordKind, Role, TaskList, TaskQuery, TaskState, TaskView,
    TASKS_PAGE,
};
use crate::error::AppError;
use crate::server::auth::session;
use crate::server::db::{CurrentUser, Db, TaskFilter};

/// Tasks due within this many days count as "due this week".
const WEEK: i64 = 7 * 86_400;

/// A page of `/tasks` as its URL describes it (the viewer's own open tasks by default).
/// Values that make no sense are ignored, so an edited link still shows a list.
pub async fn list(db: &Db, user: &CurrentUser, query: &TaskQuery) -> Result<TaskList, AppError> {
    list_page(db, user, query, TASKS_PAGE).await
}

/// As [`list`], `limit` tasks a page (the API's page sizes).
pub async fn list_page(
    db: &Db,
    user: &CurrentUser,
    query: &TaskQuery,
    limit: u32,
) -> Result<TaskList, AppError> {
    let now = session::now();
    let assignee = match query.assignee.as_str() {
        "" | "me" => Some(user.id),
        "anyone" => None,
        id => Some(id.parse().unwrap_or(user.id)),
    };
    let open = query.state() == TaskState::Open;
    let due_before = match query.due.as_str() {
        "overdue" => Some(now),
        "week" => Some(now + WEEK),
        _ => None,
    };
    let filter = TaskFilter {
        assignee,
        open,
        due_before,
        ..Default::default()
    };
    let after = query
        .after
        .split_once('.')
        .and_then(|(key, id)| Some((key.parse().ok()?, id.parse().ok()?)));
    let people = people(db, user).await?;
    read(db, user, filter, after, limit, people).await
}

/// Tasks on the home page (the rest are on `/tasks`).
const HOME_TASKS: u32 = 10;

/// The user's first open tasks that are overdue or due by the end of today (UTC); `next` is set
/// when there are more.
pub async fn due_today(db: &Db, user: &CurrentUser) -> Result<TaskList, AppError> {
    let now = session::now();
    let end_of_day = now - now.rem_euclid(86_400) + 86_400;
    let filter = TaskFilter {
        assignee: Some(user.id),
        open: true,
        due_before: Some(end_of_day),
        ..Default::default()
    };
    // No "Add task" on the home page: nobody to offer as assignee.
    read(db, user, filter, None, HOME_TASKS, Vec::new()).await
}

/// The people tasks can be assigned to: the active users, the viewer always among them (the
/// shared list may not know yet of someone made active by another process a moment ago, and
/// "Assignee" starts at the viewer).
pub async fn people(db: &Db, user: &CurrentUser) -> Result<Vec<(i64, String)>, AppError> {
    let mut people = db.owners().await?.to_vec();
    if !people.iter().any(|(id, _)| *id == user.id) {
        people.push((user.id, user.name.clone()));
    }
    Ok(people)
}

/// Up to `limit` tasks of `filter` after `after`, as `user` sees them; `next` is set when there
/// are more.
async fn read(
    db: &Db,
    user: &CurrentUser,
    filter: TaskFilter,
    after: Option<(i64, i64)>,
    limit: u32,
    people: Vec<(i64, String)>,
) -> Result<TaskList, AppError> {
    let mut tasks = db.tasks(filter, after, limit + 1).await?;
    let more = tasks.len() > limit as usize;
    tasks.truncate(limit as usize);
    Ok(TaskList {
        next: more.then(|| tasks.last().map(cursor)).flatten(),
        tasks,
        now: session::now(),
        can_edit: user.role.allows(Role::Member),
        me: user.id,
        people,
    })
}

/// Where the page after `task` starts.
fn cursor(task: &TaskView) -> String {
    format!("{}.{}", task.due.map_or(i64::MAX, |d| d.at), task.id)
}

/// The open tasks of a contact or a company (the first page of them, in due order).
pub async fn of_record(
    db: &Db,
    user: &CurrentUser,
    kind: RecordKind,
    id: i64,
) -> Result<TaskList, AppError> {
    let mut filter = TaskFilter {
        open: true,
        ..Default::default()
    };
    match kind {
        RecordKind::Contact => filter.contact = Some(id),
        RecordKind::Company => filter.company = Some(id),
        _ => return Err(AppError::NotFound),
    }
    let people = people(db, user).await?;
    read(db, user, filter, None, TASKS_PAGE, people).await
}

/// Marks a task done, or open again, and records that in its history in the same transaction.
/// Doing what is already done changes nothing.
pub async fn set_done(db: &Db, user: &CurrentUser, id: i64, done: bool) -> Result<(), AppError> {
    let now = session::now();
    db.atomically(|db| async move {
        if db.task(id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        if db.set_task_done(id, done, user.id, now).await? {
            let (old, new) = if done { ("No", "Yes") } else { ("Yes", "No") };
            let change = FieldChange {
                field: "done".into(),
                old: old.into(),
                new: new.into(),
            };
            db.record_change(
                RecordKind::Task,
                id,
                ChangeAction::Edit,
                user.id,
                now,
                &[change],
            )
            .await?;
            tracing::info!(user = user.id, id, done, "task marked");
        }
        Ok(())
    })
    .await
}
