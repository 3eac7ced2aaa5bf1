use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::pages::login_url;

/// What a page shows when loading it failed. A page that needs a signed-in user sends visitors to
/// the login page (which brings them back); other failures get a friendly explanation with the
/// error's HTTP status. Internal details never appear here; the server log has them.
#[component]
pub fn ErrorPage(
    errors: ArcRwSignal<Errors>,
    /// The address of the page that failed (path and query), to come back to after signing in.
    here: String,
) -> impl IntoView {
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

    // Read once and rendered without reactive children: the fallback may render where no reactive
    // owner is left (async server rendering).
    let shown = messages();
    if shown.contains(&AppError::Unauthorized) {
        send_to(login_url(&here));
        return view! { <p role="status">"Please sign in to continue."</p> }.into_any();
    }

    #[cfg(feature = "ssr")]
    crate::server::context::set_status(
        shown
            .iter()
            .max_by_key(|error| error.status())
            .unwrap_or(&AppError::Internal),
    );

    let heading = if shown.contains(&AppError::Forbidden) {
        "Not allowed"
    } else if shown.contains(&AppError::NotFound) {
        "Not found"
    } else {
        "Something went wrong"
    };

    view! {
        <Title text=heading />
        <section class="error-page">
            <h1>{heading}</h1>
            <div role="alert">
                {shown.into_iter().map(|message| view! { <p>{message.to_string()}</p> }).collect_view()}
            </div>
            <p>
                <a href="/">"Back to the home page"</a>
            </p>
        </section>
    }
    .into_any()
}

/// Sends the browser to `url`: a 302 while rendering on the server, a page load in the browser
/// (which also refreshes what the page knows about the signed-in user).
fn send_to(url: String) {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&url);
    #[cfg(not(feature = "ssr"))]
    {
        let _ = window().location().set_href(&url);
    }
}
