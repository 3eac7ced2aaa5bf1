//! Idempotency keys over real HTTP: a repeated submission (double click, replay after hydration,
//! resubmit) has its effect once and gets the first answer again.

use clientele::error::AppError;

use crate::admin::admin_and;
use crate::helpers::{error_of, form, TestApp, CONTACT_FIELDS};
use crate::records::{list, names, saved_id};

const KEY: &str = "5d0c7a8e-2f61-4b9a-9e3c-7f1d2a4b6c8e";

async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    key: &str,
    given: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields = form(&CONTACT_FIELDS, given);
    fields.push(("idempotency_key", key));
    app.post_form(client, "/api/contacts/save", &fields, &[])
        .await
}

#[tokio::test]
async fn a_repeated_key_saves_once_and_answers_like_the_first_time() {
    let (app, admin, _, _) = admin_and("member").await;
    let first = save(&app, &admin, KEY, &[("first_name", "Once")]).await;
    assert!(first.status().is_success(), "{first:?}");
    let again = save(&app, &admin, KEY, &[("first_name", "Once")]).await;
    assert!(again.status().is_success(), "{again:?}");
    assert_eq!(saved_id(&first), saved_id(&again));
    assert_eq!(names(&list(&app, &admin, &[("q", "once")]).await), ["Once"]);
}

#[tokio::test]
async fn simultaneous_duplicates_wait_for_the_first_and_save_once() {
    let (app, admin, _, _) = admin_and("member").await;
    let given = [
        ("first_name", "Twin"),
        ("notes", "sent three times at once"),
    ];
    let (a, b, c) = tokio::join!(
        save(&app, &admin, KEY, &given),
        save(&app, &admin, KEY, &given),
        save(&app, &admin, KEY, &given),
    );
    for response in [&a, &b, &c] {
        assert!(response.status().is_success(), "{response:?}");
    }
    assert_eq!(saved_id(&a), saved_id(&b));
    assert_eq!(saved_id(&a), saved_id(&c));
    assert_eq!(names(&list(&app, &admin, &[("q", "twin")]).await), ["Twin"]);
}

#[tokio::test]
async fn a_key_sent_again_with_other_values_is_refused_and_changes_nothing() {
    let (app, admin, _, _) = admin_and("member").await;
    let first = save(&app, &admin, KEY, &[("first_name", "Original")]).await;
    assert!(first.status().is_success(), "{first:?}");
    let other = save(&app, &admin, KEY, &[("first_name", "Changed")]).await;
    assert_eq!(other.status(), 409);
    assert!(
        matches!(error_of(other).await, AppError::Conflict(m) if m.contains("Reload the page"))
    );
    assert!(names(&list(&app, &admin, &[("q", "changed")]).await).is_empty());
}

#[tokio::test]
async fn a_failed_submission_leaves_its_key_free_for_the_corrected_form() {
    let (app, admin, _, _) = admin_and("member").await;
    let invalid = save(
        &app,
        &admin,
        KEY,
        &[("first_name", "Fix"), ("email", "nope")],
    )
    .await;
    assert_eq!(invalid.status(), 422);
    let fixed = save(
        &app,
        &admin,
        KEY,
        &[("first_name", "Fix"), ("email", "fix@example.com")],
    )
    .await;
    assert!(fixed.status().is_success(), "{fixed:?}");
    let repeat = save(
        &app,
        &admin,
        KEY,
        &[("first_name", "Fix"), ("email", "fix@example.com")],
    )
    .await;
    assert_eq!(saved_id(&fixed), saved_id(&repeat));
    assert_eq!(names(&list(&app, &admin, &[("q", "fix")]).await), ["Fix"]);
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let (app, admin, member, _) = admin_and("member").await;
    let mine = save(&app, &admin, KEY, &[("first_name", "Shared")]).await;
    let theirs = save(&app, &member, KEY, &[("first_name", "Shared")]).await;
    assert!(mine.status().is_success() && theirs.status().is_success());
    assert_ne!(saved_id(&mine), saved_id(&theirs));
    assert_eq!(
        names(&list(&app, &admin, &[("q", "shared")]).await).len(),
        2
    );
}

#[tokio::test]
async fn a_malformed_key_is_a_bad_request() {
    let (app, admin, _, _) = admin_and("member").await;
    let response = save(&app, &admin, "x'--", &[("first_name", "Bad")]).await;
    assert_eq!(response.status(), 400);
    assert!(names(&list(&app, &admin, &[("q", "bad")]).await).is_empty());
}

#[tokio::test]
async fn without_javascript_a_resent_delete_redirects_like_the_first() {
    let (app, admin, _, _) = admin_and("member").await;
    let created = save(&app, &admin, KEY, &[("first_name", "Gone")]).await;
    let id = saved_id(&created).to_string();
    let delete_key = "0f9e8d7c-6b5a-4c3d-2e1f-a0b1c2d3e4f5";
    let mut locations = Vec::new();
    for _ in 0..2 {
        let response = admin
            .post(format!("{}/api/records/delete", app.address))
            .header("accept", "text/html")
            .header("referer", format!("{}/contacts/{id}/delete", app.address))
            .form(&[
                ("kind", "contact"),
                ("id", id.as_str()),
                ("idempotency_key", delete_key),
            ])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{response:?}");
        locations.push(response.headers()["location"].to_str().unwrap().to_owned());
    }
    assert_eq!(locations[0], format!("/contacts?deleted={id}"));
    assert_eq!(locations[0], locations[1], "the resent form gets no error");
}

#[tokio::test]
async fn every_rendered_form_carries_a_fresh_key() {
    let (app, admin, _, _) = admin_and("member").await;
    let key_of = |html: &str| {
        let at = html
            .find(r#"name="idempotency_key" value=""#)
            .unwrap_or_else(|| panic!("no key in {html}"));
        html[at + 33..].split('"').next().unwrap().to_owned()
    };
    let page = |path: &'static str| {
        let admin = admin.clone();
        let url = app.url(path);
        async move { admin.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let first = key_of(&page("/contacts/new").await);
    let second = key_of(&page("/contacts/new").await);
    assert!(
        clientele::domain::IdempotencyKey::parse(&first).is_ok(),
        "{first}"
    );
    assert_ne!(first, second);
    for path in ["/companies/new", "/settings", "/admin/users"] {
        key_of(&page(path).await);
    }
}
