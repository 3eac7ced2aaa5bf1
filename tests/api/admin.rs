//! User administration over real HTTP: roles are enforced by the server, not by hidden buttons.

use clientele::error::AppError;

use crate::helpers::{cookie_client, error_of, spawn_app, TestApp};

pub const PASSWORD: &str = "plum-orchard-sunrise";

pub async fn invite(app: &TestApp, admin: &reqwest::Client, role: &str) -> String {
    let response = app
        .post_form(admin, "/api/admin/invitations", &[("role", role)], &[])
        .await;
    assert!(response.status().is_success(), "{response:?}");
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

/// An admin (signed in on the returned client) and a user with `role` who joined by invitation.
pub async fn admin_and(role: &str) -> (TestApp, reqwest::Client, reqwest::Client, i64) {
    let app = spawn_app().await;
    let admin = cookie_client();
    app.register_as(&admin, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    let token = invite(&app, &admin, role).await;
    let other = cookie_client();
    let response = app
        .register_as(
            &other,
            "Vic",
            "vic@example.com",
            PASSWORD,
            &[("invitation", &token)],
            &[],
        )
        .await;
    assert!(response.status().is_success(), "{response:?}");
    let (users, _): (Vec<serde_json::Value>, i64) = app
        .post_form(&admin, "/api/admin/users", &[], &[])
        .await
        .json()
        .await
        .unwrap();
    let id = users
        .iter()
        .find(|u| u["email"] == "vic@example.com")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    (app, admin, other, id)
}

#[tokio::test]
async fn an_invitation_gives_its_role_and_works_once() {
    let app = spawn_app().await;
    let admin = cookie_client();
    app.register_as(&admin, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    let token = invite(&app, &admin, "viewer").await;

    let info: serde_json::Value = app
        .post_form(
            &cookie_client(),
            "/api/auth/registration",
            &[("invitation", &token)],
            &[],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["invitation"]["Open"], "viewer");

    let vic = cookie_client();
    let response = app
        .register_as(
            &vic,
            "Vic",
            "vic@example.com",
            PASSWORD,
            &[("invitation", &token)],
            &[],
        )
        .await;
    assert!(response.status().is_success());
    let me: serde_json::Value = app
        .post_form(&vic, "/api/auth/me", &[], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "viewer");

    let again = app
        .register_as(
            &cookie_client(),
            "Zed",
            "zed@example.com",
            PASSWORD,
            &[("invitation", &token)],
            &[],
        )
        .await;
    assert_eq!(again.status(), 409);
    assert!(error_of(again).await.to_string().contains("already used"));
}

#[tokio::test]
async fn non_admins_are_refused_by_the_server() {
    for role in ["viewer", "member"] {
        let (app, _admin, other, id) = admin_and(role).await;
        let attempts: [(&str, Vec<(&str, String)>); 4] = [
            ("/api/admin/users", vec![]),
            ("/api/admin/invitations", vec![("role", "admin".into())]),
            (
                "/api/admin/users/role",
                vec![("user_id", id.to_string()), ("role", "admin".into())],
            ),
            (
                "/api/admin/users/active",
                vec![("user_id", "1".into()), ("active", "false".into())],
            ),
        ];
        for (path, fields) in attempts {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app.post_form(&other, path, &fields, &[]).await;
            assert_eq!(response.status(), 403, "{role} {path}");
            assert_eq!(error_of(response).await, AppError::Forbidden);
        }
        // Nothing changed: still not an admin.
        let me: serde_json::Value = app
            .post_form(&other, "/api/auth/me", &[], &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["role"], role);
        // The admin page itself is refused with 403.
        let page = other
            .get(app.url("/admin/users"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403);
    }
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions_at_once() {
    let (app, admin, other, id) = admin_and("member").await;
    assert_eq!(
        app.post_form(&other, "/api/settings/me", &[], &[])
            .await
            .status(),
        200
    );
    let fields = [("user_id", id.to_string()), ("active", "false".to_string())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app
        .post_form(&admin, "/api/admin/users/active", &fields, &[])
        .await;
    assert!(response.status().is_success(), "{response:?}");
    assert_eq!(
        app.post_form(&other, "/api/settings/me", &[], &[])
            .await
            .status(),
        401
    );
    assert_eq!(
        app.login_as(&cookie_client(), "vic@example.com", PASSWORD)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn a_role_change_applies_to_the_next_request() {
    let (app, admin, other, id) = admin_and("viewer").await;
    let id = id.to_string();
    let fields = [("user_id", id.as_str()), ("role", "member")];
    let response = app
        .post_form(&admin, "/api/admin/users/role", &fields, &[])
        .await;
    assert!(response.status().is_success(), "{response:?}");
    let me: serde_json::Value = app
        .post_form(&other, "/api/auth/me", &[], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "member");
}

#[tokio::test]
async fn a_role_change_gives_the_users_sessions_new_ids() {
    use reqwest::cookie::CookieStore;
    use std::sync::Arc;

    let (app, admin, _, id) = admin_and("viewer").await;
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let vic = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = app.login_as(&vic, "vic@example.com", PASSWORD).await;
    assert!(response.status().is_success(), "{response:?}");
    let url: reqwest::Url = app.address.parse().unwrap();
    let before = jar.cookies(&url).expect("a session cookie");

    // Nothing changes while the role stays the same.
    app.post_form(&vic, "/api/auth/me", &[], &[]).await;
    assert_eq!(jar.cookies(&url).unwrap(), before);

    let id = id.to_string();
    let fields = [("user_id", id.as_str()), ("role", "member")];
    let response = app
        .post_form(&admin, "/api/admin/users/role", &fields, &[])
        .await;
    assert!(response.status().is_success(), "{response:?}");

    let me: serde_json::Value = app
        .post_form(&vic, "/api/auth/me", &[], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "member");
    let after = jar.cookies(&url).expect("a session cookie");
    assert_ne!(after, before, "the session id was not cycled");

    // The old id no longer signs anyone in; the new one does.
    let stale = reqwest::Client::new()
        .post(format!("{}/api/auth/me", app.address))
        .header("cookie", before)
        .send()
        .await
        .unwrap();
    let stale: serde_json::Value = stale.json().await.unwrap();
    assert!(stale.is_null(), "{stale}");
    let me: serde_json::Value = app
        .post_form(&vic, "/api/auth/me", &[], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "vic@example.com");
    assert_eq!(jar.cookies(&url).unwrap(), after);
}

#[tokio::test]
async fn the_last_administrator_cannot_lock_everyone_out() {
    let app = spawn_app().await;
    let admin = cookie_client();
    app.register_as(&admin, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    let response = app
        .post_form(
            &admin,
            "/api/admin/users/role",
            &[("user_id", "1"), ("role", "viewer")],
            &[],
        )
        .await;
    assert_eq!(response.status(), 409);
    let response = app
        .post_form(
            &admin,
            "/api/admin/users/active",
            &[("user_id", "1"), ("active", "false")],
            &[],
        )
        .await;
    assert_eq!(response.status(), 409);
}
