//! The API's OpenAPI document: served without a token, OpenAPI 3.1, listing exactly the routes
//! the server answers, each with the statuses it gives; and the reference page read from it.

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin::admin_and;
use crate::rest::{api, token};

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_nothing_else() {
    let (app, admin, _member, _) = admin_and("member").await;
    let secret = token(&app, &admin, "write").await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let contact: Value = api(
        &app,
        &secret,
        Method::POST,
        "/contacts",
        Some(json!({"first_name": "Ann"})),
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    let company: Value = api(
        &app,
        &secret,
        Method::POST,
        "/companies",
        Some(json!({"name": "Acme"})),
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    let activity: Value = api(
        &app,
        &secret,
        Method::POST,
        "/activities",
        Some(json!({"subject": "Intro call", "contact": contact["id"]})),
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    let task: Value = api(
        &app,
        &secret,
        Method::POST,
        "/tasks",
        Some(json!({"title": "Call back"})),
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        activity["id"].is_i64() && task["id"].is_i64(),
        "{activity} {task}"
    );
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        [
            "DELETE /activities/{id}",
            "DELETE /companies/{id}",
            "DELETE /contacts/{id}",
            "DELETE /tasks/{id}",
            "GET /activities",
            "GET /activities/{id}",
            "GET /companies",
            "GET /companies/{id}",
            "GET /contacts",
            "GET /contacts/{id}",
            "GET /tasks",
            "GET /tasks/{id}",
            "PATCH /activities/{id}",
            "PATCH /companies/{id}",
            "PATCH /contacts/{id}",
            "PATCH /tasks/{id}",
            "POST /activities",
            "POST /activities/{id}/restore",
            "POST /companies",
            "POST /companies/{id}/restore",
            "POST /contacts",
            "POST /contacts/{id}/restore",
            "POST /tasks",
            "POST /tasks/{id}/restore",
        ]
    );
    // Every documented operation is served (none answers 404 or 405 for its route), and the
    // status it answers is one the document lists for it.
    for operation in &operations {
        let (method, path) = operation.split_once(' ').unwrap();
        let id = match path.split('/').nth(1) {
            Some("companies") => &company["id"],
            Some("activities") => &activity["id"],
            Some("tasks") => &task["id"],
            _ => &contact["id"],
        };
        let concrete = path.replace("{id}", &id.to_string());
        let body = matches!(method, "POST" | "PATCH").then(|| json!({}));
        let response = api(
            &app,
            &secret,
            method.parse().unwrap(),
            &concrete,
            body,
            &[("if-match", "*")],
        )
        .await;
        let status = response.status().as_u16().to_string();
        let listed = &doc["paths"][path][method.to_lowercase()]["responses"];
        assert!(
            listed.get(&status).is_some(),
            "{operation} answered {status}, not documented"
        );
        assert!(status != "405", "{operation}");
    }
    // The reference page shows it.
    let page = reqwest::get(app.url("/api/docs"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("PATCH /api/v1/contacts/{id}"), "{page}");
}
