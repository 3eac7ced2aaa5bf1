//! `/import`: upload a CSV file (plain multipart form, see `server::import::upload`), map its
//! columns, check it (the dry run's counts and invalid rows), import it, follow its progress (the
//! page reloads itself while work is under way, with or without JavaScript), cancel it, and undo
//! it as one unit from the list of past imports.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::flash::{note, server_action};
use crate::components::form::{set_status_for, FormAlert};
use crate::components::records::use_id_param;
use crate::domain::{
    ago, import_fields, thousands, ImportState, ImportView, OnExisting, RecordKind,
};
use crate::error::AppError;
use crate::paths;

/// The imports, newest first, and whether this user may start one.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Imports {
    pub imports: Vec<ImportView>,
    pub can_import: bool,
    pub now: i64,
}

#[server(endpoint = "import/list")]
pub async fn list_imports() -> Result<Imports, AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        Ok(Imports {
            imports: context::db()?.recent_imports(50).await?,
            can_import: user.role.allows(Role::Member),
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "import/get")]
pub async fn get_import(id: i64) -> Result<Imports, AppError> {
    use crate::domain::Role;
    use crate::server::{auth::session, context};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        let import = context::db()?
            .import(id, 200)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Imports {
            imports: vec![import],
            can_import: user.role.allows(Role::Member),
            now: session::now(),
        })
    }
    .await;
    context::respond(result)
}

/// The next step of import `id`: `check` (with the mapping and rule chosen), `run`, `cancel`,
/// `remap` (back to the mapping) or `undo`; long work goes on in the background.
#[server(endpoint = "import/step")]
pub async fn import_step(
    id: i64,
    step: String,
    #[server(default)] mapping: Vec<String>,
    #[server(default)] on_existing: String,
) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{context, import};
    let result: Result<(), AppError> = async {
        let user = context::require_role(Role::Member)?;
        let db = context::db()?;
        let view = db.import(id, 0).await?.ok_or(AppError::NotFound)?;
        let moved = match step.as_str() {
            "check" => {
                let fields = import_fields(view.kind);
                let mapping: Vec<Option<&str>> = (0..view.header.len())
                    .map(|i| {
                        let chosen = mapping.get(i).map(String::as_str).unwrap_or_default();
                        fields.iter().find(|(f, _)| *f == chosen).map(|(f, _)| *f)
                    })
                    .collect();
                let on_existing = on_existing.parse().unwrap_or_default();
                let from = view.state.as_str();
                if !matches!(view.state, ImportState::Uploaded | ImportState::Checked) {
                    false
                } else {
                    db.plan_import(id, &mapping, on_existing).await?;
                    db.move_import(id, from, "checking").await?
                }
            }
            "run" => db.move_import(id, "checked", "running").await?,
            "remap" => db.move_import(id, "checked", "uploaded").await?,
            "cancel" => db.cancel_import(id).await?,
            "undo" => {
                let from = view.state.as_str();
                view.state.wrote() && db.move_import(id, from, "undone").await?
            }
            _ => false,
        };
        if !moved {
            return Err(AppError::Conflict(
                "This import has moved on meanwhile: here is where it is now.".into(),
            ));
        }
        if matches!(step.as_str(), "check" | "run" | "undo") {
            import::spawn(db, id, user, step);
        }
        context::redirect(&paths::import_path(id));
        Ok(())
    }
    .await;
    context::respond(result)
}

/// `/import`: the upload form and the past imports.
#[component]
pub fn ImportPage() -> impl IntoView {
    let imports = Resource::new(|| (), |()| list_imports());
    let upload_error = note("upload");
    let page = move || {
        let upload_error = upload_error.clone();
        Suspend::new(async move {
            let Imports {
                imports,
                can_import,
                now,
            } = imports.await?;
            let form = can_import.then(|| view! { <UploadForm error=upload_error /> });
            let past = if imports.is_empty() {
                view! { <p class="empty">"No imports yet."</p> }.into_any()
            } else {
                let rows = imports
                    .into_iter()
                    .map(|i| {
                        let c = i.counts;
                        view! {
                            <tr>
                                <td><a href=paths::import_path(i.id)>{i.file_name.clone()}</a></td>
                                <td>{i.kind.title()}</td>
                                <td>{i.by.clone()}</td>
                                <td>{ago(now - i.created_at)}</td>
                                <td>{i.state.label()}</td>
                                <td>{format!("{} created, {} updated, {} skipped, {} invalid", thousands(c.created), thousands(c.updated), thousands(c.skipped), thousands(c.invalid))}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table class="records">
                        <caption>"Past imports"</caption>
                        <thead><tr>
                            <th scope="col">"File"</th><th scope="col">"Records"</th><th scope="col">"By"</th>
                            <th scope="col">"When"</th><th scope="col">"State"</th><th scope="col">"Rows"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            };
            Ok::<_, AppError>(view! { {form} {past} })
        })
    };
    view! {
        <Title text="Import" />
        <h1>"Import"</h1>
        <p>"Bring contacts or companies in from a spreadsheet saved as CSV (UTF-8; comma, semicolon or tab separated). You choose what each column holds and see what would happen before anything is written; an import can be undone."</p>
        <p>"Starting a spreadsheet? Download a sample file of "
            <a href=paths::IMPORT_SAMPLE download>"contacts"</a>" or of "
            <a href=paths::IMPORT_SAMPLE_COMPANIES download>"companies"</a>
            ": the columns an import recognises, in the format an export writes."</p>
        {page}
    }
}

#[component]
fn UploadForm(error: Option<String>) -> impl IntoView {
    let error = error.map(|e| view! { <p role="alert" class="form-error">{e}</p> });
    view! {
        <form method="post" action=paths::IMPORT_UPLOAD enctype="multipart/form-data" class="record-form" aria-label="Upload a CSV file">
            {error}
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" type="file" name="file" accept=".csv,.tsv,.txt,text/csv" required />
            </div>
            <div class="field">
                <label for="import-kind">"It holds"</label>
                <select id="import-kind" name="kind">
                    <option value="contact">"Contacts"</option>
                    <option value="company">"Companies"</option>
                </select>
            </div>
            <div class="actions"><button type="submit" class="primary">"Upload and map columns"</button></div>
        </form>
    }
}

/// `/import/:id`: one import, at whatever step it is.
#[component]
pub fn ImportRunPage() -> impl IntoView {
    let id = use_id_param();
    let details = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_import(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let step = server_action::<ImportStep>();
    let error = Signal::derive(move || step.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    let page = move || {
        Suspend::new(async move {
            let Imports {
                mut imports,
                can_import,
                now,
            } = details.await?;
            let import = imports.pop().ok_or(AppError::NotFound)?;
            let undoing = import.state == ImportState::Undone && import.message.is_empty();
            let busy = import.state.is_busy() || undoing;
            // The page reloads itself while work goes on: the header for a page loaded from the
            // server, the meta tag for one reached by a link in the live app.
            #[cfg(feature = "ssr")]
            if busy {
                crate::server::context::refresh_after(2);
            }
            let refresh = busy.then(|| view! { <Meta http_equiv="refresh" content="2" /> });
            let c = import.counts;
            let title = format!("Import of {}", import.file_name);
            let state = if undoing {
                "Undoing"
            } else {
                import.state.label()
            };
            let progress = busy.then(|| {
                let max = import.rows_total.max(import.rows_done).max(1);
                view! {
                    <p role="status">
                        <progress max=max.to_string() value=import.rows_done.to_string()>{import.rows_done.to_string()}</progress>
                        " " {format!("{} rows so far", thousands(import.rows_done))}
                    </p>
                    // The page reloads itself; a browser that blocks that gets a link.
                    <p class="hint">"This page follows the work every 2 seconds. "
                        <a href=paths::import_path(import.id)>"Refresh now"</a>
                    </p>
                }
            });
            let verb = match import.state {
                ImportState::Checked => "will be",
                _ => "were",
            };
            let counts = (import.state != ImportState::Uploaded).then(|| view! {
                <p class="count">{format!(
                    "{} rows: {} {verb} created, {} updated, {} skipped, {} invalid.",
                    thousands(c.rows()), thousands(c.created), thousands(c.updated), thousands(c.skipped), thousands(c.invalid)
                )}</p>
            });
            let message = (!import.message.is_empty()).then(|| {
                let role = if matches!(import.state, ImportState::Uploaded | ImportState::Failed) {
                    "alert"
                } else {
                    "status"
                };
                view! { <p role=role class="flash">{import.message.clone()}</p> }
            });
            let problems = (!import.problems.is_empty()).then(|| {
                let rows = import.problems.iter().map(|(line, reason)| view! {
                    <tr><td>{line.to_string()}</td><td>{reason.clone()}</td></tr>
                }).collect_view();
                let more = (c.invalid > import.problems.len() as u64).then(|| view! {
                    <p>{format!("The first {} of {} invalid rows are shown.", import.problems.len(), thousands(c.invalid))}</p>
                });
                view! {
                    <table class="records">
                        <caption>"Invalid rows (not imported)"</caption>
                        <thead><tr><th scope="col">"Line"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {more}
                }
            });
            let actions = can_import.then(|| actions(&import, step));
            Ok::<_, AppError>(view! {
                <Title text=title.clone() />
                {refresh}
                <p class="breadcrumb"><a href=paths::IMPORT>"Import"</a></p>
                <h1>{title}</h1>
                <p>{format!("{} · uploaded by {} {}", import.kind.title(), import.by, ago(now - import.created_at))}</p>
                <p><strong>{state}</strong></p>
                {progress}
                {counts}
                {message}
                {actions}
                {problems}
            })
        })
    };
    view! {
        <FormAlert error />
        {page}
    }
}

/// The buttons of an import's current step.
fn actions(import: &ImportView, step: ServerAction<ImportStep>) -> AnyView {
    let id = import.id;
    let button = move |name: &'static str, label: String, class: &'static str| {
        view! {
            <ActionForm action=step attr:class="inline">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="step" value=name />
                <button type="submit" class=class>{label}</button>
            </ActionForm>
        }
    };
    match import.state {
        ImportState::Uploaded => view! { <MappingForm import=import.clone() step /> }.into_any(),
        ImportState::Checked => view! {
            <div class="actions">
                {button("run", format!("Import {} rows", thousands(import.counts.written())), "primary")}
                {button("remap", "Change the mapping".into(), "")}
            </div>
        }
        .into_any(),
        ImportState::Checking | ImportState::Running => button("cancel", "Cancel".into(), "danger").into_any(),
        ImportState::Done | ImportState::Failed | ImportState::Cancelled => {
            button("undo", "Undo this import".into(), "danger").into_any()
        }
        ImportState::Undone => ().into_any(),
    }
}

/// Which field each column holds (guessed from its heading), and what to do with records that
/// exist already.
#[component]
fn MappingForm(import: ImportView, step: ServerAction<ImportStep>) -> impl IntoView {
    let fields = import_fields(import.kind);
    let columns = import
        .header
        .iter()
        .enumerate()
        .map(|(i, heading)| {
            let chosen = import.mapping.get(i).cloned().flatten().unwrap_or_default();
            let id = format!("column-{i}");
            let label = if heading.trim().is_empty() { format!("Column {}", i + 1) } else { heading.clone() };
            let options = std::iter::once(("", "Ignore this column"))
                .chain(fields.iter().copied())
                .map(|(value, text)| view! { <option value=value selected=value == chosen>{text}</option> })
                .collect_view();
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <select id=id name=format!("mapping[{i}]")>{options}</select>
                </div>
            }
        })
        .collect_view();
    let matched_by = match import.kind {
        RecordKind::Company => "When a company with the same domain (or name) exists",
        _ => "When a contact with the same e-mail exists",
    };
    let rules = OnExisting::ALL
        .into_iter()
        .map(|rule| view! { <option value=rule.as_str() selected=rule == import.on_existing>{rule.label()}</option> })
        .collect_view();
    view! {
        <ActionForm action=step attr:class="record-form" attr:aria-label="Map the columns">
            <input type="hidden" name="id" value=import.id.to_string() />
            <input type="hidden" name="step" value="check" />
            <fieldset>
                <legend>"What each column holds"</legend>
                <div class="grid">{columns}</div>
            </fieldset>
            <div class="field">
                <label for="on-existing">{matched_by}</label>
                <select id="on-existing" name="on_existing">{rules}</select>
            </div>
            <div class="actions"><button type="submit" class="primary">"Check the file"</button></div>
            <p class="hint">"Nothing is written until you press “Import” after the check."</p>
        </ActionForm>
    }
}
