//! The companies list: search, filters, sort and pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::components::form::SelectField;
use crate::components::records::{
    owner_options, use_list_query, PageSizeSelect, Pager, SearchBox, SortHeader, RESULTS_ID,
};
use crate::domain::{ago, thousands, RecordKind};
use crate::error::AppError;
use crate::pages::trash::UndoDelete;

use super::list_companies;

#[component]
pub fn CompaniesPage() -> impl IntoView {
    let query = use_list_query();
    let list = Resource::new(move || query.get(), list_companies);
    let params = use_query_map();
    let deleted = move || {
        params
            .read()
            .get("deleted")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let filters = Memo::new(move |_| {
        let q = query.get();
        (q.industry, q.owner, q.per, q.sort, q.dir)
    });
    let controls = move || {
        filters.track();
        let q = query.get_untracked();
        view! {
            <Form method="GET" action="/companies" attr:class="filters" attr:role="search">
                <SearchBox path="/companies".to_string() value=q.q.clone() placeholder="Name, domain, industry, city…".to_string() />
                <Transition>
                    {move || Suspend::new(async move {
                        let data = list.await.ok();
                        let q = query.get_untracked();
                        let (owners, industries) = data.map(|d| (d.owners, d.industries)).unwrap_or_default();
                        let industries = std::iter::once((String::new(), "Any industry".to_string()))
                            .chain(industries.into_iter().map(|i| (i.clone(), i)))
                            .collect::<Vec<_>>();
                        view! {
                            <SelectField form="filter" name="industry" label="Industry" options=industries selected=q.industry />
                            <SelectField form="filter" name="owner" label="Owner" options=owner_options(&owners, "Anyone") selected=q.owner />
                        }
                    })}
                </Transition>
                <PageSizeSelect per=q.per_page() />
                <input type="hidden" name="sort" value=q.sort.clone() />
                <input type="hidden" name="dir" value=q.dir.clone() />
                <button type="submit">"Apply"</button>
            </Form>
        }
    };
    let table = move || {
        Suspend::new(async move {
            let data = list.await?;
            let q = query.get_untracked();
            let now = data.now;
            let new_button = data.can_edit.then(|| {
                view! { <a class="button primary" href="/companies/new">"New company"</a> }
            });
            let mut summary = data.page.total.describe("company", "companies");
            if q.sort_column() == "newest" {
                summary.push_str(", newest first");
            }
            let body = if data.page.rows.is_empty() {
                if q.is_filtered() {
                    view! {
                        <div class="empty">
                            <p>"No companies match."</p>
                            <p><a href="/companies">"Clear the search and filters"</a></p>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <div class="empty">
                            <p>"No companies yet."</p>
                            {data.can_edit.then(|| view! { <p><a class="button primary" href="/companies/new">"New company"</a></p> })}
                        </div>
                    }
                    .into_any()
                }
            } else {
                let rows = data
                    .page
                    .rows
                    .into_iter()
                    .map(|row| {
                        view! {
                            <tr role="row">
                                <td role="cell" data-label="Name"><a href=format!("/companies/{}", row.id)>{row.name}</a></td>
                                <td role="cell" data-label="Domain">{row.domain}</td>
                                <td role="cell" data-label="Industry">{row.industry}</td>
                                <td role="cell" data-label="Size" class="number">{row.size.map(|n| thousands(n.unsigned_abs()))}</td>
                                <td role="cell" data-label="City">{row.city}</td>
                                <td role="cell" data-label="Owner">{row.owner_name}</td>
                                <td role="cell" data-label="Updated">{ago(now - row.updated_at)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table class="records stack" role="table">
                        <caption class="visually-hidden">"Companies"</caption>
                        <thead role="rowgroup">
                            <tr role="row">
                                <SortHeader query=q.clone() path="/companies" column="name" default_column=q.default_sort() label="Name" />
                                <SortHeader query=q.clone() path="/companies" column="domain" default_column=q.default_sort() label="Domain" />
                                <th scope="col" role="columnheader">"Industry"</th>
                                <th scope="col" role="columnheader">"Size"</th>
                                <SortHeader query=q.clone() path="/companies" column="city" default_column=q.default_sort() label="City" />
                                <th scope="col" role="columnheader">"Owner"</th>
                                <SortHeader query=q.clone() path="/companies" column="updated" default_column=q.default_sort() label="Updated" />
                            </tr>
                        </thead>
                        <tbody role="rowgroup">{rows}</tbody>
                    </table>
                }
                .into_any()
            };
            Ok::<_, AppError>(view! {
                <div class="list-head">
                    <p class="count" aria-live="polite">{summary}</p>
                    {new_button}
                </div>
                {body}
                <Pager query=q.clone() path="/companies" next=data.page.next prev=data.page.prev />
            })
        })
    };
    view! {
        <Title text="Companies" />
        <h1>"Companies"</h1>
        {move || deleted().map(|id| view! { <UndoDelete kind=RecordKind::Company id /> })}
        {controls}
        // The search box replaces what is inside as the user types.
        <div id=RESULTS_ID>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>{table}</Transition>
        </div>
    }
}
