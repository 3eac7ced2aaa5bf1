//! The HTML shell, the root component and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::Layout;
use crate::pages::admin::UsersPage;
use crate::pages::auth::{provide_auth, LoginPage, RegisterPage};
use crate::pages::settings::{SessionsPage, SettingsPage};
use crate::pages::{home::HomePage, not_found::NotFoundPage};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component, shared by server rendering and hydration.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_auth();

    view! {
        <Stylesheet id="leptos" href="/pkg/clientele.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Clientele".to_string() } else { format!("{page} · Clientele") }
        } />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    // Every page renders completely before the response starts: content is in
                    // place without JavaScript, and a page can still set its status or redirect.
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/settings/sessions") view=SessionsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}
