//! The companies list: search, filters, sort and pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::components::form::SelectField;
use crate::components::records::{
    owner_options, use_list_query, PageSizeSelect, Pager, SearchBox, SortHeader, RESULTS_ID,
};
use crate::components::sync_html::{fixed, SyncHtml};
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
    // The filter form, drawn from the page's address.
    let controls = move || {
        let q = query.get_untracked();
        view! {
            <Form method="GET" action="/companies" attr:class="filters" attr:role="search">
                <SearchBox path="/companies".to_string() value=q.q.clone() placeholder="Name, domain, industry, city…".to_string() />
                {move || Suspend::new(async move {
                    // By reference: only the owners and industries are wanted here, not a copy
                    // of every row.
                    let (owners, industries) = {
                        let data = list.by_ref().await;
                        let data = data.as_ref().ok();
                        let owners = owner_options(data.map(|d| d.owners.as_slice()).unwrap_or_default(), "Anyone");
                        let industries = std::iter::once((String::new(), "Any industry".to_string()))
                            .chain(data.into_iter().flat_map(|d| d.industries.iter().map(|i| (i.clone(), i.clone()))))
                            .collect::<Vec<_>>();
                        (owners, industries)
                    };
                    let q = query.get_untracked();
                    view! {
                        <SelectField form="filter" name="industry" label="Industry" options=industries selected=q.industry />
                        <SelectField form="filter" name="owner" label="Owner" options=owners selected=q.owner />
                    }
                })}
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
                            <tr role=fixed("row")>
                                <td role=fixed("cell") data-label=fixed("Name")><a href=format!("/companies/{}", row.id)>{row.name}</a></td>
                                <td role=fixed("cell") data-label=fixed("Domain")>{row.domain}</td>
                                <td role=fixed("cell") data-label=fixed("Industry")>{row.industry}</td>
                                <td role=fixed("cell") data-label=fixed("Size") class=fixed("number")>{row.size.map(|n| thousands(n.unsigned_abs()))}</td>
                                <td role=fixed("cell") data-label=fixed("City")>{row.city}</td>
                                <td role=fixed("cell") data-label=fixed("Owner")>{row.owner_name}</td>
                                <td role=fixed("cell") data-label=fixed("Updated")>{ago(now - row.updated_at)}</td>
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
            // Everything below is built from data already in: the synchronous HTML path.
            Ok::<_, AppError>(SyncHtml(view! {
                <div class="list-head">
                    <p class="count" aria-live="polite">{summary}</p>
                    {new_button}
                </div>
                {body}
                <Pager query=q.clone() path="/companies" next=data.page.next prev=data.page.prev />
            }))
        })
    };
    view! {
        <Title text="Companies" />
        <h1>"Companies"</h1>
        {move || deleted().map(|id| view! { <UndoDelete kind=RecordKind::Company id /> })}
        {controls}
        // The search box replaces what is inside as the user types.
        <div id=RESULTS_ID>
            {table}
        </div>
    }
}
