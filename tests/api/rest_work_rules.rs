//! The JSON API's activities and tasks, the forms' rules: field errors, links to missing or
//! trashed records, an activity changed only by its author or an admin, and read-only tokens.
//! (Lists, versions, the trash and "done": `rest_work.rs`.)

use serde_json::json;

use crate::admin::{admin_and, invite, PASSWORD};
use crate::helpers::cookie_client;
use crate::rest_work::{fields, Caller};

#[tokio::test]
async fn invalid_fields_and_links_to_missing_or_trashed_records_are_refused_per_field() {
    let (app, admin, _member, _) = admin_and("member").await;
    let ada = Caller::of(&app, &admin, "write").await;
    let bad = ada
        .post("/tasks", json!({"title": " ", "due_date": "14/03/2030"}))
        .await;
    assert_eq!(fields(&bad), ["title", "due_date"]);
    let bad = json!({"title": "Call", "due_date": "2030-03-14", "due_time": "9am"});
    assert_eq!(fields(&ada.post("/tasks", bad).await), ["due_time"]);
    let bad = json!({"kind": "fax", "subject": "", "contact": 1});
    assert_eq!(
        fields(&ada.post("/activities", bad).await),
        ["kind", "subject"]
    );
    let nowhere = ada.post("/activities", json!({"subject": "Hello"})).await;
    assert_eq!(
        fields(&nowhere),
        ["contact"],
        "about a contact or a company"
    );

    // Links to records that are not there, or in the trash, are named at their field.
    let missing = json!({"subject": "Hello", "contact": 99999});
    let missing = ada.post("/activities", missing).await;
    assert_eq!(fields(&missing), ["contact"]);
    let message = missing.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("trash or gone"), "{message}");
    let missing = ada
        .post("/tasks", json!({"title": "Call", "company": 99999}))
        .await;
    assert_eq!(fields(&missing), ["company"]);
    let bob = ada
        .post("/contacts", json!({"first_name": "Bob"}))
        .await
        .body;
    assert_eq!(
        ada.delete(&format!("/contacts/{}", bob["id"]), "")
            .await
            .status,
        204
    );
    let trashed = ada
        .post("/tasks", json!({"title": "Call Bob", "contact": bob["id"]}))
        .await;
    assert_eq!(fields(&trashed), ["contact"]);
    let nobody = ada
        .post("/tasks", json!({"title": "Call", "assignee": 99999}))
        .await;
    assert_eq!(fields(&nobody), ["assignee"]);
    for malformed in [
        json!({"titel": "Typo"}),
        json!({"title": "x", "done": "yes"}),
    ] {
        let answer = ada.post("/tasks", malformed).await;
        assert!(answer.status == 400 && answer.problem, "{}", answer.body);
    }
    let written = "SELECT (SELECT count(*) FROM tasks) + (SELECT count(*) FROM activities)";
    assert_eq!(app.scalar(written).await, 0, "nothing refused was written");
}

#[tokio::test]
async fn only_its_author_or_an_admin_changes_an_activity_and_read_only_tokens_never_write() {
    let (app, admin, vic, _) = admin_and("member").await;
    let mo = cookie_client();
    let invitation = invite(&app, &admin, "member").await;
    let joined = [("invitation", invitation.as_str())];
    let joined = app.register_as(&mo, "Mo", "mo@example.com", PASSWORD, &joined, &[]);
    assert!(joined.await.status().is_success());
    let ada = Caller::of(&app, &admin, "write").await;
    let (vic, mo) = (
        Caller::of(&app, &vic, "write").await,
        Caller::of(&app, &mo, "write").await,
    );
    let ann = ada
        .post("/contacts", json!({"first_name": "Ann"}))
        .await
        .body;
    let note = json!({"subject": "Vic's note", "contact": ann["id"]});
    let note = vic.post("/activities", note).await;
    assert_eq!(note.status, 201, "{}", note.body);
    let path = format!("/activities/{}", note.body["id"]);

    // Another member may not change, delete or restore it; its author and an admin may.
    let edit = json!({"subject": "Mo was here"});
    let refused = mo.patch(&path, edit.clone(), "*").await;
    assert!(refused.status == 403 && refused.problem, "{}", refused.body);
    assert_eq!(mo.delete(&path, "").await.status, 403);
    let kept = mo.get(&path).await;
    assert_eq!(
        (kept.etag.as_str(), &kept.body["subject"]),
        ("\"1\"", &json!("Vic's note"))
    );
    assert_eq!(
        vic.patch(&path, json!({"body": "More"}), "1").await.status,
        200
    );
    let by_admin = ada.patch(&path, edit, "2").await;
    assert_eq!(by_admin.status, 200, "{}", by_admin.body);
    assert_eq!(by_admin.body["subject"], "Mo was here");
    assert_eq!(by_admin.body["updated"]["by"], "Ada");
    assert_eq!(by_admin.body["author"]["name"], "Vic", "still Vic's");
    assert_eq!(vic.delete(&path, "").await.status, 204);
    assert_eq!(mo.restore(&path).await.status, 403);
    assert_eq!(vic.restore(&path).await.status, 200);

    // A read-only token (an admin's) reads, and writes nothing.
    let reader = Caller::of(&app, &admin, "read").await;
    let task = ada.post("/tasks", json!({"title": "Call"})).await.body;
    let task_path = format!("/tasks/{}", task["id"]);
    assert_eq!(reader.get(&task_path).await.status, 200);
    let forged = json!({"subject": "Forged", "contact": ann["id"]});
    for (n, answer) in [
        reader.post("/tasks", json!({"title": "Forged"})).await,
        reader.post("/activities", forged).await,
        reader.patch(&task_path, json!({"done": true}), "*").await,
        reader.patch(&path, json!({"subject": "Forged"}), "*").await,
        reader.delete(&task_path, "").await,
        reader.delete(&path, "").await,
    ]
    .into_iter()
    .enumerate()
    {
        assert!(
            answer.status == 403 && answer.problem,
            "write {n}: {}",
            answer.status
        );
    }
    let task = reader.get(&task_path).await;
    assert_eq!(
        (task.etag.as_str(), &task.body["done"]),
        ("\"1\"", &json!(false))
    );
    assert_eq!(reader.get(&path).await.body["subject"], "Mo was here");
    assert_eq!(app.scalar("SELECT count(*) FROM activities").await, 1);
    assert_eq!(app.scalar("SELECT count(*) FROM tasks").await, 1);
}
