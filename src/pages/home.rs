use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::{ContactStatus, RecordKind, TaskList, Timeline, Total, WorkspaceSummary};
use crate::error::AppError;

/// Facts about this deployment, read from the database (for signed-in users only: nothing about
/// the workspace is told to anonymous visitors).
#[server(endpoint = "workspace/summary")]
pub async fn load_workspace_summary() -> Result<WorkspaceSummary, AppError> {
    use crate::server::context;
    let result = async {
        context::require_user()?;
        context::db()?
            .workspace_summary()
            .await
            .map_err(context::internal)
    }
    .await;
    context::respond(result)
}

/// What a signed-in user's home page shows: their overdue and due-today tasks, the team's
/// recent activity, and how many records there are.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dashboard {
    pub tasks: TaskList,
    pub recent: Timeline,
    pub statuses: Vec<(ContactStatus, Total)>,
    pub companies: Total,
}

#[server(endpoint = "home/dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    use crate::server::{context, records};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        let tasks = records::tasks::due_today(&db, &user).await?;
        let mut recent = records::timeline(&db, &user, None, None).await?;
        // The ten most recent on the home page.
        recent.entries.truncate(10);
        recent.older = None;
        let (statuses, companies) = db.record_counts().await?;
        Ok(Dashboard {
            tasks,
            recent,
            statuses,
            companies,
        })
    }
    .await;
    context::respond(result)
}

/// The signed-in part of the home page.
fn dashboard(data: Dashboard) -> impl IntoView {
    let Dashboard {
        tasks,
        recent,
        statuses,
        companies,
    } = data;
    let counts = statuses
        .into_iter()
        .map(|(status, total)| {
            let href = format!("{}?status={}", RecordKind::Contact.list_path(), status.as_str());
            view! {
                <li><a href=href>{total.describe(&format!("{} contact", status.label().to_lowercase()), &format!("{} contacts", status.label().to_lowercase()))}</a></li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="my-tasks">
            <h2 id="my-tasks">"My tasks: overdue and due today"</h2>
            {crate::pages::tasks::task_table(&tasks, "My tasks due today")}
            <p>
                {tasks.next.is_some().then_some("Only the first 10 are shown. ")}
                <a href=RecordKind::Task.list_path()>"All my tasks"</a>
            </p>
        </section>
        <section class="card" aria-labelledby="recent">
            <h2 id="recent">"Recent activity"</h2>
            {crate::pages::activities::entries_view(recent, None, RecordKind::Activity)}
            <p><a href=RecordKind::Activity.list_path()>"All activity"</a></p>
        </section>
        <section class="card" aria-labelledby="counts">
            <h2 id="counts">"Records"</h2>
            <ul class="counts">
                {counts}
                <li><a href=RecordKind::Company.list_path()>{companies.describe("company", "companies")}</a></li>
            </ul>
        </section>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let user = expect_context::<crate::pages::auth::CurrentUserResource>().0;

    view! {
        <Title text="Home" />
        <section class="hero">
            <h1>"Welcome to Clientele"</h1>
            <p class="lede">
                "Your team's companies, contacts and activities in one place, on your own server."
            </p>
        </section>
        // No <Transition> around it: on the server a transition resolves its children more
        // than once, and this one reads the summary each time.
        {move || Suspend::new(async move {
                match user.await {
                    // Read here, on the server; the card is an island that gets it as a prop.
                    Ok(Some(_)) => match (load_dashboard().await, load_workspace_summary().await) {
                        (Ok(data), Ok(summary)) => view! {
                            {dashboard(data)}
                            <WorkspaceCard summary />
                        }
                        .into_any(),
                        (Err(error), _) | (_, Err(error)) => Err::<(), AppError>(error).into_any(),
                    },
                    _ => view! {
                        <section class="card">
                            <p>
                                <a href="/login">"Sign in"</a>
                                " to see your team's workspace."
                            </p>
                        </section>
                    }
                    .into_any(),
                }
            })}
    }
}

/// The workspace card: an island, so "Refresh status" refreshes it in place.
#[island]
fn WorkspaceCard(summary: WorkspaceSummary) -> impl IntoView {
    // Counts the successful presses of "Refresh status"; each press fetches the summary again.
    let refreshes = RwSignal::new(0u32);
    // Why the last press failed, if it did.
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let summary = RwSignal::new(summary);
    view! {
        <section class="card" aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">"Workspace"</h2>
        // Only the three values are reactive (text nodes), so the browser code never builds the
        // list's elements, it only hydrates them.
        <WorkspaceFacts summary />
        // Without JavaScript this form simply reloads the page; with it, only the card is refreshed.
        <form method="get" action="/" class="inline-form">
            <button
                type="submit"
                aria-busy=move || busy.get().then_some("true")
                on:click=move |ev| {
                    ev.prevent_default();
                    busy.set(true);
                    leptos::task::spawn_local(async move {
                        match refresh_summary().await {
                            Ok(fresh) => {
                                summary.set(fresh);
                                failure.set(None);
                                refreshes.update(|n| *n += 1);
                            }
                            Err(error) => {
                                failure.set(Some(format!("The status could not be refreshed: {error}")))
                            }
                        }
                        busy.set(false);
                    });
                }
            >
                "Refresh status"
            </button>
        </form>
        // (Plain `Option`s rather than `<Show>`: the same elements when shown, less code in the
        // bundle.)
        {move || {
            failure.get().map(|text| view! { <p role="alert" class="form-alert">{text}</p> })
        }}
        {move || {
            (refreshes.get() > 0 && failure.with(Option::is_none))
                .then(|| {
                    view! {
                        <p role="status" class="flash">
                            {move || match refreshes.get() {
                                1 => "Status refreshed.".to_string(),
                                n => format!("Status refreshed ({n} times)."),
                            }}
                        </p>
                    }
                })
        }}
    </section>
    }
}

/// The summary again, for "Refresh status": in the browser through the one non-generic server
/// call (`island_form::call_json`), so server_fn's client code stays out of the WASM bundle.
async fn refresh_summary() -> Result<WorkspaceSummary, AppError> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::server_fn::ServerFn;
        crate::components::island_form::call_json(<LoadWorkspaceSummary as ServerFn>::PATH).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        load_workspace_summary().await
    }
}

#[component]
fn WorkspaceFacts(summary: RwSignal<WorkspaceSummary>) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>"Name"</dt>
            <dd>{move || summary.with(|s| s.name.clone())}</dd>
            <dt>"Created on"</dt>
            <dd>{move || summary.with(|s| s.created_on().to_string())}</dd>
            <dt>"Database"</dt>
            <dd>{move || summary.with(|s| format!("Ready (schema version {})", s.schema_version))}</dd>
        </dl>
    }
}
