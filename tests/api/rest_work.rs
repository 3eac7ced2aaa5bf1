//! The JSON API's activities and tasks: the pages' lists, filters and paging, the forms' rules
//! (validation, live links, an activity changed only by its author or an admin), optimistic
//! locking, the trash, and "done" recorded in a task's history as "Mark done" records it.

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin::admin_and;
use crate::helpers::{form, TestApp};
use crate::records::new_contact;
use crate::rest::{api, token};

/// Calls with one token.
pub(crate) struct Caller<'a> {
    app: &'a TestApp,
    token: String,
}

/// What a call answered.
pub(crate) struct Answer {
    pub status: u16,
    pub etag: String,
    pub problem: bool,
    pub body: Value,
}

impl<'a> Caller<'a> {
    pub(crate) async fn of(app: &'a TestApp, client: &reqwest::Client, access: &str) -> Caller<'a> {
        let token = token(app, client, access).await;
        Caller { app, token }
    }

    /// `version`: sent as `If-Match` (`"3"`, or `*` as it is).
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        version: &str,
    ) -> Answer {
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

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, "").await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body), "").await
    }

    pub(crate) async fn patch(&self, path: &str, body: Value, version: &str) -> Answer {
        self.call(Method::PATCH, path, Some(body), version).await
    }

    pub(crate) async fn delete(&self, path: &str, version: &str) -> Answer {
        self.call(Method::DELETE, path, None, version).await
    }

    pub(crate) async fn restore(&self, path: &str) -> Answer {
        let path = format!("{path}/restore");
        self.call(Method::POST, &path, None, "").await
    }

    /// The `key` of each item a list answers.
    pub(crate) async fn list(&self, path: &str, key: &str) -> Vec<String> {
        listed(&self.get(path).await.body, key)
    }
}

/// The `key` of each item of a page.
pub(crate) fn listed(page: &Value, key: &str) -> Vec<String> {
    let items = page["items"].as_array();
    let items = items.unwrap_or_else(|| panic!("not a page: {page}"));
    items
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

/// The fields a 422 names.
pub(crate) fn fields(answer: &Answer) -> Vec<String> {
    assert!(answer.status == 422 && answer.problem, "{}", answer.body);
    let errors = answer.body["errors"].as_array().unwrap();
    errors
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// `YYYY-MM-DD`, `days` from today (UTC).
pub(crate) fn day(days: i64) -> String {
    let day = chrono::Utc::now() + chrono::Duration::days(days);
    day.format("%Y-%m-%d").to_string()
}

/// A record's history as its page shows it (newest first).
pub(crate) async fn history(
    app: &TestApp,
    client: &reqwest::Client,
    kind: &str,
    id: &Value,
) -> Vec<Value> {
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
