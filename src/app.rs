//! The root component and the route table (the document around them is `shell`).

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::Layout;
use crate::domain::RecordKind;
use crate::pages::activities::{ActivitiesPage, ActivityPage, EditActivityPage};
use crate::pages::admin::UsersPage;
use crate::pages::api_docs::ApiDocsPage;
use crate::pages::auth::{provide_auth, LoginPage, RegisterPage};
use crate::pages::companies::{CompaniesPage, CompanyPage, EditCompanyPage, NewCompanyPage};
use crate::pages::contacts::{ContactPage, ContactsPage, EditContactPage, NewContactPage};
use crate::pages::history::HistoryAdminPage;
use crate::pages::import::{ImportPage, ImportRunPage};
use crate::pages::record::DeleteRecordPage;
use crate::pages::settings::{SessionsPage, SettingsPage};
use crate::pages::tasks::{EditTaskPage, TaskPage, TasksPage};
use crate::pages::tokens::TokensPage;
use crate::pages::trash::TrashPage;
use crate::pages::{home::HomePage, not_found::NotFoundPage};

/// The document title for a page's title. leptos_meta writes the server's `<title>` without
/// escaping it, so on the server the text is escaped here (a record named `</title><script>` must
/// stay text); in the browser it is set as plain text.
fn title_text(page: String) -> String {
    crate::components::form::server_escaped(if page.is_empty() {
        "Clientele".to_string()
    } else {
        format!("{page} · Clientele")
    })
}

/// The root component: every page, rendered on the server (the browser hydrates only islands).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_auth();
    crate::components::flash::provide_flash();

    view! {
        <Title formatter=title_text />
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
                    <Route path=path!("/settings/tokens") view=TokensPage ssr=SsrMode::Async />
                    <Route path=path!("/api/docs") view=ApiDocsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/history") view=HistoryAdminPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts") view=ContactsPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/new") view=NewContactPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/:id") view=ContactPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/:id/edit") view=EditContactPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/:id/delete") view=|| view! { <DeleteRecordPage kind=RecordKind::Contact /> } ssr=SsrMode::Async />
                    <Route path=path!("/companies") view=CompaniesPage ssr=SsrMode::Async />
                    <Route path=path!("/companies/new") view=NewCompanyPage ssr=SsrMode::Async />
                    <Route path=path!("/companies/:id") view=CompanyPage ssr=SsrMode::Async />
                    <Route path=path!("/companies/:id/edit") view=EditCompanyPage ssr=SsrMode::Async />
                    <Route path=path!("/companies/:id/delete") view=|| view! { <DeleteRecordPage kind=RecordKind::Company /> } ssr=SsrMode::Async />
                    <Route path=path!("/activities") view=ActivitiesPage ssr=SsrMode::Async />
                    <Route path=path!("/activities/:id") view=ActivityPage ssr=SsrMode::Async />
                    <Route path=path!("/activities/:id/edit") view=EditActivityPage ssr=SsrMode::Async />
                    <Route path=path!("/activities/:id/delete") view=|| view! { <DeleteRecordPage kind=RecordKind::Activity /> } ssr=SsrMode::Async />
                    <Route path=path!("/tasks") view=TasksPage ssr=SsrMode::Async />
                    <Route path=path!("/tasks/:id") view=TaskPage ssr=SsrMode::Async />
                    <Route path=path!("/tasks/:id/edit") view=EditTaskPage ssr=SsrMode::Async />
                    <Route path=path!("/tasks/:id/delete") view=|| view! { <DeleteRecordPage kind=RecordKind::Task /> } ssr=SsrMode::Async />
                    <Route path=path!("/trash") view=TrashPage ssr=SsrMode::Async />
                    <Route path=path!("/import") view=ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/import/:id") view=ImportRunPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}
