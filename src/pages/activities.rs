//! Activities: logged from a contact's or a company's page ("Log activity"), shown on its
//! timeline, on their own page (with their history), edited and deleted by their author or an
//! admin, and the team's recent activity at `/activities`. Every form here is a plain form: it
//! works the same with and without JavaScript.

// A form's server function takes one argument per field (that is how forms post).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use maud::{html, Markup};

use crate::components::flash::server_action;
use crate::components::form::{
    field_error, general_error, set_status_for, typed_or, Field, FormAlert, IdempotencyField,
    SelectField, TextAreaField,
};
use crate::components::record::{may_edit, FormHeading, RecordFlash, RecordHeading, When};
use crate::components::records::{use_id_param, StaleEditNotice, RESULTS_ID};
use crate::components::rows::{when, Rows};
use crate::domain::{moment_field, ActivityKind, ActivityView, RecordKind, Timeline};
use crate::error::AppError;
use crate::pages::live::{LiveList, LiveRecord};
use crate::pages::record::SectionCursors;
use crate::pages::trash::UndoDelete;

/// One page of a contact's or a company's timeline (a company's holds its contacts' activities
/// too), or of everyone's (`kind` None), newest first, before the cursor `before`.
#[server(endpoint = "activities/timeline")]
pub async fn activity_timeline(
    kind: Option<RecordKind>,
    id: Option<i64>,
    before: Option<String>,
) -> Result<Timeline, AppError> {
    use crate::server::{context, records};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        records::timeline(&context::db()?, &user, kind.zip(id), before.as_deref()).await
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "activities/save")]
pub async fn save_activity(
    id: String,
    version: String,
    kind: String,
    subject: String,
    body: String,
    happened_at: String,
    contact: String,
    company: String,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{context, records};
    let input = crate::domain::ActivityInput {
        kind,
        subject,
        body,
        happened_at,
        contact,
        company,
    };
    context::respond(records::submit(&id, &version, idempotency_key, input).await)
}

/// An activity, and whether the viewer may change it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivityDetails {
    pub activity: ActivityView,
    pub can_change: bool,
    pub now: i64,
}

#[server(endpoint = "activities/get")]
pub async fn get_activity(id: i64) -> Result<ActivityDetails, AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context, records};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        let activity = db.activity(id).await?.ok_or(AppError::NotFound)?;
        let can_change = user.role.allows(Role::Member)
            && records::may_change(&db, &user, RecordKind::Activity, id)
                .await
                .is_ok();
        Ok(ActivityDetails {
            activity,
            can_change,
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

fn kind_options() -> Vec<(String, String)> {
    ActivityKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect()
}

/// A record's "Timeline": the "Log activity" form for those who may, then a page of its
/// activities (newest first, paged with `?timeline=<cursor>`), loaded with the page
/// (`record::Sections`).
#[component]
pub fn RecordTimeline(kind: RecordKind, id: i64, page: Timeline) -> impl IntoView {
    let saved = use_query_map().read_untracked().get("activity").is_some();
    let form = page.can_log.then(|| {
        let (contact, company) = match kind {
            RecordKind::Contact => (Some(id), None),
            _ => (None, Some(id)),
        };
        view! { <LogActivity contact company /> }
    });
    let older = page
        .older
        .clone()
        .map(|cursor| format!("{}?timeline={cursor}#timeline", kind.path(id)));
    view! {
        <section aria-labelledby="timeline" class="timeline">
            <h2 id="timeline">"Timeline"</h2>
            {saved.then(|| view! { <p role="status" class="flash">"Activity saved."</p> })}
            <UndoDelete kind=RecordKind::Activity />
            {form}
            {entries_view(page, older, kind)}
        </section>
    }
}

/// The entries of a timeline page and the link to older ones. `on` is the kind of record whose
/// page shows them: each entry names the other records it is about.
pub fn entries_view(page: Timeline, older: Option<String>, on: RecordKind) -> impl IntoView {
    if page.entries.is_empty() {
        return view! { <p class="empty">"No activities yet."</p> }.into_any();
    }
    // A timeline shows up to a page of entries on busy pages (home, a record's page, the team's
    // activity): written with maud (components/rows.rs).
    let entries = Rows::new(&page.entries, |entry| {
        entry_html(entry, page.now, on, page.may_change(entry))
    });
    view! {
        <ol class="changes activities" inner_html=entries.into_html()></ol>
        {older.map(|href| view! {
            <nav class="pager" aria-label="Older activities"><a href=href>"Older activities"</a></nav>
        })}
    }
    .into_any()
}

fn entry_html(entry: &ActivityView, now: i64, on: RecordKind, may_change: bool) -> Markup {
    let author = if entry.author.is_empty() {
        "a former user"
    } else {
        entry.author.as_str()
    };
    let contact = entry.contact.as_ref().filter(|_| on != RecordKind::Contact);
    let company = entry
        .company
        .as_ref()
        .filter(|_| on == RecordKind::Activity);
    html! {
        li {
            p {
                span class={ "badge activity-" (entry.kind.as_str()) } { (entry.kind.label()) } " "
                a href=(RecordKind::Activity.path(entry.id)) { strong { (entry.subject) } }
                " · " (author) " · " (when(entry.happened_at, now))
                @if let Some((id, name)) = contact {
                    " · " a href=(RecordKind::Contact.path(*id)) { (name) }
                }
                @if let Some((id, name)) = company {
                    " · " a href=(RecordKind::Company.path(*id)) { (name) }
                }
                @if may_change {
                    span class="entry-actions" {
                        " · " a href=(RecordKind::Activity.edit_path(entry.id)) aria-label={ "Edit " (entry.subject) } { "Edit" }
                    }
                }
            }
            @if !entry.body.is_empty() {
                p class="notes" { (entry.body) }
            }
        }
    }
}

/// The short "Log activity" form of a record's page (a plain form: the server answers with the
/// page again, the error and the typed values kept when something was wrong).
#[component]
fn LogActivity(contact: Option<i64>, company: Option<i64>) -> impl IntoView {
    let save = server_action::<SaveActivity>();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let failed = error.get_untracked();
    set_status_for(failed.as_ref());
    let value = move |name: &str| typed_or(failed.as_ref(), name, "");
    let field = move |name: &'static str| field_error(error, name);
    let general = general_error(error);
    let kind = value("kind");
    view! {
        <ActionForm action=save attr:class="log-activity" attr:aria-label="Log activity">
            <IdempotencyField action=save />
            <FormAlert error=general />
            <input type="hidden" name="id" value="" />
            <input type="hidden" name="version" value="0" />
            <input type="hidden" name="contact" value=contact.map(|id| id.to_string()).unwrap_or_default() />
            <input type="hidden" name="company" value=company.map(|id| id.to_string()).unwrap_or_default() />
            <div class="grid">
                <SelectField form="log" name="kind" label="Kind" options=kind_options() selected=kind error=field("kind") />
                <Field form="log" name="subject" label="Subject" value=value("subject") error=field("subject") required=true />
                <Field form="log" name="happened_at" label="When (UTC)" kind="datetime-local" value=value("happened_at") error=field("happened_at") hint="Leave empty for now." />
            </div>
            <TextAreaField form="log" name="body" label="Details" value=value("body") error=field("body") rows=3 />
            <button type="submit" class="primary">"Log activity"</button>
        </ActionForm>
    }
}

async fn load_activity(id: Option<i64>) -> Result<ActivityDetails, AppError> {
    match id {
        Some(id) => get_activity(id).await,
        None => Err(AppError::NotFound),
    }
}

/// `/activities/:id`: an activity in full, with its history.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_activity);
    let cursors = SectionCursors::from_query();
    let page = move || {
        let cursors = cursors.clone();
        Suspend::new(async move {
            let ActivityDetails {
                activity: a,
                can_change,
                now,
            } = details.await?;
            let sections = cursors.load(RecordKind::Activity, a.id).await?;
            let about = |record: Option<(i64, String)>, kind: RecordKind| {
                record.map(|(id, name)| view! { <a href=kind.path(id)>{name}</a> })
            };
            Ok::<_, AppError>(view! {
                <RecordHeading kind=RecordKind::Activity id=a.id name=a.subject.clone() can_edit=can_change />
                <dl class="details">
                    <dt>"Kind"</dt><dd>{a.kind.label()}</dd>
                    <dt>"When"</dt><dd><When at=a.happened_at now /></dd>
                    <dt>"Logged by"</dt><dd>{a.author.clone()}</dd>
                    <dt>"Contact"</dt><dd>{about(a.contact.clone(), RecordKind::Contact)}</dd>
                    <dt>"Company"</dt><dd>{about(a.company.clone(), RecordKind::Company)}</dd>
                    <dt>"Details"</dt><dd class="notes">{a.body.clone()}</dd>
                </dl>
                {sections.view()}
            })
        })
    };
    view! {
        <RecordFlash kind=RecordKind::Activity />
        <LiveRecord kind=RecordKind::Activity id=id.get_untracked() />
        {page}
    }
}

/// `/activities/:id/edit`, for its author or an admin.
#[component]
pub fn EditActivityPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(move || id.get(), load_activity);
    let save = server_action::<SaveActivity>();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    let page = move || {
        Suspend::new(async move {
            let ActivityDetails {
                activity,
                can_change,
                ..
            } = details.await?;
            may_edit(can_change)?;
            let failed = error.get_untracked();
            let version = match &failed {
                Some(AppError::StaleEdit(stale)) => stale.version,
                _ => activity.version,
            };
            let initial = activity.input();
            let value = move |name: &str, fallback: &str| typed_or(failed.as_ref(), name, fallback);
            let field = move |name: &'static str| field_error(error, name);
            let general = general_error(error);
            let cancel = RecordKind::Activity.path(activity.id);
            Ok::<_, AppError>(view! {
                <FormHeading kind=RecordKind::Activity record=Some((activity.id, activity.subject.clone())) />
                <ActionForm action=save attr:class="record-form">
                    <IdempotencyField action=save />
                    <FormAlert error=general />
                    <StaleEditNotice error labels=RecordKind::Activity.fields() />
                    <input type="hidden" name="id" value=activity.id.to_string() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <input type="hidden" name="contact" value=initial.contact.clone() />
                    <input type="hidden" name="company" value=initial.company.clone() />
                    <div class="grid">
                        <SelectField form="activity" name="kind" label="Kind" options=kind_options() selected=value("kind", &initial.kind) error=field("kind") />
                        <Field form="activity" name="subject" label="Subject" value=value("subject", &initial.subject) error=field("subject") required=true />
                        <Field form="activity" name="happened_at" label="When (UTC)" kind="datetime-local" value=value("happened_at", &moment_field(activity.happened_at)) error=field("happened_at") />
                    </div>
                    <TextAreaField form="activity" name="body" label="Details" value=value("body", &initial.body) error=field("body") />
                    <div class="actions">
                        <button type="submit" class="primary">"Save"</button>
                        <a href=cancel>"Cancel"</a>
                    </div>
                </ActionForm>
            })
        })
    };
    view! {
        <LiveRecord kind=RecordKind::Activity id=id.get_untracked() editing=true />
        {page}
    }
}

/// `/activities`: the team's recent activity, newest first.
#[component]
pub fn ActivitiesPage() -> impl IntoView {
    let before = use_query_map().read_untracked().get("before");
    let data = Resource::new(
        move || before.clone(),
        |before| activity_timeline(None, None, before),
    );
    let entries = move || {
        Suspend::new(async move {
            let page = data.await?;
            let older = page
                .older
                .clone()
                .map(|cursor| format!("{}?before={cursor}", RecordKind::Activity.list_path()));
            Ok::<_, AppError>(entries_view(page, older, RecordKind::Activity))
        })
    };
    view! {
        <Title text="Activities" />
        <h1>"Activities"</h1>
        <p>"What the team logged, newest first. Log an activity from a contact's or a company's page."</p>
        <UndoDelete kind=RecordKind::Activity />
        <LiveList kind=RecordKind::Activity />
        <div id=RESULTS_ID>{entries}</div>
    }
}
