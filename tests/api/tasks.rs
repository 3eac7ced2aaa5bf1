//! Tasks over real HTTP: "My tasks" by default and the filters of /tasks, overdue ones marked,
//! a record's open tasks, "Mark done" once with its history, viewers reading only, and clear
//! errors for a wrong form.

use serde_json::Value;

use crate::admin::admin_and;
use crate::helpers::{error_of, form, TestApp, ACTIVITY_FIELDS, CONTACT_FIELDS};
use crate::records::saved_id;

const FIELDS: [&str; 8] = [
    "id", "version", "title", "due_date", "due_time", "assignee", "contact", "company",
];

async fn add(app: &TestApp, client: &reqwest::Client, given: &[(&str, &str)]) -> reqwest::Response {
    app.post_form(client, "/api/tasks/save", &form(&FIELDS, given), &[])
        .await
}

async fn list(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> Value {
    let fields: Vec<(String, &str)> = query
        .iter()
        .map(|(k, v)| (format!("query[{k}]"), *v))
        .collect();
    let mut fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    if fields.is_empty() {
        fields.push(("query[state]", "open"));
    }
    let response = app.post_form(client, "/api/tasks/list", &fields, &[]).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

fn titles(list: &Value) -> Vec<String> {
    list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect()
}

/// `YYYY-MM-DD`, `days` from today (UTC).
fn day(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let date = chrono::DateTime::from_timestamp(now + days * 86_400, 0).unwrap();
    date.format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn my_open_tasks_by_default_then_filters_and_mark_done_once() {
    let (app, admin, member, member_id) = admin_and("member").await;
    let vic = member_id.to_string();
    let admin_id = list(&app, &admin, &[]).await["me"].to_string();
    for (title, due, assignee) in [
        ("Call back Vic's lead", day(-1), vic.as_str()),
        ("Send the quote", day(3), admin_id.as_str()),
        ("Renew the contract", day(30), vic.as_str()),
        ("Someday", String::new(), ""),
    ] {
        let response = add(
            &app,
            &admin,
            &[("title", title), ("due_date", &due), ("assignee", assignee)],
        )
        .await;
        assert!(response.status().is_success(), "{response:?}");
    }
    // Vic's own open tasks, in due order, the overdue one first and marked.
    let mine = list(&app, &member, &[]).await;
    assert_eq!(
        titles(&mine),
        ["Call back Vic's lead", "Renew the contract"]
    );
    let now = mine["now"].as_i64().unwrap();
    assert!(mine["tasks"][0]["due"]["at"].as_i64().unwrap() < now);
    assert_eq!(
        titles(&list(&app, &member, &[("due", "overdue")]).await),
        ["Call back Vic's lead"]
    );
    assert_eq!(
        titles(&list(&app, &admin, &[("assignee", "anyone"), ("due", "week")]).await),
        ["Call back Vic's lead", "Send the quote"]
    );
    assert_eq!(
        titles(&list(&app, &admin, &[("assignee", "anyone")]).await),
        [
            "Call back Vic's lead",
            "Send the quote",
            "Renew the contract",
            "Someday"
        ],
        "undated last"
    );
    let html = app
        .get_as(&member, "/tasks")
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    assert!(
        html.contains(r#"<strong class="overdue-label">Overdue</strong>"#),
        "{html}"
    );
    assert!(
        html.contains("Mark done: Call back Vic&#x27;s lead")
            || html.contains("Mark done: Call back Vic's lead")
    );

    // Mark done, twice with one key: done once, and in the history once.
    let id = mine["tasks"][0]["id"].to_string();
    let fields = [
        ("id", id.as_str()),
        ("done", "true"),
        ("back", "/tasks"),
        ("idempotency_key", "3f0e9c1a-7b2d-4e5f-8a9b-0c1d2e3f4a5b"),
    ];
    for _ in 0..2 {
        let response = app
            .post_form(&member, "/api/tasks/done", &fields, &[])
            .await;
        assert!(response.status().is_success(), "{response:?}");
    }
    assert_eq!(
        titles(&list(&app, &member, &[]).await),
        ["Renew the contract"]
    );
    assert_eq!(
        titles(&list(&app, &member, &[("state", "done")]).await),
        ["Call back Vic's lead"]
    );
    let history: Value = app
        .post_form(
            &admin,
            "/api/records/history",
            &[("kind", "task"), ("id", &id)],
            &[],
        )
        .await
        .json()
        .await
        .unwrap();
    let changes = history["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "created, then marked done: {history}");
    assert_eq!(changes[0]["by"], "Vic");
    assert_eq!(changes[0]["fields"][0]["new"], "Yes");
}

#[tokio::test]
async fn a_records_page_shows_its_open_tasks_and_viewers_only_read() {
    let (app, admin, viewer, _) = admin_and("viewer").await;
    let contact = app
        .post_form(
            &admin,
            "/api/contacts/save",
            &form(&CONTACT_FIELDS, &[("first_name", "Ann")]),
            &[],
        )
        .await;
    let ann = saved_id(&contact).to_string();
    let added = add(
        &app,
        &admin,
        &[
            ("title", "Send Ann the deck"),
            ("due_date", &day(-2)),
            ("contact", &ann),
        ],
    )
    .await;
    assert_eq!(
        added
            .headers()
            .get("location")
            .or_else(|| added.headers().get("serverfnredirect"))
            .unwrap(),
        &format!("/contacts/{ann}?task=saved#tasks")
    );
    let html = app
        .get_as(&viewer, &format!("/contacts/{ann}"))
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    assert!(html.contains(r#"<h2 id="tasks">Open tasks</h2>"#), "{html}");
    assert!(html.contains("Send Ann the deck"));
    assert!(html.contains("Overdue"));
    assert!(
        !html.contains("Mark done") && !html.contains("Add task"),
        "a viewer reads only"
    );
    assert_eq!(
        add(&app, &viewer, &[("title", "Forged")]).await.status(),
        403
    );
    let tasks = list(&app, &viewer, &[("assignee", "anyone")]).await;
    let id = tasks["tasks"][0]["id"].to_string();
    let forged = app
        .post_form(
            &viewer,
            "/api/tasks/done",
            &[("id", &id), ("done", "true"), ("back", "/tasks")],
            &[],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let admin_html = app
        .get_as(&admin, &format!("/contacts/{ann}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(admin_html.contains("Mark done") && admin_html.contains(r#"aria-label="Add task""#));
}

#[tokio::test]
async fn a_wrong_task_is_refused_field_by_field() {
    let (app, admin, _, _) = admin_and("member").await;
    let refused = add(&app, &admin, &[("due_date", "14/03/2026")]).await;
    assert_eq!(refused.status(), 422);
    let error = error_of(refused).await;
    for field in ["title", "due_date"] {
        assert!(error.field(field).is_some(), "{field}: {error:?}");
    }
    // Checked against the store once the form itself is right.
    let refused = add(&app, &admin, &[("title", "T"), ("assignee", "999")]).await;
    assert!(error_of(refused).await.field("assignee").is_some());
    let refused = add(&app, &admin, &[("title", "T"), ("due_time", "09:00")]).await;
    assert_eq!(
        error_of(refused).await.field("due_date").as_deref(),
        Some("Give the day as well as the time.")
    );
    let outside = app
        .post_form(
            &admin,
            "/api/tasks/done",
            &[
                ("id", "1"),
                ("done", "true"),
                ("back", "https://evil.example"),
            ],
            &[],
        )
        .await;
    assert_eq!(
        outside.status(),
        404,
        "no such task; and `back` never leads off-site"
    );
}

#[tokio::test]
async fn the_home_page_shows_my_tasks_due_today_recent_activity_and_counts() {
    let (app, admin, member, member_id) = admin_and("member").await;
    let vic = member_id.to_string();
    let contact = app
        .post_form(
            &admin,
            "/api/contacts/save",
            &form(
                &CONTACT_FIELDS,
                &[("first_name", "Ann"), ("status", "customer")],
            ),
            &[],
        )
        .await;
    let ann = saved_id(&contact).to_string();
    for (title, due) in [
        ("Overdue for Vic", day(-1)),
        ("Today for Vic", day(0)),
        ("Later for Vic", day(5)),
    ] {
        add(
            &app,
            &admin,
            &[("title", title), ("due_date", &due), ("assignee", &vic)],
        )
        .await;
    }
    app.post_form(
        &admin,
        "/api/activities/save",
        &form(
            &ACTIVITY_FIELDS,
            &[
                ("subject", "Kick-off meeting"),
                ("kind", "meeting"),
                ("contact", &ann),
            ],
        ),
        &[],
    )
    .await;
    let html = app
        .get_as(&member, "/")
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    let mine = &html[html.find("My tasks").unwrap()..html.find("Recent activity").unwrap()];
    assert!(
        mine.contains("Overdue for Vic") && mine.contains("Today for Vic"),
        "{mine}"
    );
    assert!(!mine.contains("Later for Vic"));
    assert!(html.contains("Kick-off meeting"));
    assert!(
        html.contains(r#"<a href="/contacts?status=customer">1 customer contact</a>"#),
        "{html}"
    );
    assert!(html.contains("0 lead contacts"));
}

#[tokio::test]
async fn someone_made_active_by_another_process_can_be_assigned_at_once() {
    let (app, admin, member, member_id) = admin_and("member").await;
    let set_active = |active: bool| {
        let sql = format!("UPDATE users SET active = {active} WHERE id = {member_id}");
        let app = &app;
        async move {
            app.execute(&sql).await;
        }
    };
    // The server's shared list of people is read while Vic is inactive, then Vic is made
    // active again by another process (the command line, another instance).
    set_active(false).await;
    assert_eq!(
        list(&app, &admin, &[]).await["people"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    set_active(true).await;
    let vic = member_id.to_string();
    let assigned = add(
        &app,
        &admin,
        &[("title", "Welcome Vic"), ("assignee", &vic)],
    )
    .await;
    assert!(
        assigned.status().is_success(),
        "{:?}",
        error_of(assigned).await
    );
    // And Vic's own task list offers Vic as the assignee of a new task.
    let mine = list(&app, &member, &[]).await;
    assert_eq!(titles(&mine), ["Welcome Vic"]);
    assert!(mine["people"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p[0].as_i64() == Some(member_id)));
}
