//! CSV import from the command line: a round trip through export into a fresh database, what
//! happens to records that exist already, and clear messages for files that are not what they
//! should be.

use std::path::Path;

use crate::admin::admin_and;
use crate::cli::clientele;
use crate::export::parse;
use crate::helpers::{cookie_client, form, spawn_app, TestApp, COMPANY_FIELDS, CONTACT_FIELDS};

async fn save(app: &TestApp, client: &reqwest::Client, path: &str, fields: Vec<(&str, &str)>) {
    let response = app.post_form(client, path, &fields, &[]).await;
    assert!(response.status().is_success(), "{response:?}");
}

async fn download(app: &TestApp, client: &reqwest::Client, path: &str) -> Vec<u8> {
    let response = app.get_as(client, path).await;
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

/// `clientele import …` on the app's data folder: (succeeded, stderr).
fn import(app: &TestApp, args: &[&str]) -> (bool, String) {
    let data_dir = app.database_path().parent().unwrap().to_owned();
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--data-dir", data_dir.to_str().unwrap()]);
    let run = clientele(&data_dir, &all);
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

/// An export's rows without the created/updated times (the last two columns).
fn without_times(body: &[u8]) -> Vec<Vec<String>> {
    let (_, rows) = parse(body);
    rows.into_iter()
        .map(|mut r| {
            r.truncate(r.len() - 2);
            r
        })
        .collect()
}

#[tokio::test]
async fn an_export_imported_into_a_fresh_database_gives_the_same_records() {
    let (app, admin, _, _) = admin_and("member").await;
    save(
        &app,
        &admin,
        "/api/companies/save",
        form(
            &COMPANY_FIELDS,
            &[
                ("name", "Acme"),
                ("domain", "acme.example"),
                ("industry", "Software"),
                ("size", "120"),
                ("city", "Leeds"),
                ("notes", "=cmd|' /C calc'!A0\nsecond line"),
                ("owner", "1"),
            ],
        ),
    )
    .await;
    save(
        &app,
        &admin,
        "/api/companies/save",
        form(&COMPANY_FIELDS, &[("name", "No Domain Ltd")]),
    )
    .await;
    for (first, email, company, tags, phone) in [
        (
            "Ann",
            "ann@acme.example",
            "acme.example",
            "vip, emea",
            "+44 20 7946 0958",
        ),
        ("Bob", "", "No Domain Ltd", "", ""),
        ("Cy", "cy@else.example", "", "x", ""),
    ] {
        save(
            &app,
            &admin,
            "/api/contacts/save",
            form(
                &CONTACT_FIELDS,
                &[
                    ("first_name", first),
                    ("last_name", "Lee"),
                    ("email", email),
                    ("company", company),
                    ("tags", tags),
                    ("phone", phone),
                    ("status", "customer"),
                    ("owner", "1"),
                    ("notes", "@here, \"quoted\"; and more"),
                ],
            ),
        )
        .await;
    }
    let companies = download(&app, &admin, "/companies/export").await;
    let contacts = download(&app, &admin, "/contacts/export").await;

    let fresh = spawn_app().await;
    let ada = cookie_client();
    fresh
        .register_as(
            &ada,
            "Ada",
            "ada@example.com",
            crate::admin::PASSWORD,
            &[],
            &[],
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = import(
        &fresh,
        &["companies", &write(dir.path(), "companies.csv", &companies)],
    );
    assert!(ok, "{out}");
    assert!(out.contains("2 rows: 2 were created"), "{out}");
    let (ok, out) = import(
        &fresh,
        &["contacts", &write(dir.path(), "contacts.csv", &contacts)],
    );
    assert!(ok, "{out}");
    assert!(out.contains("3 rows: 3 were created"), "{out}");

    assert_eq!(
        without_times(&download(&fresh, &ada, "/companies/export").await),
        without_times(&companies)
    );
    assert_eq!(
        without_times(&download(&fresh, &ada, "/contacts/export").await),
        without_times(&contacts)
    );

    // Imported again: the contacts with an e-mail exist already and are skipped; Bob has none to
    // be matched by, so he is added again.
    let (ok, out) = import(
        &fresh,
        &["contacts", &write(dir.path(), "contacts.csv", &contacts)],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("3 rows: 1 were created, 0 updated, 2 skipped"),
        "{out}"
    );
}

#[tokio::test]
async fn existing_records_are_skipped_filled_or_overwritten() {
    let (app, admin, _, _) = admin_and("member").await;
    save(
        &app,
        &admin,
        "/api/contacts/save",
        form(
            &CONTACT_FIELDS,
            &[
                ("first_name", "Ann"),
                ("email", "ann@example.com"),
                ("city", "York"),
            ],
        ),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "people.csv", b"Email Address,First Name,City,Job Title\nANN@example.com,Ann,Leeds,CEO\nbob@example.com,Bob,,\n");
    async fn city_and_title(app: &TestApp) -> (String, String) {
        let rows: Vec<(String, String)> = app
            .rows("SELECT city, job_title FROM contacts WHERE email = 'ann@example.com'")
            .await;
        rows.into_iter().next().unwrap()
    }
    let (ok, out) = import(&app, &["contacts", &file, "--dry-run"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("2 rows: 1 would be created, 0 updated, 1 skipped, 0 invalid"),
        "{out}"
    );
    assert_eq!(
        city_and_title(&app).await,
        ("York".into(), String::new()),
        "a dry run writes nothing"
    );

    let (ok, out) = import(&app, &["contacts", &file, "--on-existing", "fill"]);
    assert!(ok, "{out}");
    assert!(out.contains("2 rows: 1 were created, 1 updated"), "{out}");
    assert_eq!(
        city_and_title(&app).await,
        ("York".into(), "CEO".into()),
        "only the empty field filled"
    );

    let (ok, out) = import(&app, &["contacts", &file, "--on-existing", "overwrite"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("2 rows: 0 were created, 1 updated, 1 skipped"),
        "{out}"
    );
    assert_eq!(city_and_title(&app).await, ("Leeds".into(), "CEO".into()));

    // The history says the import made the change.
    let history = app
        .get_as(&admin, "/contacts/1")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("York") && history.contains("Leeds"),
        "old → new in the history"
    );
    assert!(
        history.replace("<!>", "").contains(">import 3</a>)"),
        "the import is named"
    );
}

#[tokio::test]
async fn files_that_cannot_be_imported_get_a_clear_message() {
    let (app, _, _, _) = admin_and("member").await;
    let dir = tempfile::tempdir().unwrap();
    let mut huge = b"Name,Notes\nAnn,\"".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 3 << 20));
    for (name, bytes, expected) in [
        (
            "binary.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec(),
            "holds binary data",
        ),
        (
            "latin1.csv",
            b"First name,Email\nJos\xe9,jose@example.com\n".to_vec(),
            "Line 2 is not UTF-8",
        ),
        ("empty.csv", Vec::new(), "The file is empty."),
        (
            "header.csv",
            b"First name,Email\n".to_vec(),
            "a header row but no rows",
        ),
        (
            "nonames.csv",
            b"Colour,Size\nred,3\n".to_vec(),
            "name or e-mail",
        ),
        ("huge.csv", huge, "longer than 1 MB"),
    ] {
        let (ok, out) = import(
            &app,
            &["contacts", &write(dir.path(), name, &bytes), "--dry-run"],
        );
        assert!(!ok, "{name}: {out}");
        assert!(out.contains(expected), "{name}: {out}");
        assert!(!out.contains("panicked"), "{name}: {out}");
    }

    // Row by row problems: each invalid row with its line and reason; the others go in.
    let rows = "First name,Email,Phone,Notes,Owner\n\
                Ann,ann@example.com,,=SUM(A1),\n\
                Bob,not-an-email,,,\n\
                Cy,ann@example.com,,,\n\
                Di,di@example.com,,,nobody@example.com\n\
                Ed,ed@example.com,1,2,3,4\n\
                Fay,fay@example.com,,\"multi\nline\",\n";
    let file = write(dir.path(), "rows.csv", rows.as_bytes());
    let (ok, out) = import(&app, &["contacts", &file]);
    assert!(ok, "{out}");
    assert!(
        out.contains("6 rows: 2 were created, 0 updated, 0 skipped, 4 invalid"),
        "{out}"
    );
    assert!(out.contains("line 3: Email:"), "{out}");
    assert!(
        out.contains("line 4: The e-mail ann@example.com is also on line 2."),
        "{out}"
    );
    assert!(
        out.contains("line 5: Owner: nobody active has the e-mail nobody@example.com."),
        "{out}"
    );
    assert!(
        out.contains("line 6: The row has 6 cells but the header names 5 columns."),
        "{out}"
    );
    let notes: String = app
        .value("SELECT notes FROM contacts WHERE email = 'ann@example.com'")
        .await;
    assert_eq!(
        notes, "=SUM(A1)",
        "a formula cell is kept as text, never run"
    );
    let fay: String = app
        .value("SELECT notes FROM contacts WHERE email = 'fay@example.com'")
        .await;
    assert_eq!(fay, "multi\nline");
}

#[tokio::test]
async fn a_contacts_company_is_found_by_domain_or_name_or_created_once() {
    let (app, admin, _, _) = admin_and("member").await;
    save(
        &app,
        &admin,
        "/api/companies/save",
        form(
            &COMPANY_FIELDS,
            &[("name", "Acme"), ("domain", "acme.example")],
        ),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "people.csv",
        b"First name,Email,Company,Company domain\n\
          Ann,ann@example.com,ACME,\n\
          Bob,bob@example.com,Whatever Name,acme.example\n\
          Cy,cy@example.com,Globex,globex.example\n\
          Di,di@example.com,Globex,\n\
          Ed,ed@example.com,Initech,\n",
    );
    let (ok, out) = import(&app, &["contacts", &file]);
    assert!(ok, "{out}");
    assert!(out.contains("5 rows: 5 were created"), "{out}");
    let companies: Vec<(String, String, i64)> = app
        .rows(
            "SELECT co.name, co.domain, count(c.id) FROM companies co
             LEFT JOIN contacts c ON c.company_id = co.id GROUP BY co.id ORDER BY co.id",
        )
        .await;
    assert_eq!(
        companies,
        [
            ("Acme".into(), "acme.example".into(), 2),
            ("Globex".into(), "globex.example".into(), 2),
            ("Initech".into(), String::new(), 1),
        ]
    );
}
