//! The chrome every record kind shares, so that a kind's pages hold only its fields: the list's
//! results (count, "New …", table head, empty state, pager), the record page's flash, actions and
//! time stamps, and the headings of its forms.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::form::set_status_for;
use crate::components::records::{Pager, SortHeader};
use crate::components::rows::Rows;
use crate::domain::{ago, full_time, iso_time, ListQuery, RecordKind, Stamp, Total};
use crate::error::AppError;

/// A column of a record table: its heading, and the sort it offers.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub label: &'static str,
    pub sort: Option<&'static str>,
}

impl Column {
    pub const fn plain(label: &'static str) -> Self {
        Column { label, sort: None }
    }

    pub const fn sorted(label: &'static str, sort: &'static str) -> Self {
        Column {
            label,
            sort: Some(sort),
        }
    }
}

/// What a list page shows below its filters: the count (a live region: the search box replaces it
/// as the user types), "New …" for those who may add, `chip` (an extra filter to remove), then the
/// table of `rows` or, with none, why there are none, and the pager.
pub struct ListResults {
    pub kind: RecordKind,
    pub query: ListQuery,
    pub total: Total,
    pub next: Option<String>,
    pub prev: Option<String>,
    pub can_edit: bool,
    pub columns: &'static [Column],
    pub rows: Rows,
    pub chip: Option<AnyView>,
}

impl ListResults {
    pub fn view(self) -> impl IntoView {
        let ListResults {
            kind,
            query: q,
            total,
            next,
            prev,
            can_edit,
            columns,
            rows,
            chip,
        } = self;
        let path = kind.list_path();
        let new_label = format!("New {}", kind.as_str());
        let new_button = can_edit.then(|| {
            view! { <a class="button primary" href=kind.new_path()>{new_label.clone()}</a> }
        });
        // Every row of this view (its search, filters and sort), every page of it.
        let export = kind.export_path().filter(|_| !rows.is_empty()).map(|path| {
            let whole = ListQuery {
                per: String::new(),
                ..q.first_page()
            };
            view! { <a class="button" href=whole.href(path) download>"Export CSV"</a> }
        });
        let import = (can_edit && kind.export_path().is_some())
            .then(|| view! { <a class="button" href=crate::paths::IMPORT>"Import CSV"</a> });
        let mut summary = total.describe(kind.as_str(), kind.plural());
        if q.sort_column() == "newest" {
            summary.push_str(", newest first");
        }
        let body = if rows.is_empty() {
            let text = if q.is_filtered() {
                format!("No {} match.", kind.plural())
            } else {
                format!("No {} yet.", kind.plural())
            };
            let next_step = if q.is_filtered() {
                Some(view! { <p><a href=path>"Clear the search and filters"</a></p> }.into_any())
            } else {
                can_edit.then(|| {
                    view! { <p><a class="button primary" href=kind.new_path()>{new_label}</a></p> }
                        .into_any()
                })
            };
            view! {
                <div class="empty">
                    <p>{text}</p>
                    {next_step}
                </div>
            }
            .into_any()
        } else {
            let default_column = q.default_sort();
            let headings = columns
                .iter()
                .map(|column| match column.sort {
                    Some(sort) => view! {
                        <SortHeader query=q.clone() path column=sort default_column label=column.label />
                    }
                    .into_any(),
                    None => view! { <th scope="col" role="columnheader">{column.label}</th> }.into_any(),
                })
                .collect_view();
            view! {
                <table class="records stack" role="table">
                    <caption class="visually-hidden">{kind.title()}</caption>
                    <thead role="rowgroup">
                        <tr role="row">{headings}</tr>
                    </thead>
                    <tbody role="rowgroup" inner_html=rows.into_html()></tbody>
                </table>
            }
            .into_any()
        };
        view! {
            <div class="list-head">
                <p class="count" aria-live="polite">{summary}</p>
                <div class="list-actions">{export}{import}{new_button}</div>
            </div>
            {chip}
            {body}
            <Pager query=q path next prev />
        }
    }
}

/// For a page only those who may edit may open: a viewer gets "forbidden" (and its status).
pub fn may_edit(can_edit: bool) -> Result<(), AppError> {
    if can_edit {
        Ok(())
    } else {
        set_status_for(Some(&AppError::Forbidden));
        Err(AppError::Forbidden)
    }
}

/// The flash a record page shows after its record was saved or restored (`?saved`, `?restored`).
#[component]
pub fn RecordFlash(kind: RecordKind) -> impl IntoView {
    let params = use_query_map();
    let params = params.read_untracked();
    let text = if params.get("saved").is_some() {
        Some(format!("{} saved.", kind.label()))
    } else if params.get("restored").is_some() {
        Some(format!("{} restored from the trash.", kind.label()))
    } else {
        None
    };
    text.map(|text| view! { <p role="status" class="flash">{text}</p> })
}

/// A record page's title, breadcrumb and heading, with "Edit" and "Delete" for those who may.
#[component]
pub fn RecordHeading(kind: RecordKind, id: i64, name: String, can_edit: bool) -> impl IntoView {
    let controls = can_edit.then(|| {
        view! {
            <div class="actions">
                <a class="button" href=kind.edit_path(id)>"Edit"</a>
                <form method="get" action=kind.delete_path(id)>
                    <button type="submit" class="danger">"Delete"</button>
                </form>
            </div>
        }
    });
    view! {
        <Title text=name.clone() />
        <p class="breadcrumb"><a href=kind.list_path()>{kind.title()}</a></p>
        <h1>{name}</h1>
        {controls}
    }
}

/// "Created" and "Updated" of a record's details list (inside its `<dl>`).
#[component]
pub fn Stamps(created: Stamp, updated: Stamp, now: i64) -> impl IntoView {
    view! {
        <dt>"Created"</dt><dd><When at=created.at now /> " by " {created.by}</dd>
        <dt>"Updated"</dt><dd><When at=updated.at now /> " by " {updated.by}</dd>
    }
}

/// A moment in the viewer's words ("3 hours ago"), in full on hover and for machines.
#[component]
pub fn When(at: i64, now: i64) -> impl IntoView {
    view! { <time datetime=iso_time(at) title=full_time(at)>{ago(now - at)}</time> }
}

/// The title, breadcrumb and heading of a record's form: "New contact", or "Edit Ann Lee" under
/// a link back to her page.
#[component]
pub fn FormHeading(kind: RecordKind, record: Option<(i64, String)>) -> impl IntoView {
    let list = view! { <a href=kind.list_path()>{kind.title()}</a> };
    match record {
        None => {
            let title = format!("New {}", kind.as_str());
            view! {
                <Title text=title.clone() />
                <p class="breadcrumb">{list}</p>
                <h1>{title}</h1>
            }
            .into_any()
        }
        Some((id, name)) => view! {
            <Title text=format!("Edit {name}") />
            <p class="breadcrumb">{list} " › " <a href=kind.path(id)>{name.clone()}</a></p>
            <h1>"Edit " {name}</h1>
        }
        .into_any(),
    }
}
