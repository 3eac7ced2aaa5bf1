//! Pieces shared by the record pages: sortable column headings, the pager, the list's search and
//! page-size controls, the stale-edit comparison.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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

/// The id of the element around a list's results, which the search box replaces as you type.
pub const RESULTS_ID: &str = "list-results";

/// The "Search" box of a list, an island. Without JavaScript it is part of a GET form; with it,
/// typing updates the list after a short pause: the island fetches the list page for the new
/// search (plain HTML, as a link would) and swaps its results (`#list-results`) into this page,
/// and the URL follows, replacing the history entry. There is no client-side router in islands
/// mode, so this replaces `use_navigate`.
#[island]
pub fn SearchBox(path: String, value: String, placeholder: String) -> impl IntoView {
    // The pending update, if the user is still typing; a newer search wins over an older one
    // still loading.
    // (Not `StoredValue::new_local`: the island also runs on the server, where the page's owner
    // is dropped on another thread, and a local value's drop there panics.)
    let pending = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let generation = StoredValue::new(0u32);
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Some(handle) = pending.try_update_value(|p| p.take()).flatten() {
            handle.clear();
        }
        let path = path.clone();
        let handle = leptos::leptos_dom::helpers::set_timeout_with_handle(
            move || {
                let n = generation.try_update_value(|n| {
                    *n += 1;
                    *n
                });
                let Some(n) = n else { return };
                let href = browser_href(
                    &ListQuery {
                        q: text.clone(),
                        ..current_list_query().first_page()
                    },
                    &path,
                );
                leptos::task::spawn_local(async move {
                    let html = fetch_text(&href).await;
                    if generation.try_get_value() != Some(n) {
                        return; // a newer search is on its way
                    }
                    // Anything but the list's results (an error page, the sign-in page after the
                    // session ended, no answer) is shown as the server sent it: a page load.
                    if !html.is_some_and(|html| swap_results(&html, &href)) {
                        open(&href);
                    }
                });
            },
            std::time::Duration::from_millis(300),
        )
        .ok();
        pending.set_value(handle);
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
                on:input=on_input
            />
        </div>
    }
}

/// The list state in the browser's address (there is no router in the browser).
fn current_list_query() -> ListQuery {
    #[cfg(feature = "hydrate")]
    {
        // The browser parses the address (as `form_urlencoded` does on the server), so that
        // crate stays out of the WASM bundle.
        let params = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok());
        ListQuery::from_lookup(|key| params.as_ref().and_then(|p| p.get(key)))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        ListQuery::default()
    }
}

/// [`ListQuery::href`] in the browser: the same link, URL-encoded by the browser
/// (`URLSearchParams` follows the same WHATWG rules as `form_urlencoded`).
#[cfg(feature = "hydrate")]
fn browser_href(query: &ListQuery, path: &str) -> String {
    let Ok(params) = web_sys::UrlSearchParams::new() else {
        return path.to_owned();
    };
    for (key, value) in query.pairs() {
        params.append(key, value);
    }
    ListQuery::link(path, params.to_string().into())
}

#[cfg(not(feature = "hydrate"))]
fn browser_href(query: &ListQuery, path: &str) -> String {
    query.href(path)
}

#[cfg(feature = "hydrate")]
async fn fetch_text(href: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(href))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !response.ok() || response.redirected() {
        return None;
    }
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}

#[cfg(not(feature = "hydrate"))]
async fn fetch_text(_href: &str) -> Option<String> {
    None
}

/// Puts the results of the fetched page in place of this page's, and its address in the bar.
/// Whether it did: false when the fetched page has no results (an error page, say).
#[cfg(feature = "hydrate")]
fn swap_results(html: &str, href: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Some(document) = window.document() else {
        return false;
    };
    let Ok(parser) = web_sys::DomParser::new() else {
        return false;
    };
    let Ok(fetched) = parser.parse_from_string(html, web_sys::SupportedType::TextHtml) else {
        return false;
    };
    let (Some(new), Some(old)) = (
        fetched.get_element_by_id(RESULTS_ID),
        document.get_element_by_id(RESULTS_ID),
    ) else {
        return false;
    };
    // The count ("12 contacts match") is a live region: it must stay the same element, with new
    // text, for screen readers to announce the change.
    let live = old.query_selector("[aria-live]").ok().flatten();
    old.set_inner_html(&new.inner_html());
    if let (Some(live), Some(fresh)) = (live, old.query_selector("[aria-live]").ok().flatten()) {
        live.set_text_content(fresh.text_content().as_deref());
        let _ = fresh.replace_with_with_node_1(&live);
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
    }
    true
}

#[cfg(not(feature = "hydrate"))]
fn swap_results(_html: &str, _href: &str) -> bool {
    false
}

/// Loads `href` as a page.
#[cfg(feature = "hydrate")]
fn open(href: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(href);
    }
}

#[cfg(not(feature = "hydrate"))]
fn open(_href: &str) {}

/// Fetches this page again and puts its fresh results in place (the filters, the scroll position
/// and the focus stay); whether it could.
pub(crate) async fn refresh_results() -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(href) = web_sys::window().and_then(|w| w.location().href().ok()) else {
            return false;
        };
        fetch_text(&href)
            .await
            .is_some_and(|html| swap_results(&html, &href))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Loads this page again.
pub(crate) fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
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
