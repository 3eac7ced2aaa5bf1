//! The JSON API's activities and tasks: the pages' lists, filters and paging, the forms' rules
//! (validation, live links, an activity changed only by its author or an admin), optimistic
//! locking, the trash, and "done" recorded in a task's history as "Mark done" records it.

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin::{admin_and, invite, PASSWORD};
use crate::helpers::{cookie_client, form, TestApp};
use crate::records::new_contact;
use crate::rest::{api, token};

/// Calls with one token.
struct Caller<'a> {
    app: &'a TestApp,
    token: String,
}

/// What a call answered.
struct Answer {
    status: u16,
    etag: String,
    problem: bool,
    body: Value,
}

impl<'a> Caller<'a> {
    async fn of(app: &'a TestApp, client: &reqwest::Client, access: &str) -> Caller<'a> {
        let token = token(app, client, access).await;
        Caller { app, token }
    }

    /// `version`: sent as `If-Match` (`"3"`, or `*` as it is).
    async fn call(&self, method: Method, path: &str, body: Option<Value>, version: &str) -> Answer {
        let tag = match version {
            "" | "*" => version.to_owned(),
            v => format!("\"{v}\""),
        };
        let mut headers = Vec::new();
        if !tag.is_empty() {
            headers.push(("if-match", tag.as_str()));
        }
        let response = api(self.app, &self.token, method, path, body, &headers).await;
        let header = |name: &str| {
            let value = response.headers().get(name).map(|v| v.to_str().unwrap());
            value.unwrap_or_default().to_owned()
        };
        let (etag, kind) = (header("etag"), header("content-type"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        Answer {
            status,
            etag,
            problem: kind == "application/problem+json",
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, "").await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body), "").await
    }

    async fn patch(&self, path: &str, body: Value, version: &str) -> Answer {
        self.call(Method::PATCH, path, Some(body), version).await
    }

    async fn delete(&self, path: &str, version: &str) -> Answer {
        self.call(Method::DELETE, path, None, version).await
    }

    async fn restore(&self, path: &str) -> Answer {
        let path = format!("{path}/restore");
        self.call(Method::POST, &path, None, "").await
    }

    /// The `key` of each item a list answers.
    async fn list(&self, path: &str, key: &str) -> Vec<String> {
        listed(&self.get(path).await.body, key)
    }
}

/// The `key` of each item of a page.
fn listed(page: &Value, key: &str) -> Vec<String> {
    let items = page["items"].as_array();
    let items = items.unwrap_or_else(|| panic!("not a page: {page}"));
    items
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

/// The fields a 422 names.
fn fields(answer: &Answer) -> Vec<String> {
    assert!(answer.status == 422 && answer.problem, "{}", answer.body);
    let errors = answer.body["errors"].as_array().unwrap();
    errors
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// `YYYY-MM-DD`, `days` from today (UTC).
fn day(days: i64) -> String {
    let day = chrono::Utc::now() + chrono::Duration::days(days);
    day.format("%Y-%m-%d").to_string()
}

/// A record's history as its page shows it (newest first).
async fn history(app: &TestApp, client: &reqwest::Client, kind: &str, id: &Value) -> Vec<Value> {
    let fields = [("kind", kind), ("id", &id.to_string())];
    let response = app.post_form(client, "/api/records/history", &fields, &[]);
    let page: Value = response.await.json().await.unwrap();
    page["changes"].as_array().unwrap().clone()
}

#[tokio::test]
async fn activities_are_logged_listed_by_record_updated_with_their_version_and_restored() {
    let (app, admin, _member, _) = admin_and("member").await;
    let ada = Caller::of(&app, &admin, "write").await;
    let acme = ada.post("/companies", json!({"name": "Acme"})).await.body;
    let ann = json!({"first_name": "Ann", "company": "Acme"});
    let ann = ada.post("/contacts", ann).await.body;
    let (acme, ann) = (&acme["id"], &ann["id"]);

    let call =
        json!({"kind": "call", "subject": "Intro call", "body": "Went well", "contact": ann});
    let logged = ada.post("/activities", call).await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    assert_eq!(logged.etag, "\"1\"");
    let id = &logged.body["id"];
    assert_eq!(logged.body["kind"], "call");
    assert_eq!(logged.body["author"]["name"], "Ada");
    assert_eq!(
        logged.body["company"]["id"], *acme,
        "on the contact's company's timeline"
    );
    let lunch = json!({"subject": "Lunch", "happened_at": "2025-01-02T03:04:05Z", "company": acme});
    let lunch = ada.post("/activities", lunch).await;
    assert_eq!(lunch.status, 201, "{}", lunch.body);
    assert_eq!(lunch.body["kind"], "note");
    assert_eq!(lunch.body["happened_at"], "2025-01-02T03:04:05Z");

    // Everyone's newest first; a contact's timeline; a company's holds its contacts' too.
    assert_eq!(
        ada.list("/activities", "subject").await,
        ["Intro call", "Lunch"]
    );
    let of_ann = ada
        .list(&format!("/activities?contact={ann}"), "subject")
        .await;
    assert_eq!(of_ann, ["Intro call"]);
    let of_acme = ada
        .list(&format!("/activities?company={acme}"), "subject")
        .await;
    assert_eq!(of_acme, ["Intro call", "Lunch"]);
    let both = ada
        .get(&format!("/activities?contact={ann}&company={acme}"))
        .await;
    assert!(both.status == 400 && both.problem);

    // An update names the version it changes; what it does not send stays, to the second.
    let path = format!("/activities/{id}");
    let subject = json!({"subject": "Intro call, take two"});
    let blind = ada.patch(&path, subject.clone(), "").await;
    assert!(blind.status == 428 && blind.problem);
    let updated = ada.patch(&path, subject, "1").await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.etag, "\"2\"");
    assert_eq!(updated.body["subject"], "Intro call, take two");
    for kept in ["kind", "body", "happened_at", "contact", "company"] {
        assert_eq!(updated.body[kept], logged.body[kept], "{kept}");
    }
    let changes = history(&app, &admin, "activity", id).await;
    let changed = changes[0]["fields"].as_array().unwrap();
    let changed: Vec<&str> = changed
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["subject"], "only what was sent: {changes:?}");
    let stale = ada.patch(&path, json!({"body": "Lost"}), "1").await;
    assert!(stale.status == 412 && stale.problem);
    assert_eq!(stale.body["current_version"], 2);
    let moved = ada.patch(&path, json!({"contact": null}), "2").await;
    assert_eq!(
        fields(&moved),
        ["contact"],
        "an activity stays where it was logged"
    );

    // To the trash (at the version read) and back.
    assert_eq!(ada.delete(&path, "1").await.status, 412);
    assert_eq!(ada.delete(&path, "2").await.status, 204);
    assert_eq!(ada.get(&path).await.status, 404);
    assert_eq!(ada.list("/activities", "subject").await, ["Lunch"]);
    let restored = ada.restore(&path).await;
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert_eq!(restored.body["subject"], "Intro call, take two");
    let again = ada.get(&path).await;
    assert_eq!((again.status, again.etag.as_str()), (200, "\"4\""));
}

#[tokio::test]
async fn tasks_are_listed_as_on_their_page_and_done_is_recorded_in_their_history() {
    let (app, admin, _member, vic) = admin_and("member").await;
    let ada = Caller::of(&app, &admin, "write").await;
    let ada_id = app
        .scalar("SELECT id FROM users WHERE email = 'ada@example.com'")
        .await;
    for (title, due_date, due_time, assignee) in [
        ("Call back", day(-1), "", json!(vic)),
        ("Send the quote", day(3), "09:30", json!(ada_id)),
        ("Renew the contract", day(30), "", json!(vic)),
        ("Someday", String::new(), "", Value::Null),
    ] {
        let task = json!({"title": title, "due_date": due_date, "due_time": due_time,
                          "assignee": assignee});
        let made = ada.post("/tasks", task).await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    // The token owner's open tasks by default; by assignee, due, in due order (undated last).
    let mine = ada.get("/tasks").await.body;
    assert_eq!(listed(&mine, "title"), ["Send the quote"]);
    let quote = &mine["items"][0];
    assert_eq!(
        (&quote["due_date"], &quote["due_time"]),
        (&json!(day(3)), &json!("09:30"))
    );
    assert_eq!(
        (&quote["overdue"], &quote["done"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(
        ada.list("/tasks?assignee=anyone", "title").await,
        [
            "Call back",
            "Send the quote",
            "Renew the contract",
            "Someday"
        ]
    );
    let vics = ada.list(&format!("/tasks?assignee={vic}"), "title").await;
    assert_eq!(vics, ["Call back", "Renew the contract"]);
    let overdue = ada.get("/tasks?assignee=anyone&due=overdue").await.body;
    assert_eq!(listed(&overdue, "title"), ["Call back"]);
    assert_eq!(overdue["items"][0]["overdue"], true);
    let week = ada.list("/tasks?assignee=anyone&due=week", "title").await;
    assert_eq!(week, ["Call back", "Send the quote"]);

    // Marked done by an update: gone from the open tasks, in the done ones and in its history.
    let path = format!("/tasks/{}", quote["id"]);
    assert_eq!(
        ada.patch(&path, json!({"done": true}), "").await.status,
        428
    );
    let done = ada.patch(&path, json!({"done": true}), "1").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        (done.etag.as_str(), &done.body["done"]),
        ("\"2\"", &json!(true))
    );
    assert!(done.body["done_at"].is_string());
    assert_eq!(done.body["due_time"], "09:30", "the rest stays");
    let stale = ada.patch(&path, json!({"title": "Lost"}), "1").await;
    assert!(stale.status == 412 && stale.problem);
    assert!(ada.list("/tasks", "title").await.is_empty());
    assert_eq!(
        ada.list("/tasks?state=done", "title").await,
        ["Send the quote"]
    );
    let changes = history(&app, &admin, "task", &quote["id"]).await;
    assert_eq!(changes.len(), 2, "created, then marked done: {changes:?}");
    assert_eq!(changes[0]["by"], "Ada");
    let marked = json!([{"field": "done", "old": "No", "new": "Yes"}]);
    assert_eq!(changes[0]["fields"], marked, "as \"Mark done\" records it");
    let page = app.get_as(&admin, &path).await.text().await.unwrap();
    assert!(
        page.contains("Reopen: Send the quote"),
        "its page offers to reopen it"
    );
    let reopened = ada.patch(&path, json!({"done": false}), "2").await;
    assert_eq!(reopened.body["done"], false);
    assert_eq!(ada.list("/tasks", "title").await, ["Send the quote"]);

    // To the trash and back.
    assert_eq!(ada.delete(&path, "").await.status, 204);
    assert!(ada.list("/tasks", "title").await.is_empty());
    assert_eq!(ada.get(&path).await.status, 404);
    let restored = ada.restore(&path).await;
    assert_eq!(
        (restored.status, &restored.body["title"]),
        (200, &json!("Send the quote"))
    );
    assert_eq!(ada.list("/tasks", "title").await, ["Send the quote"]);
}

#[tokio::test]
async fn lists_page_with_cursors_through_records_the_forms_made() {
    let (app, admin, _member, _) = admin_and("member").await;
    let reader = Caller::of(&app, &admin, "read").await;
    let ann = new_contact(&app, &admin, &[("first_name", "Ann")]).await;
    let ann = ann.to_string();
    let task_form = "id version title due_date due_time assignee contact company";
    let task_form: Vec<&str> = task_form.split(' ').collect();
    let note_form = "id version kind subject body happened_at contact company";
    let note_form: Vec<&str> = note_form.split(' ').collect();
    for n in 0..27 {
        let (title, date) = (format!("Task {n:02}"), format!("2030-01-{:02}", n + 1));
        let task = form(&task_form, &[("title", &title), ("due_date", &date)]);
        let saved = app.post_form(&admin, "/api/tasks/save", &task, &[]).await;
        assert!(saved.status().is_success());
        let (subject, at) = (
            format!("Note {n:02}"),
            format!("2025-06-{:02}T10:00", n + 1),
        );
        let note = [
            ("subject", &subject),
            ("happened_at", &at),
            ("contact", &ann),
        ];
        let note = form(&note_form, &note.map(|(k, v)| (k, v.as_str())));
        let saved = app
            .post_form(&admin, "/api/activities/save", &note, &[])
            .await;
        assert!(saved.status().is_success());
    }
    let tasks: Vec<String> = (0..27).map(|n| format!("Task {n:02}")).collect();
    let notes: Vec<String> = (0..27).rev().map(|n| format!("Note {n:02}")).collect();
    let timeline = format!("/activities?contact={ann}");
    for (path, key, expected) in [
        ("/tasks?assignee=anyone", "title", tasks),
        (timeline.as_str(), "subject", notes),
    ] {
        let first = reader.get(path).await.body;
        assert_eq!(listed(&first, key).len(), 25, "25 a page by default");
        let cursor = first["next_cursor"].as_str().unwrap();
        let second = reader.get(&format!("{path}&after={cursor}")).await.body;
        assert_eq!(second["next_cursor"], Value::Null, "the last page");
        let mut all = listed(&first, key);
        all.extend(listed(&second, key));
        assert_eq!(all, expected, "{path}: every record once, in order");
        let one_page = reader.list(&format!("{path}&limit=50"), key).await;
        assert_eq!(one_page, expected);
    }
}

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
