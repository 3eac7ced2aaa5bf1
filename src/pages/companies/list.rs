//! The companies list: search, filters, sort and pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use crate::components::form::SelectField;
use crate::components::record::{Column, ListResults};
use crate::components::records::{
    owner_options, use_list_query, PageSizeSelect, SearchBox, RESULTS_ID,
};
use crate::components::sync_html::{fixed, SyncHtml};
use crate::domain::{ago, thousands, RecordKind};
use crate::error::AppError;
use crate::pages::live::LiveList;
use crate::pages::trash::UndoDelete;

use super::list_companies;

const KIND: RecordKind = RecordKind::Company;

const COLUMNS: &[Column] = &[
    Column::sorted("Name", "name"),
    Column::sorted("Domain", "domain"),
    Column::plain("Industry"),
    Column::plain("Size"),
    Column::sorted("City", "city"),
    Column::plain("Owner"),
    Column::sorted("Updated", "updated"),
];

#[component]
pub fn CompaniesPage() -> impl IntoView {
    let query = use_list_query();
    let list = Resource::new(move || query.get(), list_companies);
    // The filter form, drawn from the page's address.
    let controls = move || {
        let q = query.get_untracked();
        view! {
            <Form method="GET" action=KIND.list_path() attr:class="filters" attr:role="search">
                <SearchBox path=KIND.list_path().to_string() value=q.q.clone() placeholder="Name, domain, industry, city…".to_string() />
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
            let now = data.now;
            let rows = data
                .page
                .rows
                .into_iter()
                .map(|row| {
                    view! {
                        <tr role=fixed("row")>
                            <td role=fixed("cell") data-label=fixed("Name")><a href=KIND.path(row.id)>{row.name}</a></td>
                            <td role=fixed("cell") data-label=fixed("Domain")>{row.domain}</td>
                            <td role=fixed("cell") data-label=fixed("Industry")>{row.industry}</td>
                            <td role=fixed("cell") data-label=fixed("Size") class=fixed("number")>{row.size.map(|n| thousands(n.unsigned_abs()))}</td>
                            <td role=fixed("cell") data-label=fixed("City")>{row.city}</td>
                            <td role=fixed("cell") data-label=fixed("Owner")>{row.owner_name}</td>
                            <td role=fixed("cell") data-label=fixed("Updated")>{ago(now - row.updated_at)}</td>
                        </tr>
                    }
                })
                .collect();
            // Built from data already in: the synchronous HTML path.
            Ok::<_, AppError>(SyncHtml(
                ListResults {
                    kind: KIND,
                    query: query.get_untracked(),
                    total: data.page.total,
                    next: data.page.next,
                    prev: data.page.prev,
                    can_edit: data.can_edit,
                    columns: COLUMNS,
                    rows,
                    chip: None,
                }
                .view(),
            ))
        })
    };
    view! {
        <Title text=KIND.title() />
        <h1>{KIND.title()}</h1>
        <UndoDelete kind=KIND />
        <LiveList kind=KIND />
        {controls}
        // The search box replaces what is inside as the user types.
        <div id=RESULTS_ID>
            {table}
        </div>
    }
}
