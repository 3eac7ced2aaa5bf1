//! Activities over real HTTP: logged on a contact, on its company's timeline too, edited and
//! deleted by their author or an admin only, to the trash and back, with their history, paged,
//! exactly once, and refused clearly when the form is wrong.

use serde_json::Value;

use crate::admin::admin_and;
use crate::helpers::{error_of, form, TestApp, ACTIVITY_FIELDS, COMPANY_FIELDS, CONTACT_FIELDS};
use crate::records::saved_id;

async fn log(app: &TestApp, client: &reqwest::Client, given: &[(&str, &str)]) -> reqwest::Response {
    app.post_form(
        client,
        "/api/activities/save",
        &form(&ACTIVITY_FIELDS, given),
        &[],
    )
    .await
}

async fn timeline(app: &TestApp, client: &reqwest::Client, kind: &str, id: i64) -> Value {
    let id = id.to_string();
    let response = app
        .post_form(
            client,
            "/api/activities/timeline",
            &[("kind", kind), ("id", &id)],
            &[],
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn subjects(timeline: &Value) -> Vec<String> {
    timeline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap().to_owned())
        .collect()
}

/// A company "Acme" and a contact Ann at it, by `client`.
async fn ann_at_acme(app: &TestApp, client: &reqwest::Client) -> (i64, i64) {
    let company = app
        .post_form(
            client,
            "/api/companies/save",
            &form(
                &COMPANY_FIELDS,
                &[("name", "Acme"), ("domain", "acme.example")],
            ),
            &[],
        )
        .await;
    let contact = app
        .post_form(
            client,
            "/api/contacts/save",
            &form(
                &CONTACT_FIELDS,
                &[("first_name", "Ann"), ("company", "acme.example")],
            ),
            &[],
        )
        .await;
    (saved_id(&contact), saved_id(&company))
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = app.get_as(client, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap().replace("<!>", "")
}

#[tokio::test]
async fn a_call_logged_on_a_contact_is_on_its_and_its_companys_timeline() {
    let (app, member, viewer, _) = admin_and("viewer").await;
    let (ann, acme) = ann_at_acme(&app, &member).await;
    let contact = ann.to_string();
    let logged = log(
        &app,
        &member,
        &[
            ("kind", "call"),
            ("subject", "Intro call"),
            ("body", "Wants a demo.\nCall back Friday."),
            ("happened_at", "2026-11-30T09:30"),
            ("contact", &contact),
        ],
    )
    .await;
    assert!(logged.status().is_success(), "{logged:?}");
    let back = logged
        .headers()
        .get("location")
        .or_else(|| logged.headers().get("serverfnredirect"))
        .map(|l| l.to_str().unwrap().to_owned());
    assert_eq!(
        back.as_deref(),
        Some(format!("/contacts/{ann}?activity=saved#timeline").as_str())
    );
    log(
        &app,
        &member,
        &[("subject", "Note on Acme"), ("company", &acme.to_string())],
    )
    .await;

    let of_ann = timeline(&app, &viewer, "contact", ann).await;
    assert_eq!(subjects(&of_ann), ["Intro call"]);
    let entry = &of_ann["entries"][0];
    assert_eq!(entry["kind"], "call");
    assert_eq!(entry["author"], "Ada");
    assert_eq!(entry["body"], "Wants a demo.\nCall back Friday.");
    assert_eq!(
        entry["company"][1], "Acme",
        "the contact's company is filled in"
    );
    // The company's timeline holds its own activities and its contacts', newest first.
    assert_eq!(
        subjects(&timeline(&app, &viewer, "company", acme).await),
        ["Note on Acme", "Intro call"]
    );

    // A member sees the form; a viewer sees the timeline without it, and cannot post.
    let html = page(&app, &member, &format!("/contacts/{ann}")).await;
    assert!(html.contains(r#"aria-label="Log activity""#), "{html}");
    assert!(html.contains("Intro call"));
    assert!(
        html.contains("Wants a demo.\nCall back Friday."),
        "line breaks kept"
    );
    let html = page(&app, &viewer, &format!("/contacts/{ann}")).await;
    assert!(html.contains("Intro call"));
    assert!(!html.contains("Log activity"));
    let forged = log(
        &app,
        &viewer,
        &[("subject", "Forged"), ("contact", &contact)],
    )
    .await;
    assert_eq!(forged.status(), 403);
    for path in [
        format!("/companies/{acme}?saved=1"),
        format!("/companies/{acme}"),
    ] {
        page(&app, &member, &path).await;
    }
    let html = page(&app, &viewer, &format!("/companies/{acme}")).await;
    assert!(
        html.contains("Note on Acme") && html.contains("Intro call"),
        "{html}"
    );
    let team = page(&app, &viewer, "/activities").await;
    assert!(team.contains("Note on Acme") && team.contains("Intro call"));
}

#[tokio::test]
async fn only_the_author_or_an_admin_changes_an_activity_and_history_keeps_track() {
    let (app, admin, member, _) = admin_and("member").await;
    let (ann, _) = ann_at_acme(&app, &admin).await;
    let contact = ann.to_string();
    log(
        &app,
        &member,
        &[
            ("subject", "Lunch"),
            ("kind", "meeting"),
            ("contact", &contact),
        ],
    )
    .await;
    log(
        &app,
        &admin,
        &[("subject", "Admin's note"), ("contact", &contact)],
    )
    .await;
    let entries = timeline(&app, &member, "contact", ann).await;
    let id_of = |subject: &str| {
        entries["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["subject"] == subject)
            .unwrap()["id"]
            .to_string()
    };
    let (lunch, admins) = (id_of("Lunch"), id_of("Admin's note"));

    // The member edits their own, not the admin's; the admin edits anyone's.
    let edit = |id: String, subject: &'static str| {
        let contact = contact.clone();
        async move {
            vec![
                ("id", id),
                ("version", "1".to_owned()),
                ("subject", subject.to_owned()),
                ("kind", "meeting".to_owned()),
                ("contact", contact),
            ]
        }
    };
    let own = edit(lunch.clone(), "Lunch with Ann").await;
    let own: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(log(&app, &member, &own).await.status().is_success());
    let other = edit(admins.clone(), "Hijacked").await;
    let other: Vec<(&str, &str)> = other.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(log(&app, &member, &other).await.status(), 403);
    let delete = [("kind", "activity"), ("id", admins.as_str())];
    let refused = app
        .post_form(&member, "/api/records/delete", &delete, &[])
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        app.get_as(&member, &format!("/activities/{admins}/edit"))
            .await
            .status(),
        403
    );
    assert!(!page(&app, &member, &format!("/contacts/{ann}"))
        .await
        .contains(&format!("/activities/{admins}/edit")));

    // Its history: created, then the subject old → new.
    let history: Value = app
        .post_form(
            &admin,
            "/api/records/history",
            &[("kind", "activity"), ("id", &lunch)],
            &[],
        )
        .await
        .json()
        .await
        .unwrap();
    let edit = &history["changes"][0];
    assert_eq!(edit["action"], "edit");
    assert_eq!(edit["by"], "Vic");
    assert_eq!(edit["fields"][0]["old"], "Lunch");
    assert_eq!(edit["fields"][0]["new"], "Lunch with Ann");

    // Deleting goes back to the contact's timeline, which offers to undo; it can be restored.
    let deleted = app
        .post_form(&admin, "/api/records/delete", &delete, &[])
        .await;
    assert!(deleted.status().is_success());
    assert_eq!(
        subjects(&timeline(&app, &admin, "contact", ann).await),
        ["Lunch with Ann"]
    );
    let html = page(&app, &admin, &format!("/contacts/{ann}?deleted={admins}")).await;
    assert!(html.contains("Activity moved to the trash."), "{html}");
    let trash = page(&app, &admin, "/trash").await;
    assert!(
        trash.contains("Admin&#x27;s note") || trash.contains("Admin's note"),
        "{trash}"
    );
    let restored = app
        .post_form(&admin, "/api/trash/restore", &delete, &[])
        .await;
    assert!(restored.status().is_success(), "{restored:?}");
    assert_eq!(
        timeline(&app, &admin, "contact", ann).await["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_wrong_form_is_refused_field_by_field_and_a_repeat_logs_once() {
    let (app, admin, _, _) = admin_and("member").await;
    let (ann, _) = ann_at_acme(&app, &admin).await;
    let contact = ann.to_string();
    let refused = log(
        &app,
        &admin,
        &[
            ("kind", "fax"),
            ("happened_at", "soon"),
            ("contact", &contact),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let error = error_of(refused).await;
    for field in ["kind", "subject", "happened_at"] {
        assert!(error.field(field).is_some(), "{field}: {error:?}");
    }
    let gone = log(&app, &admin, &[("subject", "Hi"), ("contact", "999999")]).await;
    assert_eq!(gone.status(), 422);
    let mut fields = form(
        &ACTIVITY_FIELDS,
        &[("subject", "Once"), ("contact", &contact)],
    );
    fields.push(("idempotency_key", "0b7f3c2e-8a51-4d6b-9c2e-1f0a3b4c5d6e"));
    for _ in 0..2 {
        let response = app
            .post_form(&admin, "/api/activities/save", &fields, &[])
            .await;
        assert!(response.status().is_success(), "{response:?}");
    }
    assert_eq!(
        subjects(&timeline(&app, &admin, "contact", ann).await),
        ["Once"]
    );
}

#[tokio::test]
async fn a_long_timeline_comes_in_pages_newest_first() {
    let (app, admin, _, _) = admin_and("member").await;
    let (ann, _) = ann_at_acme(&app, &admin).await;
    let contact = ann.to_string();
    for day in 1..=25 {
        let when = format!("2026-10-{day:02}T10:00");
        let subject = format!("Day {day}");
        let response = log(
            &app,
            &admin,
            &[
                ("subject", &subject),
                ("happened_at", &when),
                ("contact", &contact),
            ],
        )
        .await;
        assert!(response.status().is_success());
    }
    let first = timeline(&app, &admin, "contact", ann).await;
    let subjects_first = subjects(&first);
    assert_eq!(subjects_first.len(), 20);
    assert_eq!(subjects_first[0], "Day 25");
    let cursor = first["older"].as_str().expect("older").to_owned();
    let html = page(&app, &admin, &format!("/contacts/{ann}?timeline={cursor}")).await;
    assert!(html.contains("Day 5<") && html.contains("Day 1<"), "{html}");
    assert!(!html.contains("Day 6<"));
}

#[tokio::test]
async fn what_an_activity_says_finds_its_contact_and_company_until_it_is_deleted() {
    let (app, member, viewer, _) = admin_and("viewer").await;
    let (ann, acme) = ann_at_acme(&app, &member).await;
    let contact = ann.to_string();
    // Someone the search must not find: at another company, with an activity of other words.
    app.post_form(
        &member,
        "/api/contacts/save",
        &form(&CONTACT_FIELDS, &[("first_name", "Bob")]),
        &[],
    )
    .await;
    let logged = log(
        &app,
        &member,
        &[
            ("subject", "Pricing question"),
            (
                "body",
                "Asked about the Zanzibar rollout.\nBudget in March.",
            ),
            ("contact", &contact),
        ],
    )
    .await;
    assert!(logged.status().is_success(), "{logged:?}");
    let found = |html: &str, name: &str| html.contains(&format!(">{name}</a>"));

    // A word of the body, a prefix of it, two words of the subject: found by the viewer too.
    for q in ["zanzibar", "zanz", "pricing question", "budget march"] {
        let html = page(&app, &viewer, &format!("/contacts?q={q}")).await;
        assert!(found(&html, "Ann"), "{q}: {html}");
        assert!(!found(&html, "Bob"), "{q}");
        assert!(html.contains("1 contact"), "{q}: the count agrees");
        let html = page(&app, &viewer, &format!("/companies?q={q}")).await;
        assert!(found(&html, "Acme"), "{q}: the contact's company too");
    }
    // Words of the record and of an activity do not mix: each must match on its own.
    assert!(!found(
        &page(&app, &viewer, "/contacts?q=ann+zanzibar").await,
        "Ann"
    ));

    // Deleted, the activity no longer finds them; restored, it does again.
    let id = timeline(&app, &member, "contact", ann).await["entries"][0]["id"].to_string();
    let delete = [("kind", "activity"), ("id", id.as_str())];
    let deleted = app
        .post_form(&member, "/api/records/delete", &delete, &[])
        .await;
    assert!(deleted.status().is_success(), "{deleted:?}");
    assert!(!found(
        &page(&app, &viewer, "/contacts?q=zanzibar").await,
        "Ann"
    ));
    assert!(!found(
        &page(&app, &viewer, "/companies?q=zanzibar").await,
        "Acme"
    ));
    let restored = app
        .post_form(&member, "/api/trash/restore", &delete, &[])
        .await;
    assert!(restored.status().is_success(), "{restored:?}");
    assert!(found(
        &page(&app, &viewer, "/contacts?q=zanzibar").await,
        "Ann"
    ));

    // An edited activity is found by its new words only.
    let edited = log(
        &app,
        &member,
        &[
            ("id", &id),
            ("version", "3"),
            ("subject", "Pricing question"),
            ("body", "Rollout moved to Kilimanjaro."),
            ("contact", &contact),
        ],
    )
    .await;
    assert!(edited.status().is_success(), "{edited:?}");
    assert!(!found(
        &page(&app, &viewer, "/contacts?q=zanzibar").await,
        "Ann"
    ));
    assert!(found(
        &page(&app, &viewer, "/contacts?q=kilimanjaro").await,
        "Ann"
    ));

    // A contact in the trash stays out of the list, whatever its activities say.
    let trash = [("kind", "contact"), ("id", contact.as_str())];
    let trashed = app
        .post_form(&member, "/api/records/delete", &trash, &[])
        .await;
    assert!(trashed.status().is_success(), "{trashed:?}");
    let html = page(&app, &viewer, "/contacts?q=kilimanjaro").await;
    assert!(!found(&html, "Ann"), "{html}");
    assert!(html.contains("No contacts match"), "{html}");
    // Its company's timeline still holds the activity, so the company is still found.
    let html = page(&app, &viewer, "/companies?q=kilimanjaro").await;
    assert!(found(&html, "Acme"), "{html}");
    assert_eq!(
        subjects(&timeline(&app, &viewer, "company", acme).await),
        ["Pricing question"]
    );
}
