//! The change history: a record's, on its page ("History"), and the whole workspace's for admins
//! at `/admin/history`, filterable by user and record kind. Read only: nothing here changes it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use maud::{html, Markup};

use crate::components::form::SelectField;
use crate::components::records::owner_options;
use crate::components::rows::{when, Rows};
use crate::domain::{Change, ChangeAction, HistoryPage, RecordKind};
use crate::error::AppError;
use crate::paths;

/// One page of a record's history, newest first, older than the change `before`.
#[server(endpoint = "records/history")]
pub async fn record_history(
    kind: RecordKind,
    id: i64,
    before: Option<i64>,
) -> Result<HistoryPage, AppError> {
    use crate::server::{context, db::HistoryFilter, records};
    let result: Result<_, AppError> = async {
        context::require_user()?;
        let filter = HistoryFilter {
            record: Some((kind, id)),
            ..Default::default()
        };
        records::history(&context::db()?, filter, before).await
    }
    .await;
    context::respond(result)
}

/// What the workspace's history page shows: a page of changes, and the people to filter by.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryWithUsers {
    pub page: HistoryPage,
    pub users: Vec<(i64, String)>,
}

/// One page of the whole workspace's history (admins only).
#[server(endpoint = "admin/history")]
pub async fn workspace_history(
    user: Option<i64>,
    kind: Option<RecordKind>,
    before: Option<i64>,
) -> Result<HistoryWithUsers, AppError> {
    use crate::domain::Role;
    use crate::server::{context, db::HistoryFilter, records};
    let result: Result<_, AppError> = async {
        context::require_role(Role::Admin)?;
        let db = context::db()?;
        let filter = HistoryFilter {
            record: None,
            kind,
            user,
        };
        let users = db
            .list_users()
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        Ok(HistoryWithUsers {
            page: records::history(&db, filter, before).await?,
            users,
        })
    }
    .await;
    context::respond(result)
}

/// A record's "History" section: a page of its changes (newest first, paged with
/// `?history=<before>`), loaded with the page (`record::Sections`).
#[component]
pub fn RecordHistory(kind: RecordKind, id: i64, page: HistoryPage) -> impl IntoView {
    let older = page
        .older
        .map(|before| format!("{}?history={before}#history", kind.path(id)));
    view! {
        <section aria-labelledby="history" class="history">
            <h2 id="history">"History"</h2>
            {changes(page, older, false)}
        </section>
    }
}

/// The entries of a history page, and the link to older ones. `with_record` names the record of
/// each (the workspace's history), linking to its page. Written with maud (components/rows.rs):
/// a record's page shows a page of them, each with its fields.
fn changes(page: HistoryPage, older: Option<String>, with_record: bool) -> impl IntoView {
    if page.changes.is_empty() {
        return view! { <p class="empty">"No changes yet."</p> }.into_any();
    }
    let entries = Rows::new(&page.changes, |change| entry(change, page.now, with_record));
    view! {
        <ol class="changes" inner_html=entries.into_html()></ol>
        {older.map(|href| view! {
            <nav class="pager" aria-label="Older changes"><a href=href>"Older changes"</a></nav>
        })}
    }
    .into_any()
}

/// A field's value as the history shows it.
fn shown(value: &str) -> &str {
    if value.is_empty() {
        "(empty)"
    } else {
        value
    }
}

fn entry(change: &Change, now: i64, with_record: bool) -> Markup {
    let kind = change.kind;
    let by = if change.by.is_empty() {
        "a former user"
    } else {
        change.by.as_str()
    };
    html! {
        li {
            p {
                strong { (change.action.past()) }
                @if with_record {
                    " " a href=(kind.path(change.record_id)) { (kind.label()) " #" (change.record_id) }
                }
                " by " (by)
                @if let Some(id) = change.import {
                    " (" a href=(crate::paths::import_path(id)) { "import " (id) } ")"
                }
                " · " (when(change.at, now))
            }
            @if !change.fields.is_empty() {
                ul class="fields" {
                    @for f in &change.fields {
                        li {
                            span class="field-name" { (kind.field_label(&f.field)) } ": "
                            // A new record's values, or an edit's old → new.
                            @if change.action != ChangeAction::Create {
                                del { (shown(&f.old)) } " → "
                            }
                            ins { (shown(&f.new)) }
                        }
                    }
                }
            }
        }
    }
}

/// `/admin/history`: every change in the workspace, newest first, by user and kind.
#[component]
pub fn HistoryAdminPage() -> impl IntoView {
    let query = use_query_map();
    let (user, kind, before) = {
        let q = query.read_untracked();
        (
            q.get("user").and_then(|v| v.parse::<i64>().ok()),
            q.get("kind").and_then(|v| v.parse::<RecordKind>().ok()),
            q.get("before").and_then(|v| v.parse::<i64>().ok()),
        )
    };
    let history = Resource::new(
        move || (user, kind, before),
        |(user, kind, before)| workspace_history(user, kind, before),
    );
    let page = move || {
        Suspend::new(async move {
            let HistoryWithUsers { page, users } = history.await?;
            let kinds = std::iter::once((String::new(), "Any kind".to_owned()))
                .chain(
                    RecordKind::ALL
                        .iter()
                        .map(|k| (k.as_str().to_owned(), k.title().to_owned())),
                )
                .collect::<Vec<_>>();
            let older = page.older.map(|before| {
                let mut href = format!("{}?before={before}", paths::ADMIN_HISTORY);
                if let Some(user) = user {
                    href.push_str(&format!("&user={user}"));
                }
                if let Some(kind) = kind {
                    href.push_str(&format!("&kind={}", kind.as_str()));
                }
                href
            });
            Ok::<_, AppError>(view! {
                <form method="get" action=paths::ADMIN_HISTORY class="filters" role="search">
                    <SelectField form="history" name="user" label="User" options=owner_options(&users, "Anyone") selected=user.map(|u| u.to_string()).unwrap_or_default() />
                    <SelectField form="history" name="kind" label="Kind" options=kinds selected=kind.map(|k| k.as_str().to_owned()).unwrap_or_default() />
                    <button type="submit">"Apply"</button>
                </form>
                {changes(page, older, true)}
            })
        })
    };
    view! {
        <Title text="History" />
        <h1>"History"</h1>
        <p>"Every change to the workspace's records, newest first."</p>
        {page}
    }
}
