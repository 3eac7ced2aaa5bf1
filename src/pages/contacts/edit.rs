//! Creating, editing and deleting a contact: the form and its pages.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::flash::{failed, server_action};
use crate::components::form::{
    set_status_for, Field, FormAlert, IdempotencyField, SelectField, TextAreaField,
};
use crate::components::island_form::{IslandAction, IslandForm};
use crate::components::records::{owner_options, use_id_param, StaleEditNotice};
use crate::domain::ContactInput;
use crate::error::AppError;

use super::{
    form_options, load_contact, status_options, ContactDetails, DeleteContact, SaveContact,
    CONTACT_FIELDS,
};

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
                <ContactForm id=None version=0 initial owners cancel="/contacts".to_string() failed={failed::<SaveContact>()} />
            })
        })
    };
    view! {
        <Title text="New contact" />
        <p class="breadcrumb"><a href="/contacts">"Contacts"</a></p>
        <h1>"New contact"</h1>
        {page}
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
                <ContactForm id=Some(contact.id) version=contact.version initial=contact.input() owners cancel failed={failed::<SaveContact>()} />
            })
        })
    };
    view! { {page} }
}

/// The contact form, for a new contact (`id` None) or an existing one at `version`. An island:
/// errors show in place, the stale-edit comparison too, and the idempotency key is renewed after
/// a save. `failed` is the error of a plain form post that returned here (`flash::failed`).
#[island]
fn ContactForm(
    id: Option<i64>,
    version: i64,
    initial: ContactInput,
    owners: Vec<(i64, String)>,
    cancel: String,
    failed: Option<AppError>,
) -> impl IntoView {
    let save = IslandAction::new(failed);
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
        <IslandForm path={<SaveContact as leptos::server_fn::ServerFn>::PATH} action=save class="record-form">
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
        </IslandForm>
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
    view! { {page} }
}
