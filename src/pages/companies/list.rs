//! The companies list: search, filters, sort and pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use maud::{html, Markup};

use crate::components::form::SelectField;
use crate::components::record::{Column, ListResults};
use crate::components::records::{
    owner_options, use_list_query, PageSizeSelect, SearchBox, RESULTS_ID,
};
use crate::components::rows::Rows;
use crate::components::sync_html::SyncHtml;
use crate::domain::{ago, thousands, CompanyRow, RecordKind};
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
            let rows = Rows::new(&data.page.rows, |row| company_line(row, now));
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

fn company_line(row: &CompanyRow, now: i64) -> Markup {
    html! {
        tr role="row" {
            td role="cell" data-label="Name" { a href=(KIND.path(row.id)) { (row.name) } }
            td role="cell" data-label="Domain" { (row.domain) }
            td role="cell" data-label="Industry" { (row.industry) }
            td role="cell" data-label="Size" class="number" {
                @if let Some(size) = row.size { (thousands(size.unsigned_abs())) }
            }
            td role="cell" data-label="City" { (row.city) }
            td role="cell" data-label="Owner" { (row.owner_name) }
            td role="cell" data-label="Updated" { (ago(now - row.updated_at)) }
        }
    }
}
