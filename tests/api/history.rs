//! The change history over real HTTP: every create, edit, delete and restore of a record, with each
//! edited field's old and new value, readable by every role, never by a visitor, and the whole
//! workspace's history for admins only.

use serde_json::Value;

use crate::admin::admin_and;
use crate::helpers::{form, TestApp, ACTIVITY_FIELDS, COMPANY_FIELDS, CONTACT_FIELDS};
use crate::records::saved_id;

async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    given: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(
        client,
        "/api/contacts/save",
        &form(&CONTACT_FIELDS, given),
        &[],
    )
    .await
}

async fn history(app: &TestApp, client: &reqwest::Client, id: i64, before: Option<i64>) -> Value {
    let id = id.to_string();
    let before = before.map(|b| b.to_string());
    let mut args = vec![("kind", "contact"), ("id", id.as_str())];
    if let Some(before) = &before {
        args.push(("before", before));
    }
    let response = app
        .post_form(client, "/api/records/history", &args, &[])
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

fn actions(page: &Value) -> Vec<String> {
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap().to_owned())
        .collect()
}

/// `(field, old, new)` of a change.
fn fields(change: &Value) -> Vec<(String, String, String)> {
    change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_owned();
            (s("field"), s("old"), s("new"))
        })
        .collect()
}

#[tokio::test]
async fn every_change_is_recorded_with_who_and_each_fields_old_and_new_value() {
    let (app, admin, viewer, _) = admin_and("viewer").await;
    let created = save(&app, &admin, &[("first_name", "Ann"), ("city", "Paris")]).await;
    let id = saved_id(&created);
    let sid = id.to_string();
    let edited = save(
        &app,
        &admin,
        &[
            ("id", &sid),
            ("version", "1"),
            ("first_name", "Ann"),
            ("city", "Lyon"),
            ("email", "ann@example.com"),
            ("status", "customer"),
        ],
    )
    .await;
    assert!(edited.status().is_success(), "{edited:?}");
    // Refused saves change nothing, so they are not in the history.
    let stale = save(
        &app,
        &admin,
        &[("id", &sid), ("version", "1"), ("first_name", "X")],
    )
    .await;
    assert_eq!(stale.status(), 409);
    let invalid = save(
        &app,
        &admin,
        &[("id", &sid), ("version", "2"), ("email", "not an address")],
    )
    .await;
    assert_eq!(invalid.status(), 422);
    // Saving the same values again is no change either.
    let same = save(
        &app,
        &admin,
        &[
            ("id", &sid),
            ("version", "2"),
            ("first_name", "Ann"),
            ("city", "Lyon"),
            ("email", "ann@example.com"),
            ("status", "customer"),
        ],
    )
    .await;
    assert!(same.status().is_success());
    for (endpoint, status) in [("/api/records/delete", 200), ("/api/trash/restore", 200)] {
        let response = app
            .post_form(&admin, endpoint, &[("kind", "contact"), ("id", &sid)], &[])
            .await;
        assert_eq!(response.status().as_u16() / 100, status / 100, "{endpoint}");
    }

    // A viewer reads the same history as the admin.
    let page = history(&app, &viewer, id, None).await;
    assert_eq!(page, history(&app, &admin, id, None).await);
    assert_eq!(actions(&page), ["restore", "delete", "edit", "create"]);
    let changes = page["changes"].as_array().unwrap();
    assert!(changes.iter().all(|c| c["by"] == "Ada"));
    assert_eq!(
        fields(&changes[2]),
        [
            ("email".into(), "".into(), "ann@example.com".into()),
            ("city".into(), "Paris".into(), "Lyon".into()),
            ("status".into(), "Lead".into(), "Customer".into()),
        ]
    );
    let created_fields = fields(&changes[3]);
    assert!(created_fields.contains(&("first_name".into(), "".into(), "Ann".into())));
    assert!(created_fields.contains(&("city".into(), "".into(), "Paris".into())));
    assert_eq!(page["older"], Value::Null);

    // The record's page shows it, labelled, old → new.
    let html = app
        .get_as(&viewer, &format!("/contacts/{id}"))
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    assert!(html.contains(r#"<h2 id="history">History</h2>"#), "{html}");
    assert!(
        html.contains(
            r#"<span class="field-name">City</span>: <del>Paris</del> → <ins>Lyon</ins>"#
        ),
        "{html}"
    );
    assert!(html.contains("Moved to the trash"));

    // History can never disagree with the data: one change for every version of the record.
    let details: Value = app
        .post_form(&admin, "/api/contacts/get", &[("id", &sid)], &[])
        .await
        .json()
        .await
        .unwrap();
    // The unchanged save still counted a version.
    assert_eq!(details["contact"]["version"], 5);
    assert_eq!(changes.len(), 4);
}

#[tokio::test]
async fn a_long_history_comes_in_pages_newest_first() {
    let (app, admin, _, _) = admin_and("member").await;
    let id = saved_id(&save(&app, &admin, &[("first_name", "Ann")]).await);
    let sid = id.to_string();
    for version in 1..=24 {
        let city = format!("City {version}");
        let v = version.to_string();
        let response = save(
            &app,
            &admin,
            &[
                ("id", &sid),
                ("version", &v),
                ("first_name", "Ann"),
                ("city", &city),
            ],
        )
        .await;
        assert!(response.status().is_success(), "{response:?}");
    }
    let first = history(&app, &admin, id, None).await;
    assert_eq!(first["changes"].as_array().unwrap().len(), 20);
    assert_eq!(fields(&first["changes"][0])[0].2, "City 24");
    let older = first["older"].as_i64().expect("an older page");
    let second = history(&app, &admin, id, Some(older)).await;
    assert_eq!(actions(&second), ["edit", "edit", "edit", "edit", "create"]);
    assert_eq!(second["older"], Value::Null);
    let html = app
        .get_as(&admin, &format!("/contacts/{id}?history={older}"))
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    assert!(html.contains("<ins>City 4</ins>"), "{html}");
    assert!(!html.contains("<ins>City 24</ins>"));
}

#[tokio::test]
async fn the_workspace_history_is_for_admins_and_filters_by_user_and_kind() {
    let (app, admin, member, member_id) = admin_and("member").await;
    save(&app, &admin, &[("first_name", "Ann")]).await;
    save(&app, &member, &[("first_name", "Bob")]).await;
    let company = app
        .post_form(
            &member,
            "/api/companies/save",
            &form(&COMPANY_FIELDS, &[("name", "Acme")]),
            &[],
        )
        .await;
    assert!(company.status().is_success());
    let all = |args: Vec<(&'static str, String)>| {
        let app = &app;
        let admin = &admin;
        async move {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app.post_form(admin, "/api/admin/history", &args, &[]).await;
            assert_eq!(response.status(), 200);
            let page: Value = response.json().await.unwrap();
            page["page"]["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["kind"].as_str().unwrap().to_owned(),
                        c["by"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(all(vec![]).await.len(), 3);
    assert_eq!(
        all(vec![("user", member_id.to_string())]).await,
        [
            ("company".to_owned(), "Vic".to_owned()),
            ("contact".into(), "Vic".into())
        ]
    );
    assert_eq!(
        all(vec![
            ("kind", "contact".into()),
            ("user", member_id.to_string())
        ])
        .await,
        [("contact".to_owned(), "Vic".to_owned())]
    );
    let refused = app.post_form(&member, "/api/admin/history", &[], &[]).await;
    assert_eq!(refused.status(), 403);
    let page = app.get_as(&admin, "/admin/history?kind=company").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap().replace("<!>", "");
    assert!(html.contains("Company #"), "{html}");
    assert!(!html.contains("Contact #"));
}

/// What people type is text wherever rows are written as HTML in one pass (components/rows.rs):
/// the lists, the timelines and the histories.
#[tokio::test]
async fn what_people_type_is_text_in_rows_timelines_and_histories() {
    let (app, admin, _, _) = admin_and("viewer").await;
    const HOSTILE: &str = "<b id=\"x\">Ann & \"Bo\"</b>";
    const ESCAPED: &str = "&lt;b id=&quot;x&quot;&gt;Ann &amp; &quot;Bo&quot;&lt;/b&gt;";
    let company = app
        .post_form(
            &admin,
            "/api/companies/save",
            &form(
                &COMPANY_FIELDS,
                &[("name", HOSTILE), ("domain", "hostile.example")],
            ),
            &[],
        )
        .await;
    let company = saved_id(&company);
    let created = save(
        &app,
        &admin,
        &[("first_name", HOSTILE), ("company", "hostile.example")],
    )
    .await;
    let id = saved_id(&created);
    let (id_text, version) = (id.to_string(), "1".to_string());
    let edited = save(
        &app,
        &admin,
        &[
            ("id", &id_text),
            ("version", &version),
            ("first_name", HOSTILE),
            ("company", "hostile.example"),
            ("city", HOSTILE),
        ],
    )
    .await;
    assert!(edited.status().is_success(), "{edited:?}");
    let logged = app
        .post_form(
            &admin,
            "/api/activities/save",
            &form(
                &ACTIVITY_FIELDS,
                &[
                    ("kind", "call"),
                    ("subject", HOSTILE),
                    ("body", HOSTILE),
                    ("contact", &id_text),
                ],
            ),
            &[],
        )
        .await;
    assert!(logged.status().is_success(), "{logged:?}");
    for path in [
        "/contacts".to_owned(),
        "/companies".to_owned(),
        "/activities".to_owned(),
        "/".to_owned(),
        format!("/contacts/{id}"),
        format!("/companies/{company}"),
        "/admin/history".to_owned(),
    ] {
        let response = app.get_as(&admin, &path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap().replace("<!>", "");
        assert!(!html.contains("<b id="), "{path}: {html}");
        assert!(html.contains(ESCAPED), "{path}: {html}");
    }
}
