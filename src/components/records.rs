//! Pieces shared by the record pages: sortable column headings, the pager, the list's search and
//! page-size controls, the stale-edit comparison.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::domain::{ListQuery, PAGE_SIZES};
use crate::error::AppError;

/// The options of an "Owner" select: nobody (labelled `none_label`), then each person.
pub fn owner_options(owners: &[(i64, String)], none_label: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), none_label.to_owned()))
        .chain(
            owners
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone())),
        )
        .collect()
}

/// The record id in the current path (`/contacts/:id…`), if it is a number.
pub fn use_id_param() -> Memo<Option<i64>> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()))
}

/// The list state in the current URL.
pub fn use_list_query() -> Memo<ListQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        let params = params.read();
        ListQuery::from_lookup(|key| params.get(key))
    })
}

/// A column heading that sorts the list by `column` (toggling the direction when it already does).
/// Its explicit role, like those of the list tables' other parts, keeps the table a table for
/// assistive technology when a phone's layout stacks the rows into cards (`table.stack` in
/// style/main.css: some browsers drop table semantics when CSS changes `display`); on a phone the
/// sortable headings stay visible as a row of "Sort by" links.
#[component]
pub fn SortHeader(
    query: ListQuery,
    path: &'static str,
    column: &'static str,
    default_column: &'static str,
    label: &'static str,
) -> impl IntoView {
    let current = if query.sort.is_empty() {
        default_column
    } else {
        query.sort.as_str()
    };
    let sorted = (current == column).then(|| {
        if query.descending() {
            "descending"
        } else {
            "ascending"
        }
    });
    let href = query.sorted_by(column, default_column).href(path);
    let arrow = match sorted {
        Some("ascending") => " ▲",
        Some(_) => " ▼",
        None => "",
    };
    view! {
        <th scope="col" role="columnheader" class="sortable" aria-sort=sorted>
            <a href=href>{label}<span aria-hidden="true">{arrow}</span></a>
        </th>
    }
}

/// "Previous" / "Next" links between pages, and back to the first.
#[component]
pub fn Pager(
    query: ListQuery,
    path: &'static str,
    next: Option<String>,
    prev: Option<String>,
) -> impl IntoView {
    let first = (prev.is_some()).then(|| query.first_page().href(path));
    let prev = prev.map(|cursor| query.with_before(&cursor).href(path));
    let next = next.map(|cursor| query.with_after(&cursor).href(path));
    (first.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {first.map(|href| view! { <a href=href>"First page"</a> })}
                {prev.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
                {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
            </nav>
        }
    })
}

/// The "Search" box of a list. Without JavaScript it is part of a GET form; with it, typing
/// updates the list after a short pause (the URL follows, replacing the history entry).
#[component]
pub fn SearchBox(path: &'static str, value: String, placeholder: &'static str) -> impl IntoView {
    let query = use_list_query();
    let navigate = use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    // A link that changes the search (say "Clear the search") shows in the box, unless the user
    // is typing in it.
    Effect::new(move |_| {
        let q = query.get().q;
        if let Some(input) = input.get() {
            if !input.matches(":focus").unwrap_or(false) && input.value() != q {
                input.set_value(&q);
            }
        }
    });
    // The pending update, if the user is still typing. It is cancelled when the page goes away
    // (or the form is submitted), so it never touches a page that no longer exists.
    let pending = std::sync::Arc::new(std::sync::Mutex::new(
        None::<leptos::leptos_dom::helpers::TimeoutHandle>,
    ));
    let cancel = {
        let pending = pending.clone();
        move || {
            if let Some(handle) = pending.lock().ok().and_then(|mut p| p.take()) {
                handle.clear();
            }
        }
    };
    on_cleanup(cancel.clone());
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        cancel();
        let navigate = navigate.clone();
        let handle = leptos::leptos_dom::helpers::set_timeout_with_handle(
            move || {
                let Some(current) = query.try_get_untracked() else {
                    return;
                };
                let next = ListQuery {
                    q: text.clone(),
                    ..current.first_page()
                };
                navigate(
                    &next.href(path),
                    NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    },
                );
            },
            std::time::Duration::from_millis(300),
        )
        .ok();
        if let Ok(mut pending) = pending.lock() {
            *pending = handle;
        }
    };
    view! {
        <div class="field search">
            <label for="list-search">"Search"</label>
            <input
                id="list-search"
                name="q"
                type="search"
                value=value
                placeholder=placeholder
                autocomplete="off"
                node_ref=input
                on:input=on_input
            />
        </div>
    }
}

/// How many rows a page shows.
#[component]
pub fn PageSizeSelect(per: u32) -> impl IntoView {
    view! {
        <div class="field">
            <label for="list-per">"Per page"</label>
            <select id="list-per" name="per">
                {PAGE_SIZES
                    .iter()
                    .map(|n| {
                        view! {
                            <option value=n.to_string() selected=*n == per>
                                {n.to_string()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// After a stale save: who changed the record and when, and their values beside the user's.
#[component]
pub fn StaleEditNotice(
    error: Signal<Option<AppError>>,
    labels: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    move || {
        let Some(AppError::StaleEdit(stale)) = error.get() else {
            return None;
        };
        let rows = labels
            .iter()
            .filter_map(|(name, label)| {
                let find = |values: &[(String, String)]| {
                    values
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                let (theirs, yours) = (find(&stale.theirs), find(&stale.yours));
                (theirs.trim() != yours.trim()).then(|| {
                    view! {
                        <tr>
                            <th scope="row">{*label}</th>
                            <td>{theirs}</td>
                            <td>{yours}</td>
                        </tr>
                    }
                })
            })
            .collect_view();
        Some(view! {
            <div class="form-alert conflict" role="alert">
                <p>
                    <strong>{AppError::StaleEdit(stale.clone()).to_string()}</strong>
                    " Nothing was saved. Your values are still in the form; their values are beside yours below. Save again to keep yours."
                </p>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Field"</th>
                            <th scope="col">"Their value"</th>
                            <th scope="col">"Your value"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })
    }
}
