//! Creating an account, signing in and out.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::components::flash::{failed, server_action, submitted};
use crate::components::form::{general_error, set_status_for, Field, FormAlert};
use crate::components::island_form::{IslandAction, IslandForm};
use crate::domain::{RegistrationInfo, UserView, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::error::AppError;

/// The signed-in user, if any.
#[server(endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    use crate::server::context;
    Ok(context::current_user()?.map(|u| u.view()))
}

/// Who may register right now, and with which invitation.
#[server(endpoint = "auth/registration")]
pub async fn load_registration_info(
    invitation: Option<String>,
    setup_token: Option<String>,
) -> Result<RegistrationInfo, AppError> {
    use crate::server::{auth::accounts, context};
    context::respond(
        accounts::registration_info(
            &context::db()?,
            &context::state()?.registration,
            &context::client()?,
            invitation.as_deref(),
            setup_token.as_deref(),
        )
        .await,
    )
}

#[server(endpoint = "auth/register")]
pub async fn register(
    name: String,
    email: String,
    password: String,
    invitation: Option<String>,
    setup_token: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::{accounts, session};
    use crate::server::context;
    let state = context::state()?;
    let client = context::client()?;
    let echo = [("name", name.clone()), ("email", email.clone())];
    let form = accounts::Registration {
        name,
        email,
        password: password.into(),
        invitation,
        setup_token,
    };
    let result: Result<(), AppError> = async {
        let id = accounts::register(&state.db, &state.registration, &client, form).await?;
        session::establish(&state.db, &context::session()?, id, &client)
            .await
            .map_err(context::internal)?;
        context::redirect("/");
        Ok(())
    }
    .await;
    context::respond(result.map_err(|e| e.with_values(&echo)))
}

#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{auth::sign_in, context};
    let echo = [("email", email.clone())];
    let result: Result<(), AppError> = async {
        let db = context::db()?;
        sign_in::sign_in(
            &db,
            &context::session()?,
            &context::client()?,
            &email,
            password.into(),
        )
        .await?;
        context::redirect(&crate::pages::safe_next(next.as_deref()));
        Ok(())
    }
    .await;
    context::respond(result.map_err(|e| e.with_values(&echo)))
}

#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::{auth::session, context};
    if let Some(user) = context::current_user()? {
        session::end(&context::db()?, &context::session()?, &user)
            .await
            .map_err(context::internal)?;
        tracing::info!(user = user.id, "signed out");
    }
    context::redirect(crate::paths::LOGIN);
    Ok(())
}

/// The signed-in user, shared by the header and the pages.
#[derive(Debug, Clone, Copy)]
pub struct CurrentUserResource(pub Resource<Result<Option<UserView>, AppError>>);

/// Provides [`CurrentUserResource`] to the whole app. Pages are rendered on the server only (the
/// browser hydrates islands), so a sign-in or sign-out shows on the page load that follows it.
pub fn provide_auth() {
    provide_context(CurrentUserResource(Resource::new(
        || (),
        |_| current_user(),
    )));
}

/// The "Sign out" button: a POST form, so it works without JavaScript.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let logout = server_action::<Logout>();
    view! {
        <ActionForm action=logout attr:class="sign-out">
            <button type="submit">"Sign out"</button>
        </ActionForm>
    }
}

fn query(name: &'static str) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    let params = use_query_map();
    move || params.read().get(name).filter(|v| !v.is_empty())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let next = query("next");
    let user = expect_context::<CurrentUserResource>().0;
    // What was typed survives a failed sign-in: with JavaScript the island's form stays; without
    // it the server keeps it for the page it returns to.
    let failed = failed::<Login>();
    let email = failed
        .as_ref()
        .and_then(|e| e.value("email"))
        .or_else(|| submitted("email"))
        .unwrap_or_default();
    let already_in = {
        let next = next.clone();
        move || {
            let next = next.clone();
            Suspend::new(async move {
                match user.await {
                    Ok(Some(_)) => {
                        Some(view! { <Redirect path=crate::pages::safe_next(next().as_deref()) /> })
                    }
                    _ => None,
                }
            })
        }
    };

    view! {
        <Title text="Sign in" />
        {already_in}
        <section class="narrow card">
            <h1>"Sign in"</h1>
            <LoginForm next=next() email failed />
            <p>"New here? " <a href=crate::paths::REGISTER>"Create an account"</a> " (you need an invitation unless you are the first)."</p>
        </section>
    }
}

/// The sign-in form: an island, so a refused sign-in shows its error without a page load.
#[island]
fn LoginForm(next: Option<String>, email: String, failed: Option<AppError>) -> impl IntoView {
    let login = IslandAction::new(failed);
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    set_status_for(error.get_untracked().as_ref());
    view! {
        <IslandForm path={<Login as leptos::server_fn::ServerFn>::PATH} action=login>
            <FormAlert error />
            <input type="hidden" name="next" value=next />
            <Field
                form="login"
                name="email"
                label="Email"
                kind="email"
                autocomplete="username"
                value=email
                error=Signal::derive(move || error.get().and_then(|e| e.field("email")))
                required=true
            />
            <Field
                form="login"
                name="password"
                label="Password"
                kind="password"
                autocomplete="current-password"
                error=Signal::derive(move || error.get().and_then(|e| e.field("password")))
                required=true
            />
            <button type="submit" aria-busy=move || login.pending().get().then_some("true")>
                "Sign in"
            </button>
        </IslandForm>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = server_action::<Register>();
    let invitation = query("invite");
    let setup_token = query("setup");
    let info = {
        let (invitation, setup_token) = (invitation.clone(), setup_token.clone());
        Resource::new(
            move || (invitation(), setup_token()),
            |(invitation, setup_token)| load_registration_info(invitation, setup_token),
        )
    };
    let error = Signal::derive(move || register.value().get().and_then(Result::err));
    let initial = error.get_untracked();
    set_status_for(initial.as_ref());
    let value = |name: &str| {
        initial
            .as_ref()
            .and_then(|e| e.value(name))
            .or_else(|| submitted(name))
            .unwrap_or_default()
    };
    let (name, email) = (value("name"), value("email"));
    let hint = password_hint();

    let intro = move || {
        Suspend::new(async move {
            info.await.map(|info| {
                let text = if info.first_account {
                    "No account exists yet: you are creating the first one, which will be the administrator.".to_string()
                } else if let Some(role) = info.invited_as() {
                    format!("You have been invited to join as {}.", role.label().to_lowercase())
                } else if info.open {
                    "Create an account to join your team's workspace.".to_string()
                } else {
                    "Joining is by invitation only: ask an administrator for an invitation link.".to_string()
                };
                view! { <p class="lede">{text}</p> }
            })
        })
    };

    // A link whose invitation can no longer be used says so, and shows no form that cannot succeed.
    let form = move || {
        let (name, email) = (name.clone(), email.clone());
        let (invitation, setup_token) = (invitation.clone(), setup_token.clone());
        Suspend::new(async move {
            match info.await.ok().and_then(|info| info.unusable()) {
                Some(status) => view! {
                    <p role="alert" class="form-alert">{status.explanation()}</p>
                }
                .into_any(),
                None => view! {
                        <ActionForm action=register>
                            <FormAlert error=general_error(error) />
                            <input type="hidden" name="invitation" value=invitation() />
                            <input type="hidden" name="setup_token" value=setup_token() />
                            <Field
                                form="register"
                                name="name"
                                label="Name"
                                autocomplete="name"
                                value=name
                                error=Signal::derive(move || error.get().and_then(|e| e.field("name")))
                                required=true
                            />
                            <Field
                                form="register"
                                name="email"
                                label="Email"
                                kind="email"
                                autocomplete="email"
                                value=email
                                error=Signal::derive(move || error.get().and_then(|e| e.field("email")))
                                required=true
                            />
                            <Field
                                form="register"
                                name="password"
                                label="Password"
                                kind="password"
                                autocomplete="new-password"
                                hint=hint
                                error=Signal::derive(move || error.get().and_then(|e| e.field("password")))
                                required=true
                            />
                            <button type="submit" aria-busy=move || register.pending().get().then_some("true")>
                                "Create account"
                            </button>
                        </ActionForm>
                }
                .into_any(),
            }
        })
    };

    view! {
        <Title text="Create account" />
        <section class="narrow card">
            <h1>"Create account"</h1>
            {intro}
            {form}
            <p>"Already have an account? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}

/// The rule for new passwords, as shown under the field.
pub fn password_hint() -> &'static str {
    const _: () = assert!(PASSWORD_MIN_CHARS == 8 && PASSWORD_MAX_CHARS == 128);
    "8 to 128 characters. A phrase of a few unrelated words is easy to remember and hard to guess."
}
