//! Administration of the people who use this workspace: roles, deactivation, invitations.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::form::{FormAlert, IdempotencyField};
use crate::domain::{Role, UserView};
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
        idempotency::once(&db, &admin, idempotency_key, &(user_id, role), || {
            accounts::change_role(&db, &admin, user_id, role)
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
        idempotency::once(&db, &admin, idempotency_key, &(user_id, active), || {
            accounts::set_active(&db, &admin, user_id, active)
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

#[server(endpoint = "admin/invitations")]
pub async fn create_invitation(
    role: Role,
    idempotency_key: Option<String>,
) -> Result<String, AppError> {
    use crate::server::{auth::accounts, context, idempotency};
    let result: Result<String, AppError> = async {
        let admin = context::require_role(Role::Admin)?;
        let db = context::db()?;
        // A repeat shows the same link (kept with the key for a day) instead of a second invitation.
        let token = idempotency::once(&db, &admin, idempotency_key, &role, || async {
            accounts::invite(&db, &admin, role)
                .await
                .map(|(token, _)| token)
        })
        .await?;
        // The page shows the link to copy (also after a plain form post, through this address).
        context::redirect(&format!("/admin/users?invite={token}&role={role}"));
        Ok(token)
    }
    .await;
    context::respond(result)
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let change = ServerAction::<ChangeRole>::new();
    let activate = ServerAction::<SetActive>::new();
    let invite = ServerAction::<CreateInvitation>::new();
    let users = Resource::new(
        move || (change.version().get(), activate.version().get()),
        |_| list_users(),
    );
    let query = use_query_map();
    let error = Signal::derive(move || {
        change
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| activate.value().get().and_then(Result::err))
            .or_else(|| invite.value().get().and_then(Result::err))
    });
    let notice = move || {
        query.read().get("saved").map(|what| {
            let text = match what.as_str() {
                "deactivated" => "The account was deactivated and its sessions ended.",
                "reactivated" => "The account was reactivated.",
                _ => "The role was changed.",
            };
            view! { <p role="status" class="flash">{text}</p> }
        })
    };
    let invitation = move || {
        let q = query.read();
        q.get("invite").map(|token| {
            let role = q.get("role").unwrap_or_default();
            let path = format!("/register?invite={token}");
            view! {
                <div role="status" class="flash invitation">
                    <p>{format!("Invitation link for a new {role} (single use, valid for 7 days):")}</p>
                    <p>
                        <a href=path.clone() class="invitation-link">
                            {path.clone()}
                        </a>
                    </p>
                    <p class="hint">"Copy it and send it to the person you are inviting."</p>
                </div>
            }
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
        </section>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>{table}</Transition>
    }
}
