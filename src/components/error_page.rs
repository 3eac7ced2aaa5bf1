use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;

/// The friendly page shown when rendering a page failed. Internal details never appear here; the
/// server log has them.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| {
                error
                    .downcast_ref::<AppError>()
                    .cloned()
                    .unwrap_or(AppError::Internal)
            })
            .collect::<Vec<_>>()
    };

    #[cfg(feature = "ssr")]
    {
        let status = messages()
            .iter()
            .map(AppError::status_code)
            .max()
            .unwrap_or(500);
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                axum::http::StatusCode::from_u16(status)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }

    view! {
        <Title text="Something went wrong" />
        <section class="error-page">
            <h1>"Something went wrong"</h1>
            <div role="alert">
                <For each=messages key=|m| m.to_string() let:message>
                    <p>{message.to_string()}</p>
                </For>
            </div>
            <p>
                <a href="/">"Back to the home page"</a>
            </p>
        </section>
    }
}
