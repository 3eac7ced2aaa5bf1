//! The `/import` pages over real HTTP: upload (multipart, as the plain form sends it), map, check,
//! import, undo — each step in the background with the page following it — and what viewers and
//! bad files get.

use std::time::Duration;

use serde_json::Value;

use crate::admin::{admin_and, PASSWORD};
use crate::helpers::{cookie_client, spawn_app_with, TestApp};
use clientele::server::config::HttpSettings;

pub(crate) async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    kind: &str,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    client
        .post(app.url("/import/upload"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = app.get_as(client, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap().replace("<!>", "")
}

pub(crate) async fn step(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut all = vec![("id", id)];
    all.extend_from_slice(fields);
    app.post_form(client, "/api/import/step", &all, &[]).await
}

/// The import once it is no longer busy (checking, running or undoing).
pub(crate) async fn settled(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    for _ in 0..1200 {
        let response = app
            .post_form(client, "/api/import/get", &[("id", id)], &[])
            .await;
        assert_eq!(response.status(), 200);
        let found: Value = response.json().await.unwrap();
        let import = found["imports"][0].clone();
        let state = import["state"].as_str().unwrap().to_owned();
        let undoing = state == "Undone" && import["message"] == "";
        if !matches!(state.as_str(), "Checking" | "Running") && !undoing {
            return import;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {id} did not settle");
}

const PEOPLE: &str = "Full Name;E-mail Address;Phone number;Favourite colour\n\
                      Ann Lee;ann@example.com;+44 20 7946 0958;green\n\
                      Bob Stone;not-an-email;;blue\n\
                      Cy Young;cy@example.com;;red\n";

#[tokio::test]
async fn a_file_is_uploaded_mapped_checked_imported_and_undone() {
    let (app, admin, member, _) = admin_and("member").await;
    let uploaded = upload(&app, &member, "contact", "people.csv", PEOPLE.as_bytes()).await;
    assert_eq!(uploaded.status(), 303, "{uploaded:?}");
    let path = location(&uploaded);
    let id = path.trim_start_matches("/import/").to_owned();

    // The columns are mapped from their headings; the unknown one is left out.
    let html = page(&app, &member, &path).await;
    assert!(
        html.contains(r#"<label for="column-1">E-mail Address</label>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<option value="email" selected>"#),
        "{html}"
    );
    assert!(html.contains(r#"<option value="name" selected>"#));
    assert!(html.contains(r#"<option value="phone" selected>"#));
    assert!(html.contains("Check the file"));

    // The check writes nothing and lists the invalid row with its line.
    let checked = step(
        &app,
        &member,
        &id,
        &[
            ("step", "check"),
            ("mapping[0]", "name"),
            ("mapping[1]", "email"),
            ("mapping[2]", "phone"),
            ("mapping[3]", ""),
            ("on_existing", "skip"),
        ],
    )
    .await;
    assert!(checked.status().is_success(), "{checked:?}");
    let import = settled(&app, &member, &id).await;
    assert_eq!(import["state"], "Checked", "{import}");
    assert_eq!(import["counts"]["created"], 2);
    assert_eq!(import["counts"]["invalid"], 1);
    assert_eq!(import["problems"][0][0], 3);
    let html = page(&app, &member, &path).await;
    assert!(html.contains("Import 2 rows"), "{html}");
    assert!(html.contains("<td>3</td><td>Email:"), "{html}");
    let contacts = page(&app, &member, "/contacts").await;
    assert!(
        !contacts.contains("Ann Lee"),
        "nothing written by the check"
    );

    // Imported: the contacts are there, their history names the import.
    assert!(step(&app, &member, &id, &[("step", "run")])
        .await
        .status()
        .is_success());
    let import = settled(&app, &member, &id).await;
    assert_eq!(import["state"], "Done", "{import}");
    assert_eq!(import["counts"]["created"], 2);
    let contacts = page(&app, &admin, "/contacts").await;
    assert!(
        contacts.contains("Ann Lee") && contacts.contains("Cy Young"),
        "{contacts}"
    );
    let listed = page(&app, &admin, "/import").await;
    assert!(
        listed.contains("people.csv") && listed.contains("2 created"),
        "{listed}"
    );

    // Someone edits Cy after the import; undo trashes Ann and leaves Cy, saying so.
    let cy = app
        .post_form(
            &admin,
            "/api/contacts/list",
            &[("query[q]", "cy young")],
            &[],
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["page"]["rows"][0]["id"]
        .as_i64()
        .unwrap();
    let edit = app
        .post_form(
            &admin,
            "/api/contacts/save",
            &[
                ("id", &cy.to_string()),
                ("version", "1"),
                ("first_name", "Cy"),
                ("last_name", "Young"),
                ("email", "cy@example.com"),
                ("phone", ""),
                ("job_title", "CTO"),
                ("company", ""),
                ("city", ""),
                ("status", "lead"),
                ("tags", ""),
                ("notes", ""),
                ("owner", ""),
            ],
            &[],
        )
        .await;
    assert!(edit.status().is_success(), "{edit:?}");
    assert!(step(&app, &member, &id, &[("step", "undo")])
        .await
        .status()
        .is_success());
    let import = settled(&app, &member, &id).await;
    assert_eq!(import["state"], "Undone");
    let message = import["message"].as_str().unwrap();
    assert!(
        message.contains("1 created contact moved to the trash"),
        "{message}"
    );
    assert!(
        message.contains("1 edited since the import were left as they are: Cy Young"),
        "{message}"
    );
    let contacts = page(&app, &admin, "/contacts").await;
    assert!(!contacts.contains("Ann Lee") && contacts.contains("Cy Young"));
    assert!(page(&app, &admin, "/trash").await.contains("Ann Lee"));
    // Undone once only.
    assert_eq!(
        step(&app, &member, &id, &[("step", "undo")]).await.status(),
        409
    );
}

#[tokio::test]
async fn viewers_see_imports_but_cannot_start_one_and_bad_files_are_explained() {
    let (app, admin, viewer, _) = admin_and("viewer").await;
    let html = page(&app, &viewer, "/import").await;
    assert!(!html.contains("Upload and map columns"));
    assert_eq!(
        upload(&app, &viewer, "contact", "p.csv", PEOPLE.as_bytes())
            .await
            .status(),
        403
    );
    assert_eq!(
        step(&app, &viewer, "1", &[("step", "run")]).await.status(),
        403
    );

    for (bytes, expected) in [
        (b"PK\x03\x04\x00\x00".to_vec(), "holds binary data"),
        (Vec::new(), "Choose a CSV file"),
    ] {
        let uploaded = upload(&app, &admin, "contact", "x.csv", &bytes).await;
        assert_eq!(uploaded.status(), 303);
        assert_eq!(location(&uploaded), "/import");
        let html = page(&app, &admin, "/import").await;
        assert!(html.contains(expected), "{html}");
        assert!(html.contains(r#"role="alert""#));
    }
    // Larger than a form may be (2 MB), as a spreadsheet's export is.
    let mut big = b"Name,Notes\n".to_vec();
    for i in 0..30_000 {
        big.extend(format!("Person {i},{}\n", "x".repeat(100)).as_bytes());
    }
    let uploaded = upload(&app, &admin, "contact", "big.csv", &big).await;
    assert!(location(&uploaded).starts_with("/import/"), "{uploaded:?}");
    // A header-only file is told at its check.
    let uploaded = upload(&app, &admin, "contact", "h.csv", b"Name,Email\n").await;
    let id = location(&uploaded)
        .trim_start_matches("/import/")
        .to_owned();
    step(
        &app,
        &admin,
        &id,
        &[
            ("step", "check"),
            ("mapping[0]", "name"),
            ("mapping[1]", "email"),
        ],
    )
    .await;
    let import = settled(&app, &admin, &id).await;
    assert_eq!(import["state"], "Uploaded");
    assert_eq!(
        import["message"],
        "The file has a header row but no rows to import."
    );
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_refused_with_a_message() {
    let app = spawn_app_with(
        HttpSettings {
            max_import_bytes: 1_000,
            ..HttpSettings::default()
        },
        false,
    )
    .await;
    let admin = cookie_client();
    app.register_as(&admin, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    let big = format!("Name\n{}", "Ann\n".repeat(1_000));
    let uploaded = upload(&app, &admin, "contact", "big.csv", big.as_bytes()).await;
    assert_eq!(uploaded.status(), 303);
    let html = page(&app, &admin, "/import").await;
    assert!(html.contains("larger than this server accepts"), "{html}");
    let small = upload(&app, &admin, "contact", "small.csv", b"Name\nAnn\n").await;
    assert!(location(&small).starts_with("/import/"));
}

#[tokio::test]
async fn the_sample_files_import_as_they_are() {
    let (app, admin, member, _) = admin_and("member").await;
    for (path, kind, name) in [
        (
            "/import/sample-companies.csv",
            "company",
            "Analytical Engines",
        ),
        ("/import/sample.csv", "contact", "Ada Lovelace"),
    ] {
        let response = app.get_as(&member, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let bytes = response.bytes().await.unwrap();
        let uploaded = upload(&app, &member, kind, "sample.csv", &bytes).await;
        assert_eq!(uploaded.status(), 303, "{uploaded:?}");
        let id = location(&uploaded)
            .trim_start_matches("/import/")
            .to_owned();
        let import = settled(&app, &member, &id).await;
        let header: Vec<String> = import["header"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_owned())
            .collect();
        let kind_of = if kind == "company" {
            clientele::domain::RecordKind::Company
        } else {
            clientele::domain::RecordKind::Contact
        };
        let guessed = clientele::domain::guess_mapping(kind_of, &header);
        let names: Vec<String> = (0..header.len()).map(|i| format!("mapping[{i}]")).collect();
        let mut fields = vec![("step", "check")];
        for (name, field) in names.iter().zip(&guessed) {
            fields.push((name, field.expect("every column recognised")));
        }
        assert!(step(&app, &member, &id, &fields)
            .await
            .status()
            .is_success());
        let import = settled(&app, &member, &id).await;
        assert_eq!(import["state"], "Checked", "{import}");
        assert_eq!(import["counts"]["created"], 2, "{import}");
        assert_eq!(import["counts"]["invalid"], 0, "{import}");
        assert!(step(&app, &member, &id, &[("step", "run")])
            .await
            .status()
            .is_success());
        assert_eq!(settled(&app, &member, &id).await["state"], "Done");
        let list = if kind == "company" {
            "/companies"
        } else {
            "/contacts"
        };
        assert!(page(&app, &admin, list).await.contains(name), "{list}");
    }
    // Ada's company is the one the companies sample made, not a second one.
    let companies = page(&app, &admin, "/companies").await;
    assert_eq!(
        companies.matches("Analytical Engines").count(),
        1,
        "{companies}"
    );
}
