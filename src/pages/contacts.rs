//! Contacts: the list (search, filters, sort, pages), a contact's page, the new/edit form, and
//! deleting to the trash.

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
    ago, ContactInput, ContactRow, ContactStatus, ContactView, ListQuery, Page, RecordKind,
};
use crate::error::AppError;
use crate::pages::trash::UndoDelete;

/// What the contacts list page shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContactList {
    pub page: Page<ContactRow>,
    /// People who own records, for the owner filter.
    pub owners: Vec<(i64, String)>,
    /// The company the list is filtered by.
    pub company: Option<(i64, String)>,
    pub can_edit: bool,
    /// The server's clock (Unix seconds), for "5 minutes ago".
    pub now: i64,
}

#[server(endpoint = "contacts/list")]
pub async fn list_contacts(query: ListQuery) -> Result<ContactList, AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context, records};
    let result: Result<ContactList, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        let page = records::list_contacts(&db, &query).await?;
        let owners = db.owners().await.map_err(context::internal)?.to_vec();
        let company = match query.company.trim().parse::<i64>() {
            Ok(id) => db
                .company(id)
                .await
                .map_err(context::internal)?
                .map(|c| (c.id, c.name)),
            Err(_) => None,
        };
        Ok(ContactList {
            page,
            owners,
            company,
            can_edit: user.role.allows(Role::Member),
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

/// A contact with what its page needs around it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContactDetails {
    pub contact: ContactView,
    pub owners: Vec<(i64, String)>,
    pub can_edit: bool,
    pub now: i64,
}

#[server(endpoint = "contacts/get")]
pub async fn get_contact(id: i64) -> Result<ContactDetails, AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context};
    let result: Result<ContactDetails, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        let contact = db
            .contact(id)
            .await
            .map_err(context::internal)?
            .ok_or(AppError::NotFound)?;
        Ok(ContactDetails {
            contact,
            owners: db.owners().await.map_err(context::internal)?.to_vec(),
            can_edit: user.role.allows(Role::Member),
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

/// What the new-record forms need: the people who can own it, and who is asking.
#[server(endpoint = "records/form-options")]
pub async fn form_options() -> Result<(Vec<(i64, String)>, i64), AppError> {
    use crate::domain::Role;
    use crate::server::context;
    let result: Result<_, AppError> = async {
        let user = context::require_role(Role::Member)?;
        let owners = context::db()?
            .owners()
            .await
            .map_err(context::internal)?
            .to_vec();
        Ok((owners, user.id))
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "contacts/save")]
pub async fn save_contact(
    id: String,
    version: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    job_title: String,
    company: String,
    city: String,
    status: String,
    tags: String,
    notes: String,
    owner: String,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context, idempotency, records};
    let input = ContactInput {
        first_name,
        last_name,
        email,
        phone,
        job_title,
        company,
        city,
        status,
        tags,
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
                        records::save_contact(&db, user, id, version, input, session::now()).await
                    }
                })
                .await?;
        context::redirect(&format!("/contacts/{saved}?saved=1"));
        Ok(())
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "contacts/delete")]
pub async fn delete_contact(id: i64, idempotency_key: Option<String>) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context, idempotency, records};
    let result: Result<(), AppError> = async {
        let user = context::require_role(Role::Member)?;
        let db = context::db()?;
        idempotency::once(&db, &user, idempotency_key, &id, |db| {
            let user = &user;
            async move { records::trash(&db, user, RecordKind::Contact, id, session::now()).await }
        })
        .await?;
        context::redirect(&format!("/contacts?deleted={id}"));
        Ok(())
    }
    .await;
    context::respond(result)
}

/// The field names of the contact form and their labels, in order.
pub const CONTACT_FIELDS: &[(&str, &str)] = &[
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("job_title", "Job title"),
    ("company", "Company"),
    ("city", "City"),
    ("status", "Status"),
    ("tags", "Tags"),
    ("notes", "Notes"),
    ("owner", "Owner"),
];

fn status_options(with_any: bool) -> Vec<(String, String)> {
    let any = with_any.then(|| (String::new(), "Any status".to_string()));
    any.into_iter()
        .chain(
            ContactStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
        )
        .collect()
}

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

    // The filter form is drawn again when a link changes the filters, but not while the search
    // box is being typed in (that would take its focus away).
    let filters = Memo::new(move |_| {
        let q = query.get();
        (q.status, q.tag, q.owner, q.company, q.per, q.sort, q.dir)
    });
    let controls = move || {
        filters.track();
        let q = query.get_untracked();
        view! {
            <Form method="GET" action="/contacts" attr:class="filters" attr:role="search">
                <SearchBox path="/contacts" value=q.q.clone() placeholder="Name, email, phone, company…" />
                <SelectField form="filter" name="status" label="Status" options=status_options(true) selected=q.status.clone() />
                <div class="field">
                    <label for="filter-tag">"Tag"</label>
                    <input id="filter-tag" name="tag" type="text" value=q.tag.clone() />
                </div>
                <Transition>
                    {move || Suspend::new(async move {
                        let owners = list.await.map(|l| l.owners).unwrap_or_default();
                        let q = query.get_untracked();
                        view! { <SelectField form="filter" name="owner" label="Owner" options=owner_options(&owners, "Anyone") selected=q.owner /> }
                    })}
                </Transition>
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
                    <table class="records">
                        <caption class="visually-hidden">"Contacts"</caption>
                        <thead>
                            <tr>
                                <SortHeader query=q.clone() path="/contacts" column="name" default_column=q.default_sort() label="Name" />
                                <SortHeader query=q.clone() path="/contacts" column="email" default_column=q.default_sort() label="Email" />
                                <th scope="col">"Phone"</th>
                                <th scope="col">"Company"</th>
                                <SortHeader query=q.clone() path="/contacts" column="city" default_column=q.default_sort() label="City" />
                                <th scope="col">"Status"</th>
                                <th scope="col">"Tags"</th>
                                <SortHeader query=q.clone() path="/contacts" column="updated" default_column=q.default_sort() label="Updated" />
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
                {company_chip}
                {body}
                <Pager query=q.clone() path="/contacts" next=data.page.next prev=data.page.prev />
            })
        })
    };

    view! {
        <Title text="Contacts" />
        <h1>"Contacts"</h1>
        {move || deleted().map(|id| view! { <UndoDelete kind=RecordKind::Contact id /> })}
        {controls}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>{table}</Transition>
    }
}

fn contact_line(row: ContactRow, now: i64) -> impl IntoView {
    let href = format!("/contacts/{}", row.id);
    let company = row.company_id.map(|id| {
        view! { <a href=format!("/companies/{id}")>{row.company_name.clone()}</a> }
    });
    view! {
        <tr>
            <td><a href=href>{row.name}</a></td>
            <td>{row.email}</td>
            <td>{row.phone}</td>
            <td>{company}</td>
            <td>{row.city}</td>
            <td><span class=format!("status status-{}", row.status.as_str())>{row.status.label()}</span></td>
            <td>{row.tags.join(", ")}</td>
            <td>{ago(now - row.updated_at)}</td>
        </tr>
    }
}

async fn load_contact(id: Option<i64>) -> Result<ContactDetails, AppError> {
    match id {
        Some(id) => get_contact(id).await,
        None => Err(AppError::NotFound),
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_contact);
    let params = use_query_map();
    let flash = move || {
        let params = params.read();
        let text = if params.get("saved").is_some() {
            Some("Contact saved.")
        } else if params.get("restored").is_some() {
            Some("Contact restored from the trash.")
        } else {
            None
        };
        text.map(|text| view! { <p role="status" class="flash">{text}</p> })
    };
    let page = move || {
        Suspend::new(async move {
            let ContactDetails {
                contact,
                can_edit,
                now,
                ..
            } = details.await?;
            let name = contact.name();
            let company = contact.company_id.map(|id| {
                view! { <a href=format!("/companies/{id}")>{contact.company_name.clone()}</a> }
            });
            let controls = can_edit.then(|| {
                view! {
                    <div class="actions">
                        <a class="button" href=format!("/contacts/{}/edit", contact.id)>"Edit"</a>
                        <form method="get" action=format!("/contacts/{}/delete", contact.id)>
                            <button type="submit" class="danger">"Delete"</button>
                        </form>
                    </div>
                }
            });
            let email = (!contact.email.is_empty()).then(|| {
                view! { <a href=format!("mailto:{}", contact.email)>{contact.email.clone()}</a> }
            });
            Ok::<_, AppError>(view! {
                <Title text=name.clone() />
                <p class="breadcrumb"><a href="/contacts">"Contacts"</a></p>
                <h1>{name}</h1>
                {controls}
                <dl class="details">
                    <dt>"Email"</dt><dd>{email}</dd>
                    <dt>"Phone"</dt><dd>{contact.phone.clone()}</dd>
                    <dt>"Job title"</dt><dd>{contact.job_title.clone()}</dd>
                    <dt>"Company"</dt><dd>{company}</dd>
                    <dt>"City"</dt><dd>{contact.city.clone()}</dd>
                    <dt>"Status"</dt><dd>{contact.status.label()}</dd>
                    <dt>"Tags"</dt><dd>{contact.tags.join(", ")}</dd>
                    <dt>"Owner"</dt><dd>{contact.owner_name.clone()}</dd>
                    <dt>"Notes"</dt><dd class="notes">{contact.notes.clone()}</dd>
                    <dt>"Created"</dt><dd>{format!("{} by {}", ago(now - contact.created.at), contact.created.by)}</dd>
                    <dt>"Updated"</dt><dd>{format!("{} by {}", ago(now - contact.updated.at), contact.updated.by)}</dd>
                </dl>
            })
        })
    };
    view! {
        {flash}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>{page}</Transition>
    }
}

#[component]
pub fn NewContactPage() -> impl IntoView {
    let options = Resource::new(|| (), |_| form_options());
    let params = use_query_map();
    let page = move || {
        Suspend::new(async move {
            let (owners, me) = options.await?;
            let initial = ContactInput {
                company: params.read_untracked().get("company").unwrap_or_default(),
                owner: me.to_string(),
                ..Default::default()
            };
            Ok::<_, AppError>(view! {
                <ContactForm id=None version=0 initial owners cancel="/contacts".to_string() />
            })
        })
    };
    view! {
        <Title text="New contact" />
        <p class="breadcrumb"><a href="/contacts">"Contacts"</a></p>
        <h1>"New contact"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>{page}</Transition>
    }
}

#[component]
pub fn EditContactPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_contact);
    let page = move || {
        Suspend::new(async move {
            let ContactDetails {
                contact,
                owners,
                can_edit,
                ..
            } = details.await?;
            if !can_edit {
                crate::components::form::set_status_for(Some(&AppError::Forbidden));
                return Err(AppError::Forbidden);
            }
            let name = contact.name();
            let cancel = format!("/contacts/{}", contact.id);
            Ok::<_, AppError>(view! {
                <Title text=format!("Edit {name}") />
                <p class="breadcrumb"><a href="/contacts">"Contacts"</a> " › " <a href=cancel.clone()>{name.clone()}</a></p>
                <h1>"Edit " {name}</h1>
                <ContactForm id=Some(contact.id) version=contact.version initial=contact.input() owners cancel />
            })
        })
    };
    view! { <Transition fallback=|| view! { <p>"Loading…"</p> }>{page}</Transition> }
}

/// The contact form, for a new contact (`id` None) or an existing one at `version`.
#[component]
fn ContactForm(
    id: Option<i64>,
    version: i64,
    initial: ContactInput,
    owners: Vec<(i64, String)>,
    cancel: String,
) -> impl IntoView {
    let save = server_action::<SaveContact>();
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
    // After a stale save, the form carries the record's current version: saving again keeps
    // the user's values, knowingly.
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
            <StaleEditNotice error labels=CONTACT_FIELDS />
            <input type="hidden" name="id" value=id.map(|id| id.to_string()).unwrap_or_default() />
            <input type="hidden" name="version" value=version />
            <div class="grid">
                <Field form="contact" name="first_name" label="First name" autocomplete="off" value=value("first_name", &initial.first_name) error=field("first_name") />
                <Field form="contact" name="last_name" label="Last name" autocomplete="off" value=value("last_name", &initial.last_name) error=field("last_name") />
                <Field form="contact" name="email" label="Email" kind="email" value=value("email", &initial.email) error=field("email") />
                <Field form="contact" name="phone" label="Phone" kind="tel" value=value("phone", &initial.phone) error=field("phone") />
                <Field form="contact" name="job_title" label="Job title" value=value("job_title", &initial.job_title) error=field("job_title") />
                <Field form="contact" name="company" label="Company" value=value("company", &initial.company) error=field("company") hint="The company's name or domain." />
                <Field form="contact" name="city" label="City" value=value("city", &initial.city) error=field("city") />
                <SelectField form="contact" name="status" label="Status" options=status_options(false) selected=value("status", &initial.status) error=field("status") />
                <Field form="contact" name="tags" label="Tags" value=value("tags", &initial.tags) error=field("tags") hint="Separate tags with commas." />
                <SelectField form="contact" name="owner" label="Owner" options=owner_options(&owners, "Nobody") selected=value("owner", &initial.owner) error=field("owner") />
            </div>
            <TextAreaField form="contact" name="notes" label="Notes" value=value("notes", &initial.notes) error=field("notes") />
            <div class="actions">
                <button type="submit" class="primary" aria-busy=move || save.pending().get().then_some("true")>"Save"</button>
                <a href=cancel>"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn DeleteContactPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_contact);
    let delete = server_action::<DeleteContact>();
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    let page = move || {
        Suspend::new(async move {
            let ContactDetails {
                contact, can_edit, ..
            } = details.await?;
            if !can_edit {
                set_status_for(Some(&AppError::Forbidden));
                return Err(AppError::Forbidden);
            }
            let name = contact.name();
            Ok::<_, AppError>(view! {
                <Title text=format!("Delete {name}") />
                <h1>"Delete " {name.clone()} "?"</h1>
                <p>"The contact moves to the trash, where it can be restored for 30 days."</p>
                <ActionForm action=delete>
                    <IdempotencyField action=delete />
                    <FormAlert error />
                    <input type="hidden" name="id" value=contact.id.to_string() />
                    <div class="actions">
                        <button type="submit" class="danger">"Delete"</button>
                        <a href=format!("/contacts/{}", contact.id)>"Cancel"</a>
                    </div>
                </ActionForm>
            })
        })
    };
    view! { <Transition fallback=|| view! { <p>"Loading…"</p> }>{page}</Transition> }
}
