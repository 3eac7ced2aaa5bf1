//! Administration of the people who use this workspace: roles, deactivation, invitations.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::flash::{note, server_action};
use crate::components::form::{FormAlert, IdempotencyField};
use crate::domain::{InvitationView, Role, UserView};
use crate::error::AppError;

#[server(endpoint = "admin/users")]
pub async fn list_users() -> Result<(Vec<UserView>, i64), AppError> {
    use crate::server::context;
    let result: Result<_, AppError> = async {
        let admin = context::require_role(Role::Admin)?;
        let users = context::db()?
            .list_users()
            .await
            .map_err(context::internal)?;
        Ok((users, admin.id))
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "admin/users/role")]
pub async fn change_role(
    user_id: i64,
    role: Role,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{auth::accounts, context, idempotency};
    let result: Result<(), AppError> = async {
        let admin = context::require_role(Role::Admin)?;
        let db = context::db()?;
        // Every session of that user gets a new id on its next request (`session::load`).
        idempotency::once(&db, &admin, idempotency_key, &(user_id, role), |db| {
            let admin = &admin;
            async move { accounts::change_role(&db, admin, user_id, role).await }
        })
        .await?;
        context::redirect("/admin/users?saved=role");
        Ok(())
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "admin/users/active")]
pub async fn set_active(
    user_id: i64,
    active: bool,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{auth::accounts, context, idempotency};
    let result: Result<(), AppError> = async {
        let admin = context::require_role(Role::Admin)?;
        let db = context::db()?;
        idempotency::once(&db, &admin, idempotency_key, &(user_id, active), |db| {
            let admin = &admin;
            async move { accounts::set_active(&db, admin, user_id, active).await }
        })
        .await?;
        context::redirect(if active {
            "/admin/users?saved=reactivated"
        } else {
            "/admin/users?saved=deactivated"
        });
        Ok(())
    }
    .await;
    context::respond(result)
}

/// Creates an invitation; answers its link's token, shown once. Only its hash is stored, and a
/// repeat of the same submission does not get the token again (it is kept nowhere).
#[server(endpoint = "admin/invitations")]
pub async fn create_invitation(
    role: Role,
    idempotency_key: Option<String>,
) -> Result<String, AppError> {
    use crate::server::{auth::accounts, context, idempotency};
    let result: Result<String, AppError> = async {
        let admin = context::require_role(Role::Admin)?;
        let db = context::db()?;
        let token = std::sync::Mutex::new(None);
        idempotency::once(&db, &admin, idempotency_key, &role, |db| {
            let (admin, token) = (&admin, &token);
            async move {
                let (secret, id) = accounts::invite(&db, admin, role).await?;
                if let Ok(mut slot) = token.lock() {
                    *slot = Some(secret);
                }
                Ok(id)
            }
        })
        .await?;
        let token = token.into_inner().ok().flatten().ok_or_else(|| {
            AppError::Conflict(
                "This invitation was already created, and its link shown once. Create a new one if it was lost."
                    .into(),
            )
        })?;
        // Without JavaScript the page shows the link from the session, never from its address.
        let target = "/admin/users?saved=invited";
        context::leave_notes(
            target,
            vec![
                ("invitation".into(), invitation_path(&token)),
                ("role".into(), role.as_str().into()),
            ],
        )
        .await?;
        context::redirect(target);
        Ok(token)
    }
    .await;
    context::respond(result)
}

/// The invitations that can still be used.
#[server(endpoint = "admin/invitations/open")]
pub async fn open_invitations() -> Result<Vec<InvitationView>, AppError> {
    use crate::server::{auth::session::now, context};
    let result = async {
        context::require_role(Role::Admin)?;
        context::db()?
            .open_invitations(now())
            .await
            .map_err(context::internal)
    }
    .await;
    context::respond(result)
}

#[server(endpoint = "admin/invitations/revoke")]
pub async fn revoke_invitation(
    invitation_id: i64,
    idempotency_key: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{auth::accounts, context, idempotency};
    let result: Result<(), AppError> = async {
        let admin = context::require_role(Role::Admin)?;
        let db = context::db()?;
        idempotency::once(&db, &admin, idempotency_key, &invitation_id, |db| {
            let admin = &admin;
            async move { accounts::revoke_invitation(&db, admin, invitation_id).await }
        })
        .await?;
        context::redirect("/admin/users?saved=revoked");
        Ok(())
    }
    .await;
    context::respond(result)
}

/// Where an invitation's token is used.
fn invitation_path(token: &str) -> String {
    format!("/register?invite={token}")
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let change = server_action::<ChangeRole>();
    let activate = server_action::<SetActive>();
    let invite = server_action::<CreateInvitation>();
    let revoke = server_action::<RevokeInvitation>();
    let users = Resource::new(|| (), |_| list_users());
    let invitations = Resource::new(|| (), |_| open_invitations());
    let query = use_query_map();
    let error = Signal::derive(move || {
        change
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| activate.value().get().and_then(Result::err))
            .or_else(|| invite.value().get().and_then(Result::err))
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    let notice = move || {
        query.read().get("saved").map(|what| {
            let text = match what.as_str() {
                "deactivated" => "The account was deactivated and its sessions ended.",
                "reactivated" => "The account was reactivated.",
                "revoked" => "The invitation was revoked: its link no longer works.",
                "invited" => "The invitation was created.",
                _ => "The role was changed.",
            };
            view! { <p role="status" class="flash">{text}</p> }
        })
    };
    // The new link: from the answer (with JavaScript) or the session (without), once.
    let created = note("invitation").zip(note("role"));
    let invitation = move || {
        invite
            .value()
            .get()
            .and_then(Result::ok)
            .map(|token| (invitation_path(&token), String::new()))
            .or_else(|| created.clone())
            .map(|(path, role)| {
                let whom = if role.is_empty() {
                    "the new person".to_string()
                } else {
                    format!("a new {role}")
                };
                view! {
                    <div role="status" class="flash invitation">
                        <p>{format!("Invitation link for {whom} (single use, valid for 7 days):")}</p>
                        <p>
                            <a href=path.clone() class="invitation-link">
                                {path.clone()}
                            </a>
                        </p>
                        <p class="hint">
                            "Copy it now and send it to the person you are inviting: it is not shown again."
                        </p>
                    </div>
                }
            })
    };
    let open = move || {
        Suspend::new(async move {
            let invitations = invitations.await?;
            Ok::<_, AppError>((!invitations.is_empty()).then(|| {
                view! {
                    <table class="invitations">
                        <caption>"Open invitations"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Role"</th>
                                <th scope="col">"Created by"</th>
                                <th scope="col">"Expires"</th>
                                <th scope="col">"Action"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {invitations
                                .into_iter()
                                .map(|i| {
                                    let label = format!(
                                        "Revoke the {} invitation by {}",
                                        i.role.label().to_lowercase(),
                                        i.created_by,
                                    );
                                    view! {
                                        <tr>
                                            <td>{i.role.label()}</td>
                                            <td>{i.created_by.clone()}</td>
                                            <td>{crate::domain::within(i.expires_in)}</td>
                                            <td>
                                                <ActionForm action=revoke attr:class="inline-form">
                                                    <IdempotencyField action=revoke />
                                                    <input type="hidden" name="invitation_id" value=i.id />
                                                    <button type="submit" aria-label=label>"Revoke"</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
            }))
        })
    };

    let table = move || {
        Suspend::new(async move {
            let (users, me) = users.await?;
            Ok::<_, AppError>(view! {
                <table class="users">
                    <caption class="visually-hidden">"People in this workspace"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {users
                            .into_iter()
                            .map(|user| {
                                let select_id = format!("role-{}", user.id);
                                let is_me = user.id == me;
                                let name = user.name.clone();
                                view! {
                                    <tr>
                                        <td>{user.name.clone()} {is_me.then_some(" (you)")}</td>
                                        <td>{user.email.clone()}</td>
                                        <td>
                                            <ActionForm action=change attr:class="inline-form">
                                                <IdempotencyField action=change />
                                                <input type="hidden" name="user_id" value=user.id />
                                                <label for=select_id.clone() class="visually-hidden">
                                                    {format!("Role of {}", user.name)}
                                                </label>
                                                <select id=select_id name="role">
                                                    {Role::ALL
                                                        .into_iter()
                                                        .map(|role| {
                                                            view! {
                                                                <option value=role.as_str() selected=role == user.role>
                                                                    {role.label()}
                                                                </option>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </select>
                                                <button type="submit" aria-label=format!("Save role of {}", user.name)>
                                                    "Save role"
                                                </button>
                                            </ActionForm>
                                        </td>
                                        <td>
                                            {if user.active { "Active" } else { "Deactivated" }}
                                            {(!is_me)
                                                .then(|| {
                                                    let label = if user.active { "Deactivate" } else { "Reactivate" };
                                                    view! {
                                                        <ActionForm action=activate attr:class="inline-form">
                                                            <IdempotencyField action=activate />
                                                            <input type="hidden" name="user_id" value=user.id />
                                                            <input type="hidden" name="active" value=(!user.active).to_string() />
                                                            <button type="submit" aria-label=format!("{label} {name}")>
                                                                {label}
                                                            </button>
                                                        </ActionForm>
                                                    }
                                                })}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            })
        })
    };

    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        {notice}
        <FormAlert error />
        <section class="card" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            {invitation}
            <ActionForm action=invite attr:aria-labelledby="invite-heading">
                <IdempotencyField action=invite />
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" name="role">
                        <option value="member" selected=true>"Member"</option>
                        <option value="viewer">"Viewer"</option>
                        <option value="admin">"Administrator"</option>
                    </select>
                </div>
                <button type="submit">"Create invitation link"</button>
            </ActionForm>
            {open}
        </section>
        {table}
    }
}
