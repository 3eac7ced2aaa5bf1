//! Contacts: the server functions and what they return, and a contact's page. The list is in
//! `list`, the new/edit form and deleting to the trash in `edit`.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::components::record::{RecordFlash, RecordHeading, Stamps};
use crate::components::records::use_id_param;
use crate::domain::{ContactRow, ContactStatus, ContactView, ListQuery, Page, RecordKind};
use crate::error::AppError;
use crate::pages::live::LiveRecord;
use crate::pages::record::SectionCursors;

mod edit;
mod list;

pub use edit::{EditContactPage, NewContactPage};
pub use list::ContactsPage;

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
    use crate::domain::ContactInput;
    use crate::server::{context, records};
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
    context::respond(records::submit(&id, &version, idempotency_key, input).await)
}

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
    let cursors = SectionCursors::from_query();
    let page = move || {
        let cursors = cursors.clone();
        Suspend::new(async move {
            let ContactDetails {
                contact,
                can_edit,
                now,
                ..
            } = details.await?;
            let sections = cursors.load(RecordKind::Contact, contact.id).await?;
            let company = contact.company_id.map(|id| {
                view! { <a href=RecordKind::Company.path(id)>{contact.company_name.clone()}</a> }
            });
            let email = (!contact.email.is_empty()).then(|| {
                view! { <a href=format!("mailto:{}", contact.email)>{contact.email.clone()}</a> }
            });
            Ok::<_, AppError>(view! {
                <RecordHeading kind=RecordKind::Contact id=contact.id name=contact.name() can_edit />
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
                    <Stamps created=contact.created updated=contact.updated now />
                </dl>
                {sections.view()}
            })
        })
    };
    view! {
        <RecordFlash kind=RecordKind::Contact />
        <LiveRecord kind=RecordKind::Contact id=id.get_untracked() />
        {page}
    }
}
