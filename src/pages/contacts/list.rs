//! The contacts list: search, filters, sort and pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::components::form::SelectField;
use crate::components::records::{
    owner_options, use_list_query, PageSizeSelect, Pager, SearchBox, SortHeader, RESULTS_ID,
};
use crate::components::sync_html::{fixed, SyncHtml};
use crate::domain::{ago, ContactRow, ContactStatus, ListQuery, RecordKind};
use crate::error::AppError;
use crate::pages::trash::UndoDelete;

use super::{list_contacts, status_options};

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_list_query();
    let list = Resource::new(move || query.get(), list_contacts);
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
            <Form method="GET" action="/contacts" attr:class="filters" attr:role="search">
                <SearchBox path="/contacts".to_string() value=q.q.clone() placeholder="Name, email, phone, company…".to_string() />
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
            let q = query.get_untracked();
            let now = data.now;
            let new_button = data.can_edit.then(|| {
                view! { <a class="button primary" href="/contacts/new">"New contact"</a> }
            });
            let company_chip = data.company.clone().map(|(_, name)| {
                let without = ListQuery { company: String::new(), ..q.first_page() }.href("/contacts");
                view! {
                    <p class="chip">
                        "Company: " <strong>{name}</strong> " " <a href=without>"Show all companies"</a>
                    </p>
                }
            });
            let mut summary = data.page.total.describe("contact", "contacts");
            if q.sort_column() == "newest" {
                summary.push_str(", newest first");
            }
            let body = if data.page.rows.is_empty() {
                if q.is_filtered() {
                    view! {
                        <div class="empty">
                            <p>"No contacts match."</p>
                            <p><a href="/contacts">"Clear the search and filters"</a></p>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <div class="empty">
                            <p>"No contacts yet."</p>
                            {data.can_edit.then(|| view! { <p><a class="button primary" href="/contacts/new">"New contact"</a></p> })}
                        </div>
                    }
                    .into_any()
                }
            } else {
                let rows = data
                    .page
                    .rows
                    .into_iter()
                    .map(|row| contact_line(row, now))
                    .collect_view();
                view! {
                    <table class="records stack" role="table">
                        <caption class="visually-hidden">"Contacts"</caption>
                        <thead role="rowgroup">
                            <tr role="row">
                                <SortHeader query=q.clone() path="/contacts" column="name" default_column=q.default_sort() label="Name" />
                                <SortHeader query=q.clone() path="/contacts" column="email" default_column=q.default_sort() label="Email" />
                                <th scope="col" role="columnheader">"Phone"</th>
                                <th scope="col" role="columnheader">"Company"</th>
                                <SortHeader query=q.clone() path="/contacts" column="city" default_column=q.default_sort() label="City" />
                                <th scope="col" role="columnheader">"Status"</th>
                                <th scope="col" role="columnheader">"Tags"</th>
                                <SortHeader query=q.clone() path="/contacts" column="updated" default_column=q.default_sort() label="Updated" />
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
                {company_chip}
                {body}
                <Pager query=q.clone() path="/contacts" next=data.page.next prev=data.page.prev />
            }))
        })
    };

    view! {
        <Title text="Contacts" />
        <h1>"Contacts"</h1>
        {move || deleted().map(|id| view! { <UndoDelete kind=RecordKind::Contact id /> })}
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

fn contact_line(row: ContactRow, now: i64) -> impl IntoView {
    let href = format!("/contacts/{}", row.id);
    let company_name = row.company_name;
    let company = row
        .company_id
        .map(|id| view! { <a href=format!("/companies/{id}")>{company_name}</a> });
    view! {
        <tr role=fixed("row")>
            <td role=fixed("cell") data-label=fixed("Name")><a href=href>{row.name}</a></td>
            <td role=fixed("cell") data-label=fixed("Email")>{row.email}</td>
            <td role=fixed("cell") data-label=fixed("Phone") class=fixed("phone")>{row.phone}</td>
            <td role=fixed("cell") data-label=fixed("Company")>{company}</td>
            <td role=fixed("cell") data-label=fixed("City")>{row.city}</td>
            <td role=fixed("cell") data-label=fixed("Status")><span class=fixed(status_class(row.status))>{row.status.label()}</span></td>
            <td role=fixed("cell") data-label=fixed("Tags")>{row.tags.join(", ")}</td>
            <td role=fixed("cell") data-label=fixed("Updated")>{ago(now - row.updated_at)}</td>
        </tr>
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
