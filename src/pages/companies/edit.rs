//! Creating, editing and deleting a company: the form and its pages.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::flash::{failed, server_action};
use crate::components::form::{
    set_status_for, Field, FormAlert, IdempotencyField, SelectField, TextAreaField,
};
use crate::components::island_form::{IslandAction, IslandForm};
use crate::components::records::{owner_options, use_id_param, StaleEditNotice};
use crate::domain::CompanyInput;
use crate::error::AppError;
use crate::pages::contacts::form_options;

use super::{load_company, CompanyDetails, DeleteCompany, SaveCompany, COMPANY_FIELDS};

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
                <CompanyForm id=None version=0 initial owners cancel="/companies".to_string() failed={failed::<SaveCompany>()} />
            })
        })
    };
    view! {
        <Title text="New company" />
        <p class="breadcrumb"><a href="/companies">"Companies"</a></p>
        <h1>"New company"</h1>
        {page}
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
                <CompanyForm id=Some(company.id) version=company.version initial=company.input() owners cancel failed={failed::<SaveCompany>()} />
            })
        })
    };
    view! { {page} }
}

/// The company form: an island, like the contact form.
#[island]
fn CompanyForm(
    id: Option<i64>,
    version: i64,
    initial: CompanyInput,
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
        <IslandForm path={<SaveCompany as leptos::server_fn::ServerFn>::PATH} action=save class="record-form">
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
        </IslandForm>
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
    view! { {page} }
}
