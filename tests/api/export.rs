//! "Export CSV" over real HTTP and from the command line: exactly the rows of a list view, every
//! page of them, every field, formulas neutralised, for anyone signed in.

use clientele::domain::{COMPANY_COLUMNS, CONTACT_COLUMNS};
use serde_json::Value;

use crate::admin::admin_and;
use crate::cli::clientele;
use crate::helpers::{form, TestApp, COMPANY_FIELDS, CONTACT_FIELDS};
use crate::records::{list, names};

async fn save(app: &TestApp, client: &reqwest::Client, path: &str, fields: Vec<(&str, &str)>) {
    let response = app.post_form(client, path, &fields, &[]).await;
    assert!(response.status().is_success(), "{response:?}");
}

/// The export at `path`: its header row and rows, after checking it is a CSV download.
async fn export(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
) -> (Vec<String>, Vec<Vec<String>>) {
    let response = app.get_as(client, path).await;
    assert_eq!(response.status(), 200, "{path}");
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"")
            && disposition.ends_with(".csv\"")
            && (disposition.contains("contacts-20") || disposition.contains("companies-20")),
        "{disposition}"
    );
    let body = response.bytes().await.unwrap();
    parse(&body)
}

pub fn parse(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = body
        .strip_prefix("\u{feff}".as_bytes())
        .expect("starts with a byte order mark");
    let mut reader = csv::Reader::from_reader(body);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

#[tokio::test]
async fn a_view_exports_exactly_its_rows_with_every_field() {
    let (app, admin, viewer, vic) = admin_and("viewer").await;
    let vic = vic.to_string();
    save(
        &app,
        &admin,
        "/api/companies/save",
        form(
            &COMPANY_FIELDS,
            &[
                ("name", "Acme"),
                ("domain", "acme.example"),
                ("size", "120"),
                ("notes", "Line one\nline \"two\", with a comma"),
            ],
        ),
    )
    .await;
    for (first, status, tags, notes) in [
        ("Cy", "customer", "", "-5 days late"),
        (
            "Ann",
            "customer",
            "vip, emea",
            "=HYPERLINK(\"http://evil.example\")",
        ),
        ("Bob", "lead", "", ""),
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
                    ("email", &format!("{}@acme.example", first.to_lowercase())),
                    ("phone", "+44 20 7946 0958"),
                    ("company", "acme.example"),
                    ("status", status),
                    ("tags", tags),
                    ("notes", notes),
                    ("owner", &vic),
                ],
            ),
        )
        .await;
    }

    // A viewer exports the customers, sorted by name: exactly those rows, in that order.
    let (header, rows) = export(&app, &viewer, "/contacts/export?status=customer&sort=name").await;
    assert_eq!(header, CONTACT_COLUMNS);
    let first = column(&header, "First name");
    assert_eq!(
        rows.iter().map(|r| r[first].as_str()).collect::<Vec<_>>(),
        ["Ann", "Cy"]
    );
    let ann = &rows[0];
    let cell = |name: &str| ann[column(&header, name)].as_str();
    assert_eq!(cell("Last name"), "Lee");
    assert_eq!(cell("E-mail"), "ann@acme.example");
    assert_eq!(cell("Company"), "Acme");
    assert_eq!(cell("Company domain"), "acme.example");
    assert_eq!(cell("Status"), "customer");
    assert_eq!(cell("Tags"), "vip, emea");
    assert_eq!(cell("Owner"), "vic@example.com");
    // Cells a spreadsheet would run as formulas are shown as text.
    assert_eq!(cell("Phone"), "'+44 20 7946 0958");
    assert_eq!(cell("Notes"), "'=HYPERLINK(\"http://evil.example\")");
    assert_eq!(rows[1][column(&header, "Notes")], "'-5 days late");
    for time in [cell("Created"), cell("Updated")] {
        assert!(
            time.len() == 20 && time.starts_with("20") && time.ends_with('Z') && time.contains('T'),
            "ISO 8601: {time}"
        );
    }
    // Reversed, as the list's sort link does.
    let (_, rows) = export(
        &app,
        &viewer,
        "/contacts/export?status=customer&sort=name&dir=desc",
    )
    .await;
    assert_eq!(rows[0][first], "Cy");
    // A search: the view's rows only, whichever page the view was on.
    let (_, rows) = export(
        &app,
        &viewer,
        "/contacts/export?q=bob&after=garbage&per=100",
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][first], "Bob");

    // Companies, with quoted line breaks and commas kept.
    let (header, rows) = export(&app, &viewer, "/companies/export").await;
    assert_eq!(header, COMPANY_COLUMNS);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][column(&header, "Employees")], "120");
    assert_eq!(
        rows[0][column(&header, "Notes")],
        "Line one\nline \"two\", with a comma"
    );

    // The list offers the link, with the view's search and filters.
    let html = app
        .get_as(&viewer, "/contacts?status=customer&sort=name")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"href="/contacts/export?status=customer&amp;sort=name" download"#),
        "{html}"
    );

    // Nobody signed in gets no file.
    let anonymous = app.get("/contacts/export").await;
    assert_ne!(anonymous.status(), 200);
    assert!(anonymous.headers().get("content-disposition").is_none());
}

#[tokio::test]
async fn an_export_holds_every_page_of_a_long_list_in_its_order() {
    let (app, admin, viewer, _) = admin_and("viewer").await;
    // More rows than one batch, straight into the database.
    app.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2345)
         INSERT INTO contacts (first_name, last_name, email, city, created_at, updated_at)
         SELECT 'P' || i, 'Q', 'p' || i || '@example.com', 'Town ' || (i % 7), 1, 1 FROM n",
    )
    .await;
    let _ = admin;

    for (query, list_query) in [
        ("", vec![]),
        (
            "?sort=city&dir=desc",
            vec![("sort", "city"), ("dir", "desc")],
        ),
    ] {
        let (header, rows) = export(&app, &viewer, &format!("/contacts/export{query}")).await;
        assert_eq!(rows.len(), 2345, "{query}");
        let email = column(&header, "E-mail");
        let mut unique: Vec<&str> = rows.iter().map(|r| r[email].as_str()).collect();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 2345, "no row twice");
        // The same order as the list's first page.
        let page: Value = list(&app, &viewer, &list_query).await;
        let shown = names(&page);
        let exported: Vec<String> = rows
            .iter()
            .take(shown.len())
            .map(|r| format!("{} {}", r[0], r[1]))
            .collect();
        assert_eq!(exported, shown, "{query}");
    }

    // The command line writes the same file, for a search too.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("people.csv");
    let data_dir = app.database_path().parent().unwrap().to_owned();
    let run = clientele(
        out.path(),
        &[
            "export",
            "contacts",
            "--out",
            file.to_str().unwrap(),
            "--q",
            "p12",
            "--data-dir",
            data_dir.to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{run:?}");
    let (header, rows) = parse(&std::fs::read(&file).unwrap());
    assert_eq!(header, CONTACT_COLUMNS);
    // p12, p120–p129, p1200–p1299: 111 contacts.
    assert_eq!(rows.len(), 111);
    assert!(String::from_utf8_lossy(&run.stderr).contains("Exported 111 contacts"));
    assert!(!out.path().join("people.csv.partial").exists());
}
