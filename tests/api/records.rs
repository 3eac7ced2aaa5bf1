//! Companies and contacts over real HTTP: validation, search, filters, sorting, paging, stale
//! edits, the trash, roles, escaping, and forms posted without JavaScript.

use clientele::error::AppError;
use serde_json::Value;

use crate::admin::admin_and;
use crate::helpers::{error_of, form, TestApp, COMPANY_FIELDS, CONTACT_FIELDS};

/// The id in a save's redirect (`/contacts/12?saved=1`).
pub fn saved_id(response: &reqwest::Response) -> i64 {
    let location = response
        .headers()
        .get("x-clientele-location")
        .or_else(|| response.headers().get("location"))
        .or_else(|| response.headers().get("serverfnredirect"))
        .unwrap_or_else(|| panic!("no redirect: {response:?}"))
        .to_str()
        .unwrap();
    location
        .trim_start_matches('/')
        .split(['/', '?'])
        .nth(1)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id in {location}"))
}

async fn save_contact(
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

pub(crate) async fn new_contact(
    app: &TestApp,
    client: &reqwest::Client,
    given: &[(&str, &str)],
) -> i64 {
    let response = save_contact(app, client, given).await;
    assert!(response.status().is_success(), "{response:?}");
    saved_id(&response)
}

async fn new_company(app: &TestApp, client: &reqwest::Client, given: &[(&str, &str)]) -> i64 {
    let response = app
        .post_form(
            client,
            "/api/companies/save",
            &form(&COMPANY_FIELDS, given),
            &[],
        )
        .await;
    assert!(response.status().is_success(), "{response:?}");
    saved_id(&response)
}

/// The contacts list for `query` (`("q", "ann")`, …).
pub async fn list(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> Value {
    let mut fields: Vec<(String, &str)> = query
        .iter()
        .map(|(k, v)| (format!("query[{k}]"), *v))
        .collect();
    if !query.iter().any(|(k, _)| *k == "q") {
        fields.push(("query[q]".into(), ""));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let response = app
        .post_form(client, "/api/contacts/list", &fields, &[])
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

pub fn names(list: &Value) -> Vec<String> {
    list["page"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn contacts_are_found_by_email_fragment_and_by_phone_in_any_format() {
    let (app, admin, _, _) = admin_and("viewer").await;
    let acme = new_company(
        &app,
        &admin,
        &[("name", "Acme Corp"), ("domain", "acme.example")],
    )
    .await;
    new_contact(
        &app,
        &admin,
        &[
            ("first_name", "Ann"),
            ("last_name", "Lee"),
            ("email", "Ann.Lee@Acme.example"),
            ("phone", "+44 20 7946 0958"),
            ("company", "Acme Corp"),
        ],
    )
    .await;
    new_contact(
        &app,
        &admin,
        &[
            ("first_name", "Bob"),
            ("last_name", "Stone"),
            ("phone", "(555) 010-2030"),
            ("company", "acme.example"),
        ],
    )
    .await;

    for (search, expected) in [
        ("ann.lee@acm", vec!["Ann Lee"]),
        ("lee@acme", vec!["Ann Lee"]),
        ("020 7946 0958", vec!["Ann Lee"]),
        ("+442079460958", vec!["Ann Lee"]),
        ("7946-0958", vec!["Ann Lee"]),
        ("+1 555 010 2030", vec!["Bob Stone"]),
        ("555.010.2030", vec!["Bob Stone"]),
        // Searches list the newest matches first.
        ("acme", vec!["Bob Stone", "Ann Lee"]),
        ("stone acme", vec!["Bob Stone"]),
        ("nobody", vec![]),
    ] {
        let found = list(&app, &admin, &[("q", search)]).await;
        assert_eq!(names(&found), expected, "search {search:?}");
    }

    // Renaming the company is seen by the contacts' search at once.
    let company = app
        .post_form(
            &admin,
            "/api/companies/get",
            &[("id", &acme.to_string())],
            &[],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let version = company["company"]["version"].to_string();
    let response = app
        .post_form(
            &admin,
            "/api/companies/save",
            &form(
                &COMPANY_FIELDS,
                &[
                    ("id", &acme.to_string()),
                    ("version", &version),
                    ("name", "Zenith Ltd"),
                    ("domain", "acme.example"),
                ],
            ),
            &[],
        )
        .await;
    assert!(response.status().is_success(), "{response:?}");
    assert_eq!(
        names(&list(&app, &admin, &[("q", "zenith"), ("sort", "name")]).await),
        ["Ann Lee", "Bob Stone"]
    );
    assert!(names(&list(&app, &admin, &[("q", "acme corp")]).await).is_empty());
}

#[tokio::test]
async fn lists_filter_sort_and_page_with_cursors() {
    let (app, admin, _, _) = admin_and("viewer").await;
    for i in 0..30 {
        let first = format!("Person{i:02}");
        let email = format!("p{i}@example.com");
        let status = if i % 3 == 0 { "customer" } else { "lead" };
        let tags = if i % 5 == 0 {
            "vip, newsletter"
        } else {
            "newsletter"
        };
        let city = format!("City{}", 29 - i);
        new_contact(
            &app,
            &admin,
            &[
                ("first_name", &first),
                ("last_name", "Smith"),
                ("email", &email),
                ("status", status),
                ("tags", tags),
                ("city", &city),
            ],
        )
        .await;
    }
    let all = list(&app, &admin, &[]).await;
    assert_eq!(all["page"]["total"], serde_json::json!({"Exact": 30}));
    assert_eq!(names(&all).len(), 25);
    assert_eq!(names(&all)[0], "Person00 Smith");
    let next = all["page"]["next"]
        .as_str()
        .expect("a next page")
        .to_owned();
    assert!(all["page"]["prev"].is_null());

    let second = list(&app, &admin, &[("after", &next)]).await;
    assert_eq!(
        names(&second),
        (25..30)
            .map(|i| format!("Person{i:02} Smith"))
            .collect::<Vec<_>>()
    );
    assert!(second["page"]["next"].is_null());
    let prev = second["page"]["prev"]
        .as_str()
        .expect("a previous page")
        .to_owned();
    let back = list(&app, &admin, &[("before", &prev)]).await;
    assert_eq!(names(&back), names(&all));
    assert!(back["page"]["prev"].is_null());

    let per50 = list(&app, &admin, &[("per", "50")]).await;
    assert_eq!(names(&per50).len(), 30);

    let by_city = list(&app, &admin, &[("sort", "city"), ("per", "50")]).await;
    assert_eq!(names(&by_city)[0], "Person29 Smith", "City0 first");
    let by_name_desc = list(&app, &admin, &[("dir", "desc")]).await;
    assert_eq!(names(&by_name_desc)[0], "Person29 Smith");

    let customers = list(&app, &admin, &[("status", "customer")]).await;
    assert_eq!(customers["page"]["total"], serde_json::json!({"Exact": 10}));
    let vip = list(&app, &admin, &[("tag", "VIP")]).await;
    assert_eq!(
        names(&vip),
        [
            "Person00 Smith",
            "Person05 Smith",
            "Person10 Smith",
            "Person15 Smith",
            "Person20 Smith",
            "Person25 Smith"
        ]
    );
    let vip_customers = list(&app, &admin, &[("tag", "vip"), ("status", "customer")]).await;
    assert_eq!(names(&vip_customers), ["Person00 Smith", "Person15 Smith"]);

    // Nonsense in a hand-edited link is ignored, never a server error.
    let odd = list(
        &app,
        &admin,
        &[
            ("sort", "'; DROP TABLE contacts"),
            ("after", "garbage"),
            ("per", "7"),
            ("status", "x"),
        ],
    )
    .await;
    assert_eq!(names(&odd).len(), 25);
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_keeping_what_was_typed() {
    let (app, admin, _, _) = admin_and("viewer").await;
    let response = save_contact(
        &app,
        &admin,
        &[
            ("email", "not-an-email"),
            ("phone", "call me"),
            ("company", "Nowhere Inc"),
            ("notes", "keep me"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let AppError::Validation(errors) = error_of(response).await else {
        panic!("not a validation error")
    };
    for field in ["first_name", "email", "phone"] {
        assert!(errors.get(field).is_some(), "{field}: {errors:?}");
    }
    assert!(errors.values.contains(&("notes".into(), "keep me".into())));

    // Unknown company: only known once the other fields are valid.
    let response = save_contact(
        &app,
        &admin,
        &[("first_name", "Ann"), ("company", "Nowhere Inc")],
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(error_of(response)
        .await
        .field("company")
        .unwrap()
        .contains("Nowhere Inc"));

    new_contact(
        &app,
        &admin,
        &[("first_name", "Ann"), ("email", "ann@example.com")],
    )
    .await;
    let response = save_contact(
        &app,
        &admin,
        &[("first_name", "Other"), ("email", "ANN@example.com")],
    )
    .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        error_of(response).await.field("email").as_deref(),
        Some("Another contact already has this email address.")
    );
}

#[tokio::test]
async fn a_stale_edit_overwrites_nothing_and_says_who_changed_it() {
    let (app, admin, _, _) = admin_and("viewer").await;
    let id = new_contact(&app, &admin, &[("first_name", "Ann"), ("city", "Paris")]).await;
    let id = id.to_string();
    let first = save_contact(
        &app,
        &admin,
        &[
            ("id", &id),
            ("version", "1"),
            ("first_name", "Ann"),
            ("city", "Lyon"),
        ],
    )
    .await;
    assert!(first.status().is_success(), "{first:?}");
    let stale = save_contact(
        &app,
        &admin,
        &[
            ("id", &id),
            ("version", "1"),
            ("first_name", "Ann"),
            ("city", "Nice"),
        ],
    )
    .await;
    assert_eq!(stale.status(), 409);
    let error = error_of(stale).await;
    assert!(
        error
            .to_string()
            .starts_with("This record was changed by Ada at "),
        "{error}"
    );
    let AppError::StaleEdit(stale) = error else {
        panic!()
    };
    assert_eq!(stale.version, 2);
    assert!(stale.theirs.contains(&("city".into(), "Lyon".into())));
    assert!(stale.yours.contains(&("city".into(), "Nice".into())));

    let details: Value = app
        .post_form(&admin, "/api/contacts/get", &[("id", &id)], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(details["contact"]["city"], "Lyon");
    // Saving again with the version shown keeps the user's value, knowingly.
    let again = save_contact(
        &app,
        &admin,
        &[
            ("id", &id),
            ("version", "2"),
            ("first_name", "Ann"),
            ("city", "Nice"),
        ],
    )
    .await;
    assert!(again.status().is_success());
}

#[tokio::test]
async fn deleted_records_go_to_the_trash_and_come_back() {
    let (app, admin, _, _) = admin_and("viewer").await;
    let id = new_contact(
        &app,
        &admin,
        &[("first_name", "Ann"), ("email", "ann@example.com")],
    )
    .await;
    let response = app
        .post_form(
            &admin,
            "/api/records/delete",
            &[("kind", "contact"), ("id", &id.to_string())],
            &[],
        )
        .await;
    assert!(response.status().is_success(), "{response:?}");
    assert!(names(&list(&app, &admin, &[]).await).is_empty());
    let missing = app
        .post_form(&admin, "/api/contacts/get", &[("id", &id.to_string())], &[])
        .await;
    assert_eq!(missing.status(), 404);
    let trash: Value = app
        .post_form(&admin, "/api/trash/list", &[], &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(trash["items"][0]["name"], "Ann");

    // Its e-mail is free while it is in the trash; restoring then would duplicate it.
    let other = new_contact(
        &app,
        &admin,
        &[("first_name", "Other"), ("email", "ann@example.com")],
    )
    .await;
    let restore = [("kind", "contact"), ("id", &*id.to_string())];
    let refused = app
        .post_form(&admin, "/api/trash/restore", &restore, &[])
        .await;
    assert_eq!(refused.status(), 409);
    app.post_form(
        &admin,
        "/api/records/delete",
        &[("kind", "contact"), ("id", &other.to_string())],
        &[],
    )
    .await;
    let restored = app
        .post_form(&admin, "/api/trash/restore", &restore, &[])
        .await;
    assert!(restored.status().is_success(), "{restored:?}");
    assert_eq!(names(&list(&app, &admin, &[]).await), ["Ann"]);
}

#[tokio::test]
async fn viewers_read_but_cannot_change_records() {
    let (app, admin, viewer, _) = admin_and("viewer").await;
    let id = new_contact(&app, &admin, &[("first_name", "Ann")])
        .await
        .to_string();
    let seen = list(&app, &viewer, &[]).await;
    assert_eq!(names(&seen), ["Ann"]);
    assert_eq!(seen["can_edit"], false);
    let attempts = [
        (
            "/api/contacts/save",
            form(&CONTACT_FIELDS, &[("first_name", "Mallory")]),
        ),
        (
            "/api/contacts/save",
            form(
                &CONTACT_FIELDS,
                &[("id", &id), ("version", "1"), ("first_name", "Mallory")],
            ),
        ),
        (
            "/api/records/delete",
            vec![("kind", "contact"), ("id", id.as_str())],
        ),
        (
            "/api/companies/save",
            form(&COMPANY_FIELDS, &[("name", "Evil")]),
        ),
        ("/api/records/form-options", vec![]),
    ];
    for (path, fields) in attempts {
        let response = app.post_form(&viewer, path, &fields, &[]).await;
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(names(&list(&app, &admin, &[]).await), ["Ann"]);
    // The edit form itself is refused too.
    let page = viewer
        .get(format!("{}/contacts/{id}/edit", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 403);
    let page = viewer
        .get(format!("{}/contacts/{id}", app.address))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Ann"));
    assert!(
        !html.contains(">Edit<") && !html.contains(">Delete<"),
        "{html}"
    );
}

#[tokio::test]
async fn user_content_is_always_text() {
    let (app, admin, _, _) = admin_and("viewer").await;
    let id = new_contact(
        &app,
        &admin,
        &[
            ("first_name", "</title><script>alert(1)</script>"),
            ("notes", "</textarea><img src=x onerror=alert(2)>"),
        ],
    )
    .await;
    for path in [
        "/contacts".to_string(),
        format!("/contacts/{id}"),
        format!("/contacts/{id}/edit"),
    ] {
        let html = admin
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("<script>alert(1)"), "{path}: {html}");
        assert!(!html.contains("</title><script>"), "{path}: {html}");
        assert!(!html.contains("<img src=x"), "{path}: {html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: {html}"
        );
    }
}

#[tokio::test]
async fn without_javascript_a_bad_form_comes_back_with_422_and_its_values() {
    let (app, admin, _, _) = admin_and("viewer").await;
    let fields = form(&CONTACT_FIELDS, &[("email", "nope"), ("city", "Marseille")]);
    let response = admin
        .post(format!("{}/api/contacts/save", app.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/contacts/new", app.address))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{response:?}");
    // Back to the form, with nothing typed (nor the error) in the address: the server keeps
    // them for that page.
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/contacts/new");
    let page = admin
        .get(format!("{}{location}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Enter a first name or a last name."),
        "{html}"
    );
    assert!(html.contains(r#"value="Marseille""#), "{html}");
    assert!(html.contains(r#"role="alert""#));

    // A valid one is saved and leads to the new contact's page.
    let fields = form(&CONTACT_FIELDS, &[("first_name", "Ann")]);
    let response = admin
        .post(format!("{}/api/contacts/save", app.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/contacts/new", app.address))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{response:?}");
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("/contacts/") && location.ends_with("?saved=1"),
        "{location}"
    );
}

#[tokio::test]
async fn record_pages_need_a_signed_in_user() {
    let app = crate::helpers::spawn_app().await;
    for path in ["/contacts", "/contacts/1", "/companies/new", "/trash"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert!(response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next="));
    }
    let response = app
        .post_form(&app.client, "/api/contacts/list", &[("query[q]", "")], &[])
        .await;
    assert_eq!(response.status(), 401);
    // A malformed call is the client's mistake: 400, not a server error.
    let response = app
        .post_form(&app.client, "/api/contacts/list", &[], &[])
        .await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_company_page_lists_its_contacts() {
    let (app, admin, _, _) = admin_and("viewer").await;
    let acme = new_company(
        &app,
        &admin,
        &[
            ("name", "Acme"),
            ("domain", "acme.example"),
            ("size", "1,200"),
        ],
    )
    .await;
    new_contact(&app, &admin, &[("first_name", "Ann"), ("company", "acme")]).await;
    new_contact(
        &app,
        &admin,
        &[("first_name", "Bob"), ("company", "acme.example")],
    )
    .await;
    new_contact(&app, &admin, &[("first_name", "Eve")]).await;
    let html = admin
        .get(format!("{}/companies/{acme}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        // Hydration markers (`<!>`) are not content.
        .replace("<!>", "");
    assert!(html.contains("1,200 employees"));
    assert!(
        html.contains(">Ann</a>") && html.contains(">Bob</a>"),
        "{html}"
    );
    assert!(!html.contains(">Eve</a>"));
    let filtered = list(&app, &admin, &[("company", &acme.to_string())]).await;
    assert_eq!(names(&filtered), ["Ann", "Bob"]);
    assert_eq!(filtered["company"][1], "Acme");
    // A second company of the same name makes the name ambiguous: the domain is asked for.
    new_company(
        &app,
        &admin,
        &[("name", "ACME"), ("domain", "acme2.example")],
    )
    .await;
    let response = save_contact(&app, &admin, &[("first_name", "Cy"), ("company", "acme")]).await;
    assert_eq!(response.status(), 422);
    let message = error_of(response).await.field("company").unwrap();
    assert!(
        message.contains("acme.example") && message.contains("acme2.example"),
        "{message}"
    );
}

/// Pages are rendered on the server only (islands mode): a list's rows reach the browser once,
/// as HTML, and never a second time as data for hydration.
#[tokio::test]
async fn pages_send_their_records_as_html_only() {
    let (app, admin, _, _) = admin_and("viewer").await;
    let id = new_contact(
        &app,
        &admin,
        &[("first_name", "Quentin"), ("last_name", "Onlyonce")],
    )
    .await;
    let page = |path: String| {
        let (admin, address) = (admin.clone(), app.address.clone());
        async move {
            admin
                .get(format!("{address}{path}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let list = page("/contacts".to_string()).await;
    assert_eq!(list.matches("Onlyonce").count(), 1, "{list}");
    for path in [
        "/contacts".to_string(),
        format!("/contacts/{id}"),
        "/".to_string(),
    ] {
        let html = page(path.clone()).await;
        assert!(!html.contains("__RESOLVED_RESOURCES["), "{path}: {html}");
    }
}
