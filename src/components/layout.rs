use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use super::error_page::ErrorPage;
use crate::domain::{RecordKind, Role};
use crate::pages::auth::{CurrentUserResource, SignOutButton};
use crate::paths;

/// The frame of every page: skip link, header with the product name, navigation and who is signed
/// in, main content (inside an error boundary), footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let user = expect_context::<CurrentUserResource>().0;
    let owner = Owner::current();
    // Read here, inside the router; the error page uses it to come back after signing in.
    let location = use_location();
    let here = move || {
        let search = location.search.get_untracked();
        if search.is_empty() {
            location.pathname.get_untracked()
        } else {
            format!("{}?{search}", location.pathname.get_untracked())
        }
    };
    let account = move || {
        Suspend::new(async move {
            match user.await {
                Ok(Some(user)) => {
                    let is_admin = user.role.allows(Role::Admin);
                    view! {
                        <div class="account">
                            <span class="who">
                                "Signed in as " <strong>{user.name.clone()}</strong>
                            </span>
                            {is_admin.then(|| view! { <A href=paths::ADMIN_USERS>"Users"</A> <A href=paths::ADMIN_HISTORY>"History"</A> })}
                            <A href=paths::TRASH>"Trash"</A>
                            <A href=paths::SETTINGS>"Settings"</A>
                            <SignOutButton />
                        </div>
                    }
                    .into_any()
                }
                _ => view! {
                    <div class="account">
                        <A href=paths::LOGIN>"Sign in"</A>
                    </div>
                }
                .into_any(),
            }
        })
    };
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
                    <li>
                        <A href=RecordKind::Contact.list_path()>"Contacts"</A>
                    </li>
                    <li>
                        <A href=RecordKind::Company.list_path()>"Companies"</A>
                    </li>
                    <li>
                        <A href=RecordKind::Activity.list_path()>"Activities"</A>
                    </li>
                    <li>
                        <A href=RecordKind::Task.list_path()>"Tasks"</A>
                    </li>
                </ul>
            </nav>
            {account}
        </header>
        <main id="main" tabindex="-1">
            <ErrorBoundary fallback=move |errors| {
                // The fallback can run from wherever the failure surfaced (a resource resolving
                // on another task), where the current reactive owner may be another request's:
                // build it in this page's own owner, so its status and title go to this response.
                let page = || view! { <ErrorPage errors here=here() /> };
                match &owner {
                    Some(owner) => owner.with(page),
                    None => page(),
                }
            }>{children()}</ErrorBoundary>
        </main>
        <footer class="site-footer">
            <p>"Clientele — a self-hosted CRM for small teams."</p>
        </footer>
    }
}
