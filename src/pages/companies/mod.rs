//! Companies: the server functions and what they return, and a company's page with its
//! contacts. The list is in `list`, the new/edit form and deleting in `edit`.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::records::use_id_param;
use crate::domain::{ago, thousands, CompanyRow, CompanyView, ContactRow, ListQuery, Page};
use crate::error::AppError;

mod edit;
mod list;

pub use edit::{DeleteCompanyPage, EditCompanyPage, NewCompanyPage};
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
    use crate::domain::Role;
    use crate::server::{auth::session, context, idempotency, records};
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
    let result: Result<(), AppError> = async {
        let user = context::require_role(Role::Member)?;
        let id = records::record_id(&id)?;
        let version = version.trim().parse().unwrap_or(0);
        let db = context::db()?;
        let saved =
                idempotency::once(&db, &user, idempotency_key, &(id, version, &input), |db| {
                    let (user, input) = (&user, &input);
                    async move {
                        records::save_company(&db, user, id, version, input, session::now()).await
                    }
                })
                .await?;
        context::redirect(&format!("/companies/{saved}?saved=1"));
        Ok(())
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "companies/delete")]
pub async fn delete_company(id: i64, idempotency_key: Option<String>) -> Result<(), AppError> {
    use crate::domain::RecordKind;
    use crate::domain::Role;
    use crate::server::{auth::session, context, idempotency, records};
    let result: Result<(), AppError> = async {
        let user = context::require_role(Role::Member)?;
        let db = context::db()?;
        idempotency::once(&db, &user, idempotency_key, &id, |db| {
            let user = &user;
            async move { records::trash(&db, user, RecordKind::Company, id, session::now()).await }
        })
        .await?;
        context::redirect(&format!("/companies?deleted={id}"));
        Ok(())
    }
    .await;
    context::respond(result)
}

pub const COMPANY_FIELDS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("domain", "Domain"),
    ("industry", "Industry"),
    ("size", "Size"),
    ("phone", "Phone"),
    ("website", "Website"),
    ("street", "Street"),
    ("city", "City"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
    ("notes", "Notes"),
    ("owner", "Owner"),
];

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
    let params = use_query_map();
    let flash = move || {
        let params = params.read();
        let text = if params.get("saved").is_some() {
            Some("Company saved.")
        } else if params.get("restored").is_some() {
            Some("Company restored from the trash.")
        } else {
            None
        };
        text.map(|text| view! { <p role="status" class="flash">{text}</p> })
    };
    let page = move || {
        Suspend::new(async move {
            let CompanyDetails {
                company,
                mut contacts,
                can_edit,
                now,
                ..
            } = details.await?;
            let more = contacts.len() > COMPANY_CONTACTS_SHOWN as usize;
            contacts.truncate(COMPANY_CONTACTS_SHOWN as usize);
            let all_link = format!("/contacts?company={}", company.id);
            let add_link = format!(
                "/contacts/new?company={}",
                form_urlencoded::byte_serialize(
                    if company.domain.is_empty() {
                        &company.name
                    } else {
                        &company.domain
                    }
                    .as_bytes()
                )
                .collect::<String>()
            );
            let controls = can_edit.then(|| {
                view! {
                    <div class="actions">
                        <a class="button" href=format!("/companies/{}/edit", company.id)>"Edit"</a>
                        <form method="get" action=format!("/companies/{}/delete", company.id)>
                            <button type="submit" class="danger">"Delete"</button>
                        </form>
                    </div>
                }
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
                            <td role="cell" data-label="Name"><a href=format!("/contacts/{}", c.id)>{c.name}</a></td>
                            <td role="cell" data-label="Email">{c.email}</td>
                            <td role="cell" data-label="Phone" class="phone">{c.phone}</td>
                            <td role="cell" data-label="Status">{c.status.label()}</td>
                        </tr>
                    }
                })
                .collect_view();
            Ok::<_, AppError>(view! {
                <Title text=company.name.clone() />
                <p class="breadcrumb"><a href="/companies">"Companies"</a></p>
                <h1>{company.name.clone()}</h1>
                {controls}
                <dl class="details">
                    <dt>"Domain"</dt><dd>{company.domain.clone()}</dd>
                    <dt>"Industry"</dt><dd>{company.industry.clone()}</dd>
                    <dt>"Size"</dt><dd>{company.size.map(|n| format!("{} employees", thousands(n.unsigned_abs())))}</dd>
                    <dt>"Phone"</dt><dd>{company.phone.clone()}</dd>
                    <dt>"Website"</dt><dd>{website}</dd>
                    <dt>"Address"</dt><dd>{address}</dd>
                    <dt>"Owner"</dt><dd>{company.owner_name.clone()}</dd>
                    <dt>"Notes"</dt><dd class="notes">{company.notes.clone()}</dd>
                    <dt>"Created"</dt><dd>{format!("{} by {}", ago(now - company.created.at), company.created.by)}</dd>
                    <dt>"Updated"</dt><dd>{format!("{} by {}", ago(now - company.updated.at), company.updated.by)}</dd>
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
            })
        })
    };
    view! {
        {flash}
        {page}
    }
}
