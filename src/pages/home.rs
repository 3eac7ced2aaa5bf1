use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::WorkspaceSummary;
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
        <Transition>
            {move || Suspend::new(async move {
                match user.await {
                    // Read here, on the server; the card is an island that gets it as a prop.
                    Ok(Some(_)) => match load_workspace_summary().await {
                        Ok(summary) => view! { <WorkspaceCard summary /> }.into_any(),
                        Err(error) => Err::<(), AppError>(error).into_any(),
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
        </Transition>
    }
}

/// The workspace card: an island, so "Refresh status" refreshes it in place.
#[island]
fn WorkspaceCard(summary: WorkspaceSummary) -> impl IntoView {
    // Counts the presses of "Refresh status"; each one fetches the summary again.
    let refreshes = RwSignal::new(0u32);
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
                on:click=move |ev| {
                    ev.prevent_default();
                    leptos::task::spawn_local(async move {
                        if let Ok(fresh) = refresh_summary().await {
                            summary.set(fresh);
                            refreshes.update(|n| *n += 1);
                        }
                    });
                }
            >
                "Refresh status"
            </button>
        </form>
        // (A plain `Option` rather than `<Show>`: the same element when shown, less code in the
        // bundle.)
        {move || {
            (refreshes.get() > 0)
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
/// call (`form::call_json`), so server_fn's client code stays out of the WASM bundle.
async fn refresh_summary() -> Result<WorkspaceSummary, AppError> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::server_fn::ServerFn;
        crate::components::form::call_json(<LoadWorkspaceSummary as ServerFn>::PATH).await
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
