//! The signed-in user's own settings: name, e-mail, password, and active sessions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::flash::server_action;
use crate::components::form::{
    field_error, general_error, set_status_for, Field, FormAlert, IdempotencyField,
};
use crate::domain::{ago, SessionView, UserView};
use crate::error::AppError;
use crate::pages::auth::password_hint;

#[server(endpoint = "settings/me")]
pub async fn load_profile() -> Result<UserView, AppError> {
    use crate::server::context;
    context::respond(context::require_user().map(|u| u.view()))
}

#[server(endpoint = "settings/profile")]
pub async fn update_profile(
    name: String,
    email: String,
    current_password: String,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{auth::accounts, context, idempotency};
    let echo = [("name", name.clone()), ("email", email.clone())];
    let result: Result<(), AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        let client = context::client()?;
        // The fingerprint leaves the password out: it is never stored, not even hashed. It is
        // checked before the change's transaction begins (a failed check stays counted).
        idempotency::once_checked(
            &db,
            &user,
            idempotency_key,
            &(&name, &email),
            || {
                let password = current_password.into();
                accounts::check_profile_change(&db, &user, &client, &name, &email, password)
            },
            |db, change| {
                let user = &user;
                async move { accounts::update_profile(&db, user, &change).await }
            },
        )
        .await?;
        context::redirect("/settings?saved=profile");
        Ok(())
    }
    .await;
    context::respond(result.map_err(|e| e.with_values(&echo)))
}

#[server(endpoint = "settings/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{auth::accounts, context, idempotency};
    let result: Result<(), AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        let client = context::client()?;
        // No fingerprint: passwords are never stored, not even hashed.
        idempotency::once_checked(
            &db,
            &user,
            idempotency_key,
            &(),
            || {
                let (current, new) = (current_password.into(), new_password.into());
                accounts::check_password_change(&db, &user, &client, current, new)
            },
            |db, change| {
                let user = &user;
                async move { accounts::change_password(&db, user, &change).await }
            },
        )
        .await?;
        context::redirect("/settings?saved=password");
        Ok(())
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "settings/sessions")]
pub async fn list_sessions() -> Result<(Vec<SessionView>, i64), AppError> {
    use crate::server::{auth::session, context};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        let state = context::state()?;
        let now = session::now();
        let sessions = state
            .db
            .list_sessions(
                user.id,
                &user.session_id,
                now,
                state.sessions.idle_secs(),
                state.sessions.absolute_secs(),
            )
            .await
            .map_err(context::internal)?;
        Ok((sessions, now))
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "settings/sessions/end")]
pub async fn end_session(handle: i64, idempotency_key: Option<String>) -> Result<(), AppError> {
    use crate::server::{context, idempotency};
    let result: Result<(), AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        idempotency::once(&db, &user, idempotency_key, &handle, |db| {
            let user = &user;
            async move {
                let ended = db
                    .delete_user_session(user.id, handle)
                    .await
                    .map_err(context::internal)?;
                if !ended {
                    return Err(AppError::NotFound);
                }
                tracing::info!(user = user.id, "session ended by its owner");
                Ok(())
            }
        })
        .await?;
        context::redirect("/settings/sessions?ended=1");
        Ok(())
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "settings/sessions/end-others")]
pub async fn end_other_sessions(idempotency_key: Option<String>) -> Result<(), AppError> {
    use crate::server::{context, idempotency};
    let result: Result<(), AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        idempotency::once(&db, &user, idempotency_key, &(), |db| {
            let user = &user;
            async move {
                let ended = db
                    .delete_other_sessions(user.id, Some(&user.session_id))
                    .await
                    .map_err(context::internal)?;
                tracing::info!(user = user.id, ended, "other sessions ended");
                Ok(())
            }
        })
        .await?;
        context::redirect("/settings/sessions?ended=all");
        Ok(())
    }
    .await;
    context::respond(result)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let update = server_action::<UpdateProfile>();
    let change = server_action::<ChangePassword>();
    let profile = Resource::new(|| (), |_| load_profile());
    let query = use_query_map();
    let saved = move || query.read().get("saved");

    let profile_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let password_error = Signal::derive(move || change.value().get().and_then(Result::err));
    set_status_for(
        profile_error
            .get_untracked()
            .or(password_error.get_untracked())
            .as_ref(),
    );

    let page = move || {
        Suspend::new(async move {
            let user = profile.await?;
            let echoed = profile_error.get_untracked();
            let name = echoed
                .as_ref()
                .and_then(|e| e.value("name"))
                .unwrap_or(user.name.clone());
            let email = echoed
                .as_ref()
                .and_then(|e| e.value("email"))
                .unwrap_or(user.email.clone());
            Ok::<_, AppError>(view! {
                <section class="card" aria-labelledby="profile-heading">
                    <h2 id="profile-heading">"Profile"</h2>
                    <ActionForm action=update attr:aria-labelledby="profile-heading">
                        <IdempotencyField action=update />
                        <FormAlert error=general_error(profile_error) />
                        <Field form="profile" name="name" label="Name" autocomplete="name" value=name error=field_error(profile_error, "name") required=true />
                        <Field form="profile" name="email" label="Email" kind="email" autocomplete="email" value=email error=field_error(profile_error, "email") required=true />
                        <Field form="profile" name="current_password" label="Current password" kind="password" autocomplete="current-password" error=field_error(profile_error, "current_password") required=true />
                        <button type="submit">"Save profile"</button>
                    </ActionForm>
                </section>
                <section class="card" aria-labelledby="password-heading">
                    <h2 id="password-heading">"Password"</h2>
                    <ActionForm action=change attr:aria-labelledby="password-heading">
                        <IdempotencyField action=change />
                        <FormAlert error=general_error(password_error) />
                        <Field form="password" name="current_password" label="Current password" kind="password" autocomplete="current-password" error=field_error(password_error, "current_password") required=true />
                        <Field form="password" name="new_password" label="New password" kind="password" autocomplete="new-password" hint=password_hint() error=field_error(password_error, "new_password") required=true />
                        <button type="submit">"Change password"</button>
                    </ActionForm>
                    <p class="hint">"Changing your password signs out all your other sessions."</p>
                </section>
            })
        })
    };

    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <p>
            <a href="/settings/sessions">"Active sessions"</a>
            " · "
            <a href=crate::paths::TOKENS>"Access tokens"</a>
        </p>
        {move || {
            saved()
                .map(|what| {
                    let text = if what == "password" {
                        "Password changed. Your other sessions were signed out."
                    } else {
                        "Profile saved."
                    };
                    view! { <p role="status" class="flash">{text}</p> }
                })
        }}
        {page}
    }
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let end = server_action::<EndSession>();
    let end_others = server_action::<EndOtherSessions>();
    let sessions = Resource::new(|| (), |_| list_sessions());
    let query = use_query_map();
    let notice = move || {
        query.read().get("ended").map(|which| {
            let text = if which == "all" {
                "All your other sessions were signed out."
            } else {
                "The session was signed out."
            };
            view! { <p role="status" class="flash">{text}</p> }
        })
    };
    let error = Signal::derive(move || {
        end.value()
            .get()
            .and_then(Result::err)
            .or_else(|| end_others.value().get().and_then(Result::err))
    });

    let list = move || {
        Suspend::new(async move {
            let (sessions, now) = sessions.await?;
            let others = sessions.iter().filter(|s| !s.current).count();
            Ok::<_, AppError>(view! {
                <table class="sessions">
                    <caption class="visually-hidden">"Your active sessions"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Browser"</th>
                            <th scope="col">"Address"</th>
                            <th scope="col">"Signed in"</th>
                            <th scope="col">"Last active"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Action"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {sessions
                            .into_iter()
                            .map(|s| {
                                let browser = s.browser();
                                view! {
                                    <tr>
                                        <td>{browser.clone()}</td>
                                        <td>{s.ip.clone()}</td>
                                        <td>{ago(now - s.created_at)}</td>
                                        <td>{ago(now - s.last_seen_at)}</td>
                                        <td>
                                            {if s.current {
                                                view! { <strong>"This browser"</strong> }.into_any()
                                            } else {
                                                view! {
                                                    <ActionForm action=end attr:class="inline-form">
                                                        <IdempotencyField action=end />
                                                        <input type="hidden" name="handle" value=s.handle />
                                                        <button type="submit" aria-label=format!("End session: {browser}, {}", s.ip)>
                                                            "End session"
                                                        </button>
                                                    </ActionForm>
                                                }
                                                    .into_any()
                                            }}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                {(others > 0)
                    .then(|| {
                        view! {
                            <ActionForm action=end_others>
                                <IdempotencyField action=end_others />
                                <button type="submit">"End all other sessions"</button>
                            </ActionForm>
                        }
                    })}
            })
        })
    };

    view! {
        <Title text="Active sessions" />
        <h1>"Active sessions"</h1>
        <p>
            <a href="/settings">"Back to settings"</a>
        </p>
        {notice}
        <FormAlert error />
        {list}
    }
}
