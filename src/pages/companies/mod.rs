//! Companies: the server functions and what they return, and a company's page with its
//! contacts. The list is in `list`, the new/edit form and deleting in `edit`.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::components::record::{RecordFlash, RecordHeading, Stamps};
use crate::components::records::use_id_param;
use crate::domain::{thousands, CompanyRow, CompanyView, ContactRow, ListQuery, Page, RecordKind};
use crate::error::AppError;
use crate::pages::live::LiveRecord;
use crate::pages::record::SectionCursors;

mod edit;
mod list;

pub use edit::{EditCompanyPage, NewCompanyPage};
pub use list::CompaniesPage;

/// Contacts shown on a company's page (the rest are a link away).
const COMPANY_CONTACTS_SHOWN: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompanyList {
    pub page: Page<CompanyRow>,
    pub owners: Vec<(i64, String)>,
    pub industries: Vec<String>,
    pub can_edit: bool,
    pub now: i64,
}

#[server(endpoint = "companies/list")]
pub async fn list_companies(query: ListQuery) -> Result<CompanyList, AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context, records};
    let result: Result<CompanyList, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        Ok(CompanyList {
            page: records::list_companies(&db, &query).await?,
            owners: db.owners().await.map_err(context::internal)?.to_vec(),
            industries: db.industries().await.map_err(context::internal)?,
            can_edit: user.role.allows(Role::Member),
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompanyDetails {
    pub company: CompanyView,
    pub contacts: Vec<ContactRow>,
    pub owners: Vec<(i64, String)>,
    pub can_edit: bool,
    pub now: i64,
}

#[server(endpoint = "companies/get")]
pub async fn get_company(id: i64) -> Result<CompanyDetails, AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context};
    let result: Result<CompanyDetails, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        let company = db
            .company(id)
            .await
            .map_err(context::internal)?
            .ok_or(AppError::NotFound)?;
        Ok(CompanyDetails {
            contacts: db
                .company_contacts(id, COMPANY_CONTACTS_SHOWN + 1)
                .await
                .map_err(context::internal)?,
            company,
            owners: db.owners().await.map_err(context::internal)?.to_vec(),
            can_edit: user.role.allows(Role::Member),
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "companies/save")]
pub async fn save_company(
    id: String,
    version: String,
    name: String,
    domain: String,
    industry: String,
    size: String,
    phone: String,
    website: String,
    street: String,
    city: String,
    postal_code: String,
    country: String,
    notes: String,
    owner: String,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::CompanyInput;
    use crate::server::{context, records};
    let input = CompanyInput {
        name,
        domain,
        industry,
        size,
        phone,
        website,
        street,
        city,
        postal_code,
        country,
        notes,
        owner,
    };
    context::respond(records::submit(&id, &version, idempotency_key, input).await)
}

async fn load_company(id: Option<i64>) -> Result<CompanyDetails, AppError> {
    match id {
        Some(id) => get_company(id).await,
        None => Err(AppError::NotFound),
    }
}

#[component]
pub fn CompanyPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_company);
    let cursors = SectionCursors::from_query();
    let page = move || {
        let cursors = cursors.clone();
        Suspend::new(async move {
            let CompanyDetails {
                company,
                mut contacts,
                can_edit,
                now,
                ..
            } = details.await?;
            let sections = cursors.load(RecordKind::Company, company.id).await?;
            let more = contacts.len() > COMPANY_CONTACTS_SHOWN as usize;
            contacts.truncate(COMPANY_CONTACTS_SHOWN as usize);
            let all_link = crate::paths::contacts_of(company.id);
            let add_link = crate::paths::new_contact_at(if company.domain.is_empty() {
                &company.name
            } else {
                &company.domain
            });
            let website = (!company.website.is_empty()).then(|| {
                view! { <a href=company.website.clone() rel="noopener noreferrer nofollow">{company.website.clone()}</a> }
            });
            let address = [
                company.street.as_str(),
                format!("{} {}", company.postal_code, company.city).trim(),
                company.country.as_str(),
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ");
            let contact_rows = contacts
                .into_iter()
                .map(|c| {
                    view! {
                        <tr role="row">
                            <td role="cell" data-label="Name"><a href=RecordKind::Contact.path(c.id)>{c.name}</a></td>
                            <td role="cell" data-label="Email">{c.email}</td>
                            <td role="cell" data-label="Phone" class="phone">{c.phone}</td>
                            <td role="cell" data-label="Status">{c.status.label()}</td>
                        </tr>
                    }
                })
                .collect_view();
            Ok::<_, AppError>(view! {
                <RecordHeading kind=RecordKind::Company id=company.id name=company.name.clone() can_edit />
                <dl class="details">
                    <dt>"Domain"</dt><dd>{company.domain.clone()}</dd>
                    <dt>"Industry"</dt><dd>{company.industry.clone()}</dd>
                    <dt>"Size"</dt><dd>{company.size.map(|n| format!("{} employees", thousands(n.unsigned_abs())))}</dd>
                    <dt>"Phone"</dt><dd>{company.phone.clone()}</dd>
                    <dt>"Website"</dt><dd>{website}</dd>
                    <dt>"Address"</dt><dd>{address}</dd>
                    <dt>"Owner"</dt><dd>{company.owner_name.clone()}</dd>
                    <dt>"Notes"</dt><dd class="notes">{company.notes.clone()}</dd>
                    <Stamps created=company.created.clone() updated=company.updated.clone() now />
                </dl>
                <section aria-labelledby="company-contacts">
                    <h2 id="company-contacts">"Contacts"</h2>
                    {can_edit.then(|| view! { <p><a class="button" href=add_link>"Add contact"</a></p> })}
                    <table class="records stack" role="table">
                        <caption class="visually-hidden">"Contacts at this company"</caption>
                        <thead role="rowgroup">
                            <tr role="row">
                                <th scope="col" role="columnheader">"Name"</th>
                                <th scope="col" role="columnheader">"Email"</th>
                                <th scope="col" role="columnheader">"Phone"</th>
                                <th scope="col" role="columnheader">"Status"</th>
                            </tr>
                        </thead>
                        <tbody role="rowgroup">{contact_rows}</tbody>
                    </table>
                    <p><a href=all_link>{if more { "All its contacts" } else { "Its contacts in the contacts list" }}</a></p>
                </section>
                {sections.view()}
            })
        })
    };
    view! {
        <RecordFlash kind=RecordKind::Company />
        <LiveRecord kind=RecordKind::Company id=id.get_untracked() />
        {page}
    }
}
