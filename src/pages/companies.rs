//! Companies: the list, a company's page with its contacts, the new/edit form, deleting.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::components::flash::server_action;
use crate::components::form::{
    set_status_for, Field, FormAlert, IdempotencyField, SelectField, TextAreaField,
};
use crate::components::records::{
    owner_options, use_id_param, use_list_query, PageSizeSelect, Pager, SearchBox, SortHeader,
    StaleEditNotice,
};
use crate::domain::{
    ago, thousands, CompanyInput, CompanyRow, CompanyView, ContactRow, ListQuery, Page, RecordKind,
};
use crate::error::AppError;
use crate::pages::contacts::form_options;
use crate::pages::trash::UndoDelete;

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
                <SearchBox path="/companies" value=q.q.clone() placeholder="Name, domain, industry, city…" />
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
                            <tr>
                                <td><a href=format!("/companies/{}", row.id)>{row.name}</a></td>
                                <td>{row.domain}</td>
                                <td>{row.industry}</td>
                                <td class="number">{row.size.map(|n| thousands(n.unsigned_abs()))}</td>
                                <td>{row.city}</td>
                                <td>{row.owner_name}</td>
                                <td>{ago(now - row.updated_at)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table class="records">
                        <caption class="visually-hidden">"Companies"</caption>
                        <thead>
                            <tr>
                                <SortHeader query=q.clone() path="/companies" column="name" default_column=q.default_sort() label="Name" />
                                <SortHeader query=q.clone() path="/companies" column="domain" default_column=q.default_sort() label="Domain" />
                                <th scope="col">"Industry"</th>
                                <th scope="col">"Size"</th>
                                <SortHeader query=q.clone() path="/companies" column="city" default_column=q.default_sort() label="City" />
                                <th scope="col">"Owner"</th>
                                <SortHeader query=q.clone() path="/companies" column="updated" default_column=q.default_sort() label="Updated" />
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
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
        <Transition fallback=|| view! { <p>"Loading…"</p> }>{table}</Transition>
    }
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
                        <tr>
                            <td><a href=format!("/contacts/{}", c.id)>{c.name}</a></td>
                            <td>{c.email}</td>
                            <td>{c.phone}</td>
                            <td>{c.status.label()}</td>
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
                    <table class="records">
                        <caption class="visually-hidden">"Contacts at this company"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Phone"</th>
                                <th scope="col">"Status"</th>
                            </tr>
                        </thead>
                        <tbody>{contact_rows}</tbody>
                    </table>
                    <p><a href=all_link>{if more { "All its contacts" } else { "Its contacts in the contacts list" }}</a></p>
                </section>
            })
        })
    };
    view! {
        {flash}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>{page}</Transition>
    }
}

#[component]
pub fn NewCompanyPage() -> impl IntoView {
    let options = Resource::new(|| (), |_| form_options());
    let page = move || {
        Suspend::new(async move {
            let (owners, me) = options.await?;
            let initial = CompanyInput {
                owner: me.to_string(),
                ..Default::default()
            };
            Ok::<_, AppError>(view! {
                <CompanyForm id=None version=0 initial owners cancel="/companies".to_string() />
            })
        })
    };
    view! {
        <Title text="New company" />
        <p class="breadcrumb"><a href="/companies">"Companies"</a></p>
        <h1>"New company"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>{page}</Transition>
    }
}

#[component]
pub fn EditCompanyPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_company);
    let page = move || {
        Suspend::new(async move {
            let CompanyDetails {
                company,
                owners,
                can_edit,
                ..
            } = details.await?;
            if !can_edit {
                set_status_for(Some(&AppError::Forbidden));
                return Err(AppError::Forbidden);
            }
            let cancel = format!("/companies/{}", company.id);
            Ok::<_, AppError>(view! {
                <Title text=format!("Edit {}", company.name) />
                <p class="breadcrumb"><a href="/companies">"Companies"</a> " › " <a href=cancel.clone()>{company.name.clone()}</a></p>
                <h1>"Edit " {company.name.clone()}</h1>
                <CompanyForm id=Some(company.id) version=company.version initial=company.input() owners cancel />
            })
        })
    };
    view! { <Transition fallback=|| view! { <p>"Loading…"</p> }>{page}</Transition> }
}

#[component]
fn CompanyForm(
    id: Option<i64>,
    version: i64,
    initial: CompanyInput,
    owners: Vec<(i64, String)>,
    cancel: String,
) -> impl IntoView {
    let save = server_action::<SaveCompany>();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let submitted = error.get_untracked();
    set_status_for(submitted.as_ref());
    let value = move |name: &str, fallback: &str| {
        submitted
            .as_ref()
            .and_then(|e| e.value(name))
            .unwrap_or_else(|| fallback.to_owned())
    };
    let field =
        move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let version = move || match error.get() {
        Some(AppError::StaleEdit(stale)) => stale.version,
        _ => version,
    };
    let general = Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Validation(_) | AppError::StaleEdit(_)))
    });
    view! {
        <ActionForm action=save attr:class="record-form">
            <IdempotencyField action=save />
            <FormAlert error=general />
            <StaleEditNotice error labels=COMPANY_FIELDS />
            <input type="hidden" name="id" value=id.map(|id| id.to_string()).unwrap_or_default() />
            <input type="hidden" name="version" value=version />
            <div class="grid">
                <Field form="company" name="name" label="Name" value=value("name", &initial.name) error=field("name") required=true />
                <Field form="company" name="domain" label="Domain" value=value("domain", &initial.domain) error=field("domain") hint="Like acme.example." />
                <Field form="company" name="industry" label="Industry" value=value("industry", &initial.industry) error=field("industry") />
                <Field form="company" name="size" label="Size" value=value("size", &initial.size) error=field("size") hint="Number of employees." />
                <Field form="company" name="phone" label="Phone" kind="tel" value=value("phone", &initial.phone) error=field("phone") />
                <Field form="company" name="website" label="Website" value=value("website", &initial.website) error=field("website") />
                <Field form="company" name="street" label="Street" value=value("street", &initial.street) error=field("street") />
                <Field form="company" name="city" label="City" value=value("city", &initial.city) error=field("city") />
                <Field form="company" name="postal_code" label="Postal code" value=value("postal_code", &initial.postal_code) error=field("postal_code") />
                <Field form="company" name="country" label="Country" value=value("country", &initial.country) error=field("country") />
                <SelectField form="company" name="owner" label="Owner" options=owner_options(&owners, "Nobody") selected=value("owner", &initial.owner) error=field("owner") />
            </div>
            <TextAreaField form="company" name="notes" label="Notes" value=value("notes", &initial.notes) error=field("notes") />
            <div class="actions">
                <button type="submit" class="primary" aria-busy=move || save.pending().get().then_some("true")>"Save"</button>
                <a href=cancel>"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn DeleteCompanyPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_company);
    let delete = server_action::<DeleteCompany>();
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    let page = move || {
        Suspend::new(async move {
            let CompanyDetails {
                company, can_edit, ..
            } = details.await?;
            if !can_edit {
                set_status_for(Some(&AppError::Forbidden));
                return Err(AppError::Forbidden);
            }
            Ok::<_, AppError>(view! {
                <Title text=format!("Delete {}", company.name) />
                <h1>"Delete " {company.name.clone()} "?"</h1>
                <p>"The company moves to the trash, where it can be restored for 30 days. Its contacts stay, without a company while it is in the trash."</p>
                <ActionForm action=delete>
                    <IdempotencyField action=delete />
                    <FormAlert error />
                    <input type="hidden" name="id" value=company.id.to_string() />
                    <div class="actions">
                        <button type="submit" class="danger">"Delete"</button>
                        <a href=format!("/companies/{}", company.id)>"Cancel"</a>
                    </div>
                </ActionForm>
            })
        })
    };
    view! { <Transition fallback=|| view! { <p>"Loading…"</p> }>{page}</Transition> }
}
