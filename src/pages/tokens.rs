//! `/settings/tokens`: the signed-in user's personal access tokens for the JSON API — made here
//! (the token shown once), listed with when they were last used, and revoked.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::flash::{note, server_action};
use crate::components::form::{
    field_error, general_error, set_status_for, typed_or, Field, FormAlert, IdempotencyField,
    SelectField,
};
use crate::domain::{full_time, TokenState, TokenView, TOKEN_EXPIRY_DAYS};
use crate::error::AppError;
use crate::paths;

#[server(endpoint = "settings/tokens")]
pub async fn list_tokens() -> Result<(Vec<TokenView>, i64), AppError> {
    use crate::server::{auth::session::now, auth::tokens, context};
    let result: Result<_, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        Ok((tokens::list(&db, &user).await?, now()))
    }
    .await;
    context::respond(result)
}

/// Makes a token; answers it, shown once. Only its hash is stored, and a repeat of the same
/// submission does not get the token again (it is kept nowhere).
#[server(endpoint = "settings/tokens/create")]
pub async fn create_token(
    name: String,
    access: String,
    expires: String,
    idempotency_key: Option<String>,
) -> Result<String, AppError> {
    use crate::server::{auth::tokens, context, idempotency};
    let echo = [
        ("name", name.clone()),
        ("access", access.clone()),
        ("expires", expires.clone()),
    ];
    let result: Result<String, AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        let form = tokens::NewToken {
            name,
            access,
            expires,
        };
        let token = std::sync::Mutex::new(None);
        let request = (&form.name, &form.access, &form.expires);
        idempotency::once(&db, &user, idempotency_key, &request, |db| {
            let (user, form, token) = (&user, &form, &token);
            async move {
                let (secret, id) = tokens::create(&db, user, form).await?;
                if let Ok(mut slot) = token.lock() {
                    *slot = Some(secret);
                }
                Ok(id)
            }
        })
        .await?;
        let token = token.into_inner().ok().flatten().ok_or_else(|| {
            AppError::Conflict(
                "This token was already made, and shown once. Make a new one if it was lost."
                    .into(),
            )
        })?;
        // Without JavaScript the page shows the token from the session, never from its address.
        let target = "/settings/tokens?saved=created";
        context::leave_notes(target, vec![("token".into(), token.clone())]).await?;
        context::redirect(target);
        Ok(token)
    }
    .await;
    context::respond(result.map_err(|e| e.with_values(&echo)))
}

#[server(endpoint = "settings/tokens/revoke")]
pub async fn revoke_token(token_id: i64, idempotency_key: Option<String>) -> Result<(), AppError> {
    use crate::server::{auth::tokens, context, idempotency};
    let result: Result<(), AppError> = async {
        let user = context::require_user()?;
        let db = context::db()?;
        idempotency::once(&db, &user, idempotency_key, &token_id, |db| {
            let user = &user;
            async move { tokens::revoke(&db, user, token_id).await }
        })
        .await?;
        context::redirect("/settings/tokens?saved=revoked");
        Ok(())
    }
    .await;
    context::respond(result)
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = server_action::<CreateToken>();
    let revoke = server_action::<RevokeToken>();
    let tokens = Resource::new(|| (), |_| list_tokens());
    let query = use_query_map();
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let error = Signal::derive(move || {
        general_error(create_error)
            .get()
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    set_status_for(
        error
            .get_untracked()
            .or(create_error.get_untracked())
            .as_ref(),
    );
    let notice = move || {
        (query.read().get("saved").as_deref() == Some("revoked")).then(|| {
            view! { <p role="status" class="flash">"The token was revoked: it no longer works."</p> }
        })
    };
    // The new token: from the answer (with JavaScript) or the session (without), once.
    let created = note("token");
    let shown = move || {
        create
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| created.clone())
            .map(|token| {
                view! {
                    <div role="status" class="flash token">
                        <p>"Your new token:"</p>
                        <p>
                            <code class="token-value">{token}</code>
                        </p>
                        <p class="hint">
                            "Copy it now: it is not shown again. Send it as "
                            <code>"Authorization: Bearer …"</code> " to " <code>"/api/v1"</code> "."
                        </p>
                    </div>
                }
            })
    };
    let failed = create_error.get_untracked();
    let typed = move |name: &str, fallback: &str| typed_or(failed.as_ref(), name, fallback);
    let access = typed("access", "read");
    let expires = typed("expires", "90");
    let list = move || {
        Suspend::new(async move {
            let (tokens, now) = tokens.await?;
            Ok::<_, AppError>(if tokens.is_empty() {
                view! { <p>"You have no tokens yet."</p> }.into_any()
            } else {
                view! {
                    <table class="tokens">
                        <caption>"Your tokens"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Token"</th>
                                <th scope="col">"Access"</th>
                                <th scope="col">"Created"</th>
                                <th scope="col">"Last used"</th>
                                <th scope="col">"Expires"</th>
                                <th scope="col">
                                    <span class="visually-hidden">"Action"</span>
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            {tokens
                                .into_iter()
                                .map(|t| token_row(t, now, revoke))
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            })
        })
    };

    view! {
        <Title text="Access tokens" />
        <h1>"Access tokens"</h1>
        <p>
            <a href=paths::SETTINGS>"Back to settings"</a>
        </p>
        <p>
            "A token lets a program use the JSON API (" <a href="/api/docs">"its reference"</a>
            ") as you: it can do what your role allows, or only read. It stops working when you revoke it, when it expires, or when your account is deactivated."
        </p>
        {notice}
        <FormAlert error />
        <section class="card" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">"New token"</h2>
            {shown}
            <ActionForm action=create attr:aria-labelledby="new-token-heading">
                <IdempotencyField action=create />
                <Field form="token" name="name" label="Name" value=typed("name", "") error=field_error(create_error, "name") required=true hint="What will use it, such as “Invoicing sync”." />
                <SelectField form="token" name="access" label="Access" options=access_options() selected=access error=field_error(create_error, "access") />
                <SelectField form="token" name="expires" label="Expires" options=expiry_options() selected=expires error=field_error(create_error, "expires") />
                <button type="submit">"Create token"</button>
            </ActionForm>
        </section>
        {list}
    }
}

fn access_options() -> Vec<(String, String)> {
    vec![
        ("read".into(), "Read only".into()),
        ("write".into(), "Read and write".into()),
    ]
}

fn expiry_options() -> Vec<(String, String)> {
    TOKEN_EXPIRY_DAYS
        .iter()
        .map(|days| {
            let label = match days {
                0 => "Never".to_owned(),
                365 => "In a year".to_owned(),
                d => format!("In {d} days"),
            };
            (days.to_string(), label)
        })
        .collect()
}

fn token_row(token: TokenView, now: i64, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let state = token.state(now);
    let expires = match (state, token.expires_at) {
        (TokenState::Revoked, _) => "Revoked".to_owned(),
        (TokenState::Expired, Some(at)) => format!("Expired {}", full_time(at)),
        (_, Some(at)) => full_time(at),
        (_, None) => "Never".to_owned(),
    };
    let last_used = token
        .last_used_at
        .map_or_else(|| "Never".to_owned(), full_time);
    let label = format!("Revoke the token {}", token.name);
    view! {
        <tr>
            <td>{token.name.clone()}</td>
            <td>
                <code>{token.hint.clone()}</code>
            </td>
            <td>{token.access()}</td>
            <td>{full_time(token.created_at)}</td>
            <td>{last_used}</td>
            <td>{expires}</td>
            <td>
                {(state == TokenState::Active)
                    .then(|| {
                        view! {
                            <ActionForm action=revoke attr:class="inline-form">
                                <IdempotencyField action=revoke />
                                <input type="hidden" name="token_id" value=token.id />
                                <button type="submit" aria-label=label.clone()>
                                    "Revoke"
                                </button>
                            </ActionForm>
                        }
                    })}
            </td>
        </tr>
    }
}
