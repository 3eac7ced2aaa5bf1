use leptos::prelude::*;
use leptos_router::components::A;

use super::error_page::ErrorPage;

/// The frame of every page: skip link, header with the product name and navigation, main content
/// (inside an error boundary), footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a class="brand" href="/">
                "Clientele"
            </a>
            <nav aria-label="Main">
                <ul>
                    <li>
                        <A href="/">"Home"</A>
                    </li>
                </ul>
            </nav>
        </header>
        <main id="main" tabindex="-1">
            <ErrorBoundary fallback=|errors| view! { <ErrorPage errors /> }>{children()}</ErrorBoundary>
        </main>
        <footer class="site-footer">
            <p>"Clientele — a self-hosted CRM for small teams."</p>
        </footer>
    }
}
