//! Creating, editing and deleting a company: the form and its pages.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::components::flash::failed;
use crate::components::form::{Field, SelectField, TextAreaField};
use crate::components::record::{may_edit, FormHeading};
use crate::components::record_form::{RecordFormFrame, RecordFormState};
use crate::components::records::{owner_options, use_id_param};
use crate::domain::{CompanyInput, RecordKind};
use crate::error::AppError;
use crate::pages::contacts::form_options;
use crate::pages::live::LiveRecord;

use super::{load_company, CompanyDetails, SaveCompany};

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
                <CompanyForm id=None version=0 initial owners cancel=RecordKind::Company.list_path().to_string() failed={failed::<SaveCompany>()} />
            })
        })
    };
    view! {
        <FormHeading kind=RecordKind::Company record=None />
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
            may_edit(can_edit)?;
            let cancel = RecordKind::Company.path(company.id);
            Ok::<_, AppError>(view! {
                <FormHeading kind=RecordKind::Company record=Some((company.id, company.name.clone())) />
                <CompanyForm id=Some(company.id) version=company.version initial=company.input() owners cancel failed={failed::<SaveCompany>()} />
            })
        })
    };
    view! {
        <LiveRecord kind=RecordKind::Company id=id.get_untracked() editing=true />
        {page}
    }
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
    let form = RecordFormState::new(failed);
    let value = move |name: &str, fallback: &str| form.value(name, fallback);
    let field = move |name: &'static str| form.field(name);
    view! {
        <RecordFormFrame state=form path={<SaveCompany as leptos::server_fn::ServerFn>::PATH} id version labels=RecordKind::Company.fields() cancel>
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
        </RecordFormFrame>
    }
}
