//! Findings of the security review, each proved over real HTTP (or against the store directly
//! where a request cannot reach the case): bounded work, nothing typed in URLs, invitations that
//! can be withdrawn, cookies kept off public responses, a trash that can all be restored, the
//! last administrator, and exactly-once across cancellation.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use clientele::server::db::{CurrentUser, Db};
use serde_json::Value;

use crate::admin::{admin_and, invite};
use crate::helpers::{
    cookie_client, error_of, form, on_postgres, spawn_app_configured, CONTACT_FIELDS,
};
use crate::records::{list, saved_id};
use clientele::server::db::sql;

const PASSWORD: &str = "plum-orchard-sunrise";

fn forged_error(json: &str) -> String {
    URL_SAFE.encode(json)
}

#[tokio::test]
async fn a_hostile_search_is_cut_short_and_the_lists_stay_usable() {
    let (app, admin, viewer, _) = admin_and("viewer").await;
    let hostile = ["example"; 20_000].join(".");
    let started = Instant::now();
    let response = app
        .post_form(
            &viewer,
            "/api/contacts/list",
            &[("query[q]", &hostile)],
            &[],
        )
        .await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    // The text is bounded before it is searched, and the link carrying it is bounded too.
    assert!(page.to_string().len() < 20_000);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The same list, for someone else, at the same time.
    assert!(list(&app, &admin, &[]).await.is_object());
}

#[tokio::test]
async fn crafted_error_parameters_show_nothing() {
    let (app, admin, _, _) = admin_and("member").await;
    let id = saved_id(
        &app.post_form(
            &admin,
            "/api/contacts/save",
            &form(&CONTACT_FIELDS, &[("first_name", "Ann")]),
            &[],
        )
        .await,
    );
    let stale = forged_error(
        r#"{"StaleEdit":{"by":"Alice","at":"now","version":1,"theirs":[["notes","old"]],"yours":[["notes","Wire the deposit to IBAN XX00"]]}}"#,
    );
    let conflict = forged_error(r#"{"Conflict":"Your password expired. Call IT at +1 555 0100."}"#);
    for (path, fn_path, error) in [
        (format!("/contacts/{id}/edit"), "/api/contacts/save", stale),
        ("/login".to_string(), "/api/auth/login", conflict),
    ] {
        let url = format!("{}{path}?__path={fn_path}&__err={error}", app.address);
        let html = admin.get(url).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("Wire the deposit"), "{path}");
        assert!(!html.contains("Call IT"), "{path}");
    }
}

#[tokio::test]
async fn a_failed_plain_form_comes_back_once_with_its_values_and_none_in_the_url() {
    let (app, admin, _, _) = admin_and("member").await;
    let notes = "Met at the fair; call back in May.";
    let fields = form(
        &CONTACT_FIELDS,
        &[("email", "not an address"), ("notes", notes)],
    );
    let response = admin
        .post(app.url("/api/contacts/save"))
        .header("accept", "text/html")
        .header("referer", app.url("/contacts/new"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/contacts/new");
    let first = admin.get(app.url(&location)).send().await.unwrap();
    assert_eq!(first.status(), 422);
    let html = first.text().await.unwrap();
    assert!(html.contains(notes), "{html}");
    // Shown once: a reload is a fresh form.
    let again = admin.get(app.url(&location)).send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert!(!again.text().await.unwrap().contains(notes));
}

#[tokio::test]
async fn a_failed_plain_sign_in_keeps_the_email() {
    let (app, _, _, _) = admin_and("member").await;
    let browser = cookie_client();
    let response = browser
        .post(app.url("/api/auth/login"))
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[("email", "ada@example.com"), ("password", "wrong one")])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/login");
    let page = browser.get(app.url(&location)).send().await.unwrap();
    assert_eq!(page.status(), 401);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"value="ada@example.com""#), "{html}");
    assert!(html.contains("Invalid email or password."), "{html}");
    assert!(!html.contains("wrong one"));
}

#[tokio::test]
async fn invitations_can_be_revoked_and_die_with_their_creators_authority() {
    let (app, admin, other_admin, other_id) = admin_and("admin").await;
    // Revoked by an administrator: the link says so when opened, with no form.
    let token = invite(&app, &admin, "member").await;
    let open: Vec<Value> = app
        .post_form(&admin, "/api/admin/invitations/open", &[], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert!(!open[0].to_string().contains(&token));
    let revoked = app
        .post_form(
            &admin,
            "/api/admin/invitations/revoke",
            &[("invitation_id", &open[0]["id"].to_string())],
            &[],
        )
        .await;
    assert_eq!(revoked.status(), 200);
    let page = app.get(&format!("/register?invite={token}")).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("was withdrawn"), "{html}");
    assert!(!html.contains("Create account</button>"), "{html}");

    // Made by an administrator who is then deactivated: dead too.
    let token = invite(&app, &other_admin, "admin").await;
    let deactivated = app
        .post_form(
            &admin,
            "/api/admin/users/active",
            &[("user_id", &other_id.to_string()), ("active", "false")],
            &[],
        )
        .await;
    assert_eq!(deactivated.status(), 200);
    let back = app
        .register_as(
            &cookie_client(),
            "Back",
            "back@example.com",
            PASSWORD,
            &[("invitation", &token)],
            &[],
        )
        .await;
    assert_eq!(back.status(), 409);
    assert!(error_of(back).await.to_string().contains("withdrawn"));
}

#[tokio::test]
async fn an_invitation_token_is_never_in_a_redirect_or_stored() {
    let (app, admin, _, _) = admin_and("member").await;
    let key = "0b6a3c1e-5d2f-4e8a-9b7c-1f2e3d4c5b6a";
    let response = admin
        .post(app.url("/api/admin/invitations"))
        .header("accept", "text/html")
        .header("referer", app.url("/admin/users"))
        .form(&[("role", "member"), ("idempotency_key", key)])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/admin/users?saved=invited");
    // The page shows the link once, from the session.
    let html = admin
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("/register?invite=").expect("the link is shown") + 17;
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(token.len() >= 40, "{token}");
    let again = admin.get(app.url(&location)).send().await.unwrap();
    assert!(!again.text().await.unwrap().contains(&token));
    // Nowhere in the store: not in the outcome kept for the key, not left in the session.
    let db = app.db().await;
    let stored: Vec<Vec<u8>> = sql::query_scalar(if on_postgres() {
        "SELECT convert_to(coalesce(outcome, ''), 'UTF8') FROM idempotency
         UNION ALL SELECT data FROM tower_sessions.session"
    } else {
        "SELECT CAST(coalesce(outcome, '') AS BLOB) FROM idempotency
         UNION ALL SELECT data FROM tower_sessions"
    })
    .fetch_all(&mut db.conn().await.unwrap())
    .await
    .unwrap();
    assert!(!stored.is_empty());
    for bytes in stored {
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    }
}

#[tokio::test]
async fn public_files_never_carry_the_session_cookie() {
    let app = spawn_app_configured(Default::default(), false, |auth| {
        auth.sessions.idle_timeout = Duration::from_secs(4);
    })
    .await;
    let browser = cookie_client();
    app.register_as(&browser, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    // Past the touch interval: the next request that reads the session renews the cookie.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    for path in ["/pkg/clientele.css", "/robots.txt"] {
        let response = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().get("set-cookie").is_none(), "{path}");
    }
    let page = browser.get(app.url("/settings")).send().await.unwrap();
    assert!(page.headers().get("set-cookie").is_some());
}

#[tokio::test]
async fn the_whole_trash_can_be_restored_page_by_page() {
    let (app, admin, _, _) = admin_and("member").await;
    for n in 0..105 {
        let name = format!("Gone {n}");
        let id = saved_id(
            &app.post_form(
                &admin,
                "/api/contacts/save",
                &form(&CONTACT_FIELDS, &[("first_name", &name)]),
                &[],
            )
            .await,
        );
        app.post_form(
            &admin,
            "/api/records/delete",
            &[("kind", "contact"), ("id", &id.to_string())],
            &[],
        )
        .await;
    }
    let first: Value = app
        .post_form(&admin, "/api/trash/list", &[], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 100);
    let older = first["older"].as_str().unwrap().to_owned();
    let second: Value = app
        .post_form(&admin, "/api/trash/list", &[("after", &older)], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 5);
    assert!(second["older"].is_null());
    let html = admin
        .get(app.url(&format!("/trash?after={older}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Gone 0"), "the oldest deletion is reachable");
}

#[tokio::test]
async fn two_administrators_demoting_themselves_at_once_leave_one() {
    for _ in 0..3 {
        let (app, admin, other, other_id) = admin_and("admin").await;
        let me: Value = app
            .post_form(&admin, "/api/auth/me", &[], &[])
            .await
            .json()
            .await
            .unwrap();
        let my_id = me["id"].to_string();
        let other_id = other_id.to_string();
        // With the idempotency keys the forms carry: the change runs inside the key's transaction.
        let mine = [
            ("user_id", my_id.as_str()),
            ("role", "member"),
            ("idempotency_key", "5d0c9a6e-1b2f-4e3a-8c7d-0a1b2c3d4e5f"),
        ];
        let theirs = [
            ("user_id", other_id.as_str()),
            ("role", "member"),
            ("idempotency_key", "6e1dab7f-2c3a-4f4b-9d8e-1b2c3d4e5f60"),
        ];
        let (a, b) = tokio::join!(
            app.post_form(&admin, "/api/admin/users/role", &mine, &[]),
            app.post_form(&other, "/api/admin/users/role", &theirs, &[]),
        );
        let statuses = [a.status().as_u16(), b.status().as_u16()];
        assert!(statuses.contains(&409), "{statuses:?}");
        let admins = app
            .scalar("SELECT count(*) FROM users WHERE role = 'admin'")
            .await;
        assert_eq!(admins, 1);
    }
}

#[tokio::test]
async fn an_effect_cancelled_before_it_is_stored_with_its_outcome_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::helpers::db_in(dir.path()).await;
    db.migrate().await.unwrap();
    let email = clientele::domain::Email::parse("ada@example.com").unwrap();
    let id = db
        .create_first_user(&email, "Ada", "x", 0)
        .await
        .unwrap()
        .unwrap();
    let user = CurrentUser {
        id,
        email: "ada@example.com".into(),
        name: "Ada".into(),
        role: clientele::domain::Role::Admin,
        session_id: "s".into(),
    };
    let key = Some("7e4b2a10-9c3d-4f5e-8a6b-2c1d0e9f8a7b".to_string());
    let effect = |db: Db| async move {
        let invitation = db
            .create_invitation("hash", clientele::domain::Role::Member, id, 0, i64::MAX)
            .await
            .map_err(clientele::server::context::internal)?;
        // The client goes away while the request is still working.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(invitation)
    };
    let once = clientele::server::idempotency::once;
    let cancelled = tokio::time::timeout(
        Duration::from_millis(50),
        once(&db, &user, key.clone(), &(), effect),
    )
    .await;
    assert!(cancelled.is_err());
    // Sent again: it runs (nothing was stored), once.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let again = |db: Db| async move {
        db.create_invitation("hash2", clientele::domain::Role::Member, id, 0, i64::MAX)
            .await
            .map_err(clientele::server::context::internal)
    };
    clientele::server::idempotency::once(&db, &user, key.clone(), &(), again)
        .await
        .unwrap();
    let open = db.open_invitations(1).await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    db.close().await;
}

#[tokio::test]
async fn an_error_forged_into_the_referer_is_not_carried_to_the_page() {
    let (app, _, _, _) = admin_and("member").await;
    let browser = cookie_client();
    let forged = forged_error(r#"{"Conflict":"Your password expired. Call IT at +1 555 0100."}"#);
    let response = browser
        .post(app.url("/api/auth/login"))
        .header("accept", "text/html")
        .header(
            "referer",
            app.url(&format!(
                "/login?__path=%2Fapi%2Fauth%2Flogin&__err={forged}"
            )),
        )
        .form(&[("email", "ada@example.com"), ("password", "wrong one")])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/login");
    let html = browser
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Invalid email or password."), "{html}");
    assert!(!html.contains("Call IT"), "{html}");
}

#[tokio::test]
async fn a_huge_plain_form_post_stores_almost_nothing() {
    let (app, _, _, _) = admin_and("member").await;
    let huge = "a".repeat(1_500_000);
    for _ in 0..3 {
        let response = cookie_client()
            .post(app.url("/api/auth/login"))
            .header("accept", "text/html")
            .header("referer", app.url("/login"))
            .form(&[("email", huge.as_str()), ("password", "whatever")])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{response:?}");
    }
    let stored = app
        .scalar(if on_postgres() {
            "SELECT coalesce(sum(length(data)), 0) FROM tower_sessions.session"
        } else {
            "SELECT coalesce(sum(length(data)), 0) FROM tower_sessions"
        })
        .await;
    assert!(stored < 300_000, "{stored} bytes of sessions");
}

#[tokio::test]
async fn two_administrators_deactivating_each_other_at_once_leave_one() {
    for _ in 0..3 {
        let (app, admin, other, other_id) = admin_and("admin").await;
        let me: Value = app
            .post_form(&admin, "/api/auth/me", &[], &[])
            .await
            .json()
            .await
            .unwrap();
        let (my_id, other_id) = (me["id"].to_string(), other_id.to_string());
        let mine = [
            ("user_id", other_id.as_str()),
            ("active", "false"),
            ("idempotency_key", "7f2ebc80-3d4b-4a5c-8e9f-2c3d4e5f6071"),
        ];
        let theirs = [
            ("user_id", my_id.as_str()),
            ("active", "false"),
            ("idempotency_key", "80f3cd91-4e5c-4b6d-9fa0-3d4e5f607182"),
        ];
        let (a, b) = tokio::join!(
            app.post_form(&admin, "/api/admin/users/active", &mine, &[]),
            app.post_form(&other, "/api/admin/users/active", &theirs, &[]),
        );
        let statuses = [a.status().as_u16(), b.status().as_u16()];
        assert!(statuses.iter().any(|s| *s != 200), "{statuses:?}");
        let admins = app
            .scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active")
            .await;
        assert_eq!(admins, 1);
    }
}
