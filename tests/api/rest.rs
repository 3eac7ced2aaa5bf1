//! The JSON API under `/api/v1`: the contacts and companies endpoints with the forms' rules,
//! problem details, optimistic locking and idempotency keys. (Tokens: `tokens.rs`; the
//! document: `openapi.rs`.)

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin::admin_and;
use crate::helpers::TestApp;

/// A token made by `client` at /settings/tokens: `access` "read" or "write".
pub(crate) async fn token(app: &TestApp, client: &reqwest::Client, access: &str) -> String {
    let response = app
        .post_form(
            client,
            "/api/settings/tokens/create",
            &[("name", "Script"), ("access", access), ("expires", "30")],
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(response.status(), 200, "{response:?}");
    response.json().await.unwrap()
}

/// An API call with `token` (and a JSON body, and headers).
pub(crate) async fn api(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

pub(crate) fn problem(response: &reqwest::Response) {
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{response:?}"
    );
}

#[tokio::test]
async fn a_token_shown_once_lists_creates_reads_and_updates_contacts_as_its_owner() {
    let (app, admin, _member, _) = admin_and("member").await;
    let secret = token(&app, &admin, "write").await;
    assert!(secret.starts_with("clt_"), "{secret}");
    // Kept only as a hash; the list shows its first characters.
    let stored = app
        .scalar(&format!(
            "SELECT count(*) FROM api_tokens WHERE token_hash = '{secret}' OR hint = '{secret}'"
        ))
        .await;
    assert_eq!(stored, 0);
    let page = app
        .get_as(&admin, "/settings/tokens")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&secret[..8]) && !page.contains(&secret),
        "shown once"
    );

    let navy = api(
        &app,
        &secret,
        Method::POST,
        "/companies",
        Some(json!({"name": "Navy", "domain": "navy.example"})),
        &[],
    )
    .await;
    assert_eq!(navy.status(), 201);
    let created = api(
        &app,
        &secret,
        Method::POST,
        "/contacts",
        Some(
            json!({"first_name": "Grace", "last_name": "Hopper", "email": "Grace@Navy.example",
                    "tags": ["vip", "navy"], "status": "customer", "company": "Navy"}),
        ),
        &[],
    )
    .await;
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    assert_eq!(created.headers()["etag"], "\"1\"");
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let contact: Value = created.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/contacts/{}", contact["id"]));
    assert_eq!(contact["email"], "grace@navy.example");
    assert_eq!(contact["company"]["name"], "Navy");
    assert_eq!(contact["tags"], json!(["vip", "navy"]));
    assert_eq!(contact["created"]["by"], "Ada");

    // The same search, filters and paging as the page.
    let found: Value = api(
        &app,
        &secret,
        Method::GET,
        "/contacts?q=hopper&tag=VIP",
        None,
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(found["total"], json!({"count": 1, "exact": true}));
    assert_eq!(found["items"][0]["name"], "Grace Hopper");
    assert_eq!(found["next_cursor"], Value::Null);
    let path = format!("/contacts/{}", contact["id"]);

    // An update says which version it changes.
    let blind = api(
        &app,
        &secret,
        Method::PATCH,
        &path,
        Some(json!({"city": "Arlington"})),
        &[],
    )
    .await;
    assert_eq!(blind.status(), 428);
    problem(&blind);
    let updated = api(
        &app,
        &secret,
        Method::PATCH,
        &path,
        Some(json!({"city": "Arlington", "owner": null})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(updated.status(), 200, "{updated:?}");
    assert_eq!(updated.headers()["etag"], "\"2\"");
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["city"], "Arlington");
    assert_eq!(updated["last_name"], "Hopper", "fields not sent are kept");
    // A stale write changes nothing and says the version now.
    let stale = api(
        &app,
        &secret,
        Method::PATCH,
        &path,
        Some(json!({"city": "Lost"})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(stale.status(), 412);
    problem(&stale);
    assert_eq!(stale.json::<Value>().await.unwrap()["current_version"], 2);
    // The page's history shows the API's edit as the token's owner's.
    let history = app
        .get_as(&admin, &format!("/contacts/{}", contact["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(history.contains("Arlington"), "the page shows the change");
}

#[tokio::test]
async fn invalid_input_gets_every_fields_message_and_malformed_bodies_a_400() {
    let (app, admin, _member, _) = admin_and("member").await;
    let secret = token(&app, &admin, "write").await;
    let invalid = api(
        &app,
        &secret,
        Method::POST,
        "/contacts",
        Some(json!({"email": "not-an-email", "status": "royalty"})),
        &[],
    )
    .await;
    assert_eq!(invalid.status(), 422);
    problem(&invalid);
    let body: Value = invalid.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"email") && fields.contains(&"status"),
        "{body}"
    );
    for bad in [
        json!({"frist_name": "Typo"}),
        json!({"first_name": 42}),
        json!([1, 2]),
    ] {
        let response = api(&app, &secret, Method::POST, "/contacts", Some(bad), &[]).await;
        assert_eq!(response.status(), 400, "{response:?}");
        problem(&response);
    }
    let garbage = reqwest::Client::new()
        .post(app.url("/api/v1/companies"))
        .bearer_auth(&secret)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 0);
    for path in [
        "/contacts/0",
        "/contacts/abc",
        "/contacts/99999",
        "/nothing/here",
    ] {
        let missing = api(&app, &secret, Method::GET, path, None, &[]).await;
        assert_eq!(missing.status(), 404, "{path}");
        problem(&missing);
    }
}

#[tokio::test]
async fn a_repeated_key_creates_once_and_deleted_records_can_be_restored() {
    let (app, admin, _member, _) = admin_and("member").await;
    let secret = token(&app, &admin, "write").await;
    let key = [("idempotency-key", "0b6f1f0a-3c1e-4b8e-9d7e-2f4f1f0a3c1e")];
    let body = json!({"name": "Initech", "domain": "initech.example", "size": 120});
    let first: Value = api(
        &app,
        &secret,
        Method::POST,
        "/companies",
        Some(body.clone()),
        &key,
    )
    .await
    .json()
    .await
    .unwrap();
    let again = api(&app, &secret, Method::POST, "/companies", Some(body), &key).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, 1);
    // The same key with another body is refused.
    let other = api(
        &app,
        &secret,
        Method::POST,
        "/companies",
        Some(json!({"name": "Other"})),
        &key,
    )
    .await;
    assert_eq!(other.status(), 409);
    problem(&other);

    let path = format!("/companies/{}", first["id"]);
    let wrong = api(
        &app,
        &secret,
        Method::DELETE,
        &path,
        None,
        &[("if-match", "\"7\"")],
    )
    .await;
    assert_eq!(wrong.status(), 412);
    let deleted = api(
        &app,
        &secret,
        Method::DELETE,
        &path,
        None,
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        api(&app, &secret, Method::GET, &path, None, &[])
            .await
            .status(),
        404
    );
    let trash = app.get_as(&admin, "/trash").await.text().await.unwrap();
    assert!(trash.contains("Initech"));
    let restored = api(
        &app,
        &secret,
        Method::POST,
        &format!("{path}/restore"),
        None,
        &[],
    )
    .await;
    assert_eq!(restored.status(), 200);
    assert_eq!(restored.json::<Value>().await.unwrap()["size"], 120);
    let twice = api(
        &app,
        &secret,
        Method::POST,
        &format!("{path}/restore"),
        None,
        &[],
    )
    .await;
    assert_eq!(twice.status(), 404);
}

#[tokio::test]
async fn an_update_leaves_alone_what_it_does_not_send_and_a_repeated_delete_gets_its_answer() {
    let (app, admin, _member, _) = admin_and("member").await;
    let secret = token(&app, &admin, "write").await;
    // Two companies of the same name: the contact's is told apart by its domain.
    for domain in ["acme.example", "acme-two.example"] {
        let made = api(
            &app,
            &secret,
            Method::POST,
            "/companies",
            Some(json!({"name": "Acme", "domain": domain})),
            &[],
        )
        .await;
        assert_eq!(made.status(), 201);
    }
    let contact: Value = api(
        &app,
        &secret,
        Method::POST,
        "/contacts",
        Some(json!({"first_name": "Wile", "company": "acme-two.example"})),
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    let path = format!("/contacts/{}", contact["id"]);
    let updated = api(
        &app,
        &secret,
        Method::PATCH,
        &path,
        Some(json!({"notes": "Coyote"})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(updated.status(), 200, "{:?}", updated.text().await);
    let after: Value = api(&app, &secret, Method::GET, &path, None, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["company"], contact["company"], "the same company");
    assert_eq!(after["notes"], "Coyote");

    // A delete sent again with its key gets the first answer, though the record is gone.
    let key = [
        ("idempotency-key", "4c8e2a0e-delete-once-0001"),
        ("if-match", "\"2\""),
    ];
    assert_eq!(
        api(&app, &secret, Method::DELETE, &path, None, &key)
            .await
            .status(),
        204
    );
    assert_eq!(
        api(&app, &secret, Method::DELETE, &path, None, &key)
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn refusals_from_the_router_are_problem_reports_too() {
    let (app, admin, _member, _) = admin_and("member").await;
    let secret = token(&app, &admin, "read").await;
    let not_allowed = api(&app, &secret, Method::PUT, "/contacts", None, &[]).await;
    assert_eq!(not_allowed.status(), 405);
    problem(&not_allowed);
    assert!(not_allowed.headers().get("allow").is_some());
    let repeated = api(&app, &secret, Method::GET, "/contacts?q=a&q=b", None, &[]).await;
    assert_eq!(repeated.status(), 400);
    problem(&repeated);
    // Control characters in a filter are dropped (PostgreSQL refuses NUL in text).
    let nul = api(
        &app,
        &secret,
        Method::GET,
        "/contacts?tag=%00vip&q=%00",
        None,
        &[],
    )
    .await;
    assert_eq!(nul.status(), 200);
}
