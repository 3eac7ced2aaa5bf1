//! Creating, editing and deleting a contact: the form and its pages.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::flash::failed;
use crate::components::form::{Field, SelectField, TextAreaField};
use crate::components::record::{may_edit, FormHeading};
use crate::components::record_form::{RecordFormFrame, RecordFormState};
use crate::components::records::{owner_options, use_id_param};
use crate::domain::{ContactInput, RecordKind};
use crate::error::AppError;
use crate::pages::live::LiveRecord;

use super::{form_options, load_contact, status_options, ContactDetails, SaveContact};

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
                <ContactForm id=None version=0 initial owners cancel=RecordKind::Contact.list_path().to_string() failed={failed::<SaveContact>()} />
            })
        })
    };
    view! {
        <FormHeading kind=RecordKind::Contact record=None />
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
            may_edit(can_edit)?;
            let cancel = RecordKind::Contact.path(contact.id);
            Ok::<_, AppError>(view! {
                <FormHeading kind=RecordKind::Contact record=Some((contact.id, contact.name())) />
                <ContactForm id=Some(contact.id) version=contact.version initial=contact.input() owners cancel failed={failed::<SaveContact>()} />
            })
        })
    };
    view! {
        <LiveRecord kind=RecordKind::Contact id=id.get_untracked() editing=true />
        {page}
    }
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
    let form = RecordFormState::new(failed);
    let value = move |name: &str, fallback: &str| form.value(name, fallback);
    let field = move |name: &'static str| form.field(name);
    view! {
        <RecordFormFrame state=form path={<SaveContact as leptos::server_fn::ServerFn>::PATH} id version labels=RecordKind::Contact.fields() cancel>
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
        </RecordFormFrame>
    }
}
