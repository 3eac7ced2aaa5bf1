//! The contacts list: search, filters, sort and pages.

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
use crate::domain::{ago, ContactRow, ContactStatus, ListQuery, RecordKind};
use crate::error::AppError;
use crate::pages::live::LiveList;
use crate::pages::trash::UndoDelete;

use super::{list_contacts, status_options};

const KIND: RecordKind = RecordKind::Contact;

const COLUMNS: &[Column] = &[
    Column::sorted("Name", "name"),
    Column::sorted("Email", "email"),
    Column::plain("Phone"),
    Column::plain("Company"),
    Column::sorted("City", "city"),
    Column::plain("Status"),
    Column::plain("Tags"),
    Column::sorted("Updated", "updated"),
];

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_list_query();
    let list = Resource::new(move || query.get(), list_contacts);

    // The filter form, drawn from the page's address.
    let controls = move || {
        let q = query.get_untracked();
        view! {
            <Form method="GET" action=KIND.list_path() attr:class="filters" attr:role="search">
                <SearchBox path=KIND.list_path().to_string() value=q.q.clone() placeholder="Name, email, phone, company…".to_string() />
                <SelectField form="filter" name="status" label="Status" options=status_options(true) selected=q.status.clone() />
                <div class="field">
                    <label for="filter-tag">"Tag"</label>
                    <input id="filter-tag" name="tag" type="text" value=q.tag.clone() />
                </div>
                {move || Suspend::new(async move {
                    // By reference: only the owners are wanted here, not a copy of every row.
                    let owners = {
                        let list = list.by_ref().await;
                        let owners = list.as_ref().map(|l| l.owners.as_slice()).unwrap_or_default();
                        owner_options(owners, "Anyone")
                    };
                    let q = query.get_untracked();
                    view! { <SelectField form="filter" name="owner" label="Owner" options=owners selected=q.owner /> }
                })}
                <PageSizeSelect per=q.per_page() />
                <input type="hidden" name="company" value=q.company.clone() />
                <input type="hidden" name="sort" value=q.sort.clone() />
                <input type="hidden" name="dir" value=q.dir.clone() />
                <button type="submit">"Apply"</button>
            </Form>
        }
    };

    let table = move || {
        Suspend::new(async move {
            let data = list.await?;
            let query = query.get_untracked();
            let now = data.now;
            let chip = data.company.clone().map(|(_, name)| {
                let without = ListQuery {
                    company: String::new(),
                    ..query.first_page()
                }
                .href(KIND.list_path());
                view! {
                    <p class="chip">
                        "Company: " <strong>{name}</strong> " " <a href=without>"Show all companies"</a>
                    </p>
                }
                .into_any()
            });
            let rows = Rows::new(&data.page.rows, |row| contact_line(row, now));
            // Built from data already in: the synchronous HTML path.
            Ok::<_, AppError>(SyncHtml(
                ListResults {
                    kind: KIND,
                    query,
                    total: data.page.total,
                    next: data.page.next,
                    prev: data.page.prev,
                    can_edit: data.can_edit,
                    columns: COLUMNS,
                    rows,
                    chip,
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

/// The status badge's classes, `status status-<status>`, without formatting a String per row.
fn status_class(status: ContactStatus) -> &'static str {
    match status {
        ContactStatus::Lead => "status status-lead",
        ContactStatus::Prospect => "status status-prospect",
        ContactStatus::Customer => "status status-customer",
        ContactStatus::Inactive => "status status-inactive",
    }
}

fn contact_line(row: &ContactRow, now: i64) -> Markup {
    html! {
        tr role="row" {
            td role="cell" data-label="Name" { a href=(KIND.path(row.id)) { (row.name) } }
            td role="cell" data-label="Email" { (row.email) }
            td role="cell" data-label="Phone" class="phone" { (row.phone) }
            td role="cell" data-label="Company" {
                @if let Some(id) = row.company_id {
                    a href=(RecordKind::Company.path(id)) { (row.company_name) }
                }
            }
            td role="cell" data-label="City" { (row.city) }
            td role="cell" data-label="Status" { span class=(status_class(row.status)) { (row.status.label()) } }
            td role="cell" data-label="Tags" {
                @for (i, tag) in row.tags.iter().enumerate() {
                    @if i > 0 { ", " }
                    (tag)
                }
            }
            td role="cell" data-label="Updated" { (ago(now - row.updated_at)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes_follow_the_status_names() {
        for status in ContactStatus::ALL {
            assert_eq!(
                status_class(status),
                format!("status status-{}", status.as_str())
            );
        }
    }
}
