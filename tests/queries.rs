//! No N+1 queries: each page runs a bounded number of SQL statements, the same for 25 rows as for
//! 100. sqlx reports every statement it runs as a `sqlx::query` tracing event; this test binary
//! (its own process, one test, requests one at a time) counts them around each request.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

use helpers::{form, spawn_app_with_policy, TestApp, COMPANY_FIELDS, CONTACT_FIELDS};

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct CountStatements;

impl<S: tracing::Subscriber> Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn count_statements() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let only_sqlx = tracing_subscriber::filter::Targets::new()
            .with_target("sqlx::query", tracing::Level::TRACE);
        tracing_subscriber::registry()
            .with(CountStatements.with_filter(only_sqlx))
            .init();
    });
}

/// The fewest statements a GET of `path` ran in three tries (a session's once-a-minute
/// "last seen" update may fall into any one of them).
async fn statements(app: &TestApp, path: &str) -> usize {
    let mut fewest = usize::MAX;
    for _ in 0..3 {
        let before = STATEMENTS.load(Ordering::SeqCst);
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.expect("body");
        assert!(html.contains("</html>"), "{path}");
        fewest = fewest.min(STATEMENTS.load(Ordering::SeqCst) - before);
    }
    fewest
}

async fn save(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> String {
    let response = app.post_form(&app.client, path, fields, &[]).await;
    assert!(response.status().is_success(), "{response:?}");
    let location = response
        .headers()
        .get("location")
        .or_else(|| response.headers().get("serverfnredirect"))
        .expect("redirect to the record")
        .to_str()
        .expect("ascii")
        .to_owned();
    location
        .split(['/', '?'])
        .nth(2)
        .expect("record id")
        .to_owned()
}

async fn company(app: &TestApp, n: usize, owner: &str) -> String {
    let name = format!("Company {n}");
    let industry = ["Energy", "Retail"][n % 2];
    let fields = form(
        &COMPANY_FIELDS,
        &[("name", &name), ("owner", owner), ("industry", industry)],
    );
    save(app, "/api/companies/save", &fields).await
}

async fn contact(app: &TestApp, n: usize, company: &str, owner: &str) -> String {
    let name = format!("Person{n}");
    let tags = format!("vip, batch-{}", n % 4);
    let status = ["lead", "customer", "prospect"][n % 3];
    let fields = form(
        &CONTACT_FIELDS,
        &[
            ("first_name", &name),
            ("company", company),
            ("status", status),
            ("tags", &tags),
            ("owner", owner),
        ],
    );
    save(app, "/api/contacts/save", &fields).await
}

#[tokio::test]
async fn every_page_runs_a_bounded_number_of_statements_whatever_its_size() {
    count_statements();
    let app = spawn_app_with_policy(true).await;
    let response = app
        .register("Ada", "ada@example.com", "plum-orchard-sunrise", &[])
        .await;
    assert!(response.status().is_success(), "{response:?}");
    let owner = "1";

    // Two companies: one with one contact, one with 110; every contact has an owner and tags.
    let small = company(&app, 0, owner).await;
    let big = company(&app, 1, "").await;
    contact(&app, 0, "Company 0", owner).await;
    for n in 1..=110 {
        contact(&app, n, "Company 1", if n % 2 == 0 { owner } else { "" }).await;
    }
    for n in 2..=40 {
        company(&app, n, owner).await;
    }
    // And a trash with a few records in it, then with many.
    let trash = |id: String| {
        let app = &app;
        async move {
            let response = app
                .post_form(
                    &app.client,
                    "/api/records/delete",
                    &[("kind", "contact"), ("id", id.as_str())],
                    &[],
                )
                .await;
            assert!(response.status().is_success(), "{response:?}");
        }
    };
    let mut ids = Vec::new();
    for n in 200..230 {
        ids.push(contact(&app, n, "", "").await);
    }
    trash(ids[0].clone()).await;
    let trash_of_one = statements(&app, "/trash").await;
    for id in ids[1..].iter().cloned() {
        trash(id).await;
    }
    let trash_of_thirty = statements(&app, "/trash").await;

    let pairs = [
        ("/contacts?per=25", "/contacts?per=100"),
        ("/contacts?per=25&sort=name", "/contacts?per=100&sort=name"),
        ("/contacts?tag=vip&per=25", "/contacts?tag=vip&per=100"),
        ("/contacts?q=person&per=25", "/contacts?q=person&per=100"),
        (
            "/contacts?status=lead&owner=1&per=25",
            "/contacts?status=lead&owner=1&per=100",
        ),
        ("/companies?per=25", "/companies?per=100"),
        (
            "/companies?industry=Energy&per=25",
            "/companies?industry=Energy&per=100",
        ),
    ];
    let mut report = Vec::new();
    for (few, many) in pairs {
        let (a, b) = (statements(&app, few).await, statements(&app, many).await);
        report.push(format!("{few}: {a}, {many}: {b}"));
        assert_eq!(
            a, b,
            "more rows, more statements: {few} ran {a}, {many} ran {b}"
        );
        assert!(a <= 12, "{few} ran {a} statements");
    }
    let small_company = statements(&app, &format!("/companies/{small}")).await;
    let big_company = statements(&app, &format!("/companies/{big}")).await;
    assert_eq!(
        small_company, big_company,
        "a company's page with 1 and 110 contacts"
    );
    assert_eq!(
        trash_of_one, trash_of_thirty,
        "the trash with 1 and 30 records"
    );
    // A contact's page, its timeline, open tasks and history with one entry each, then with many.
    let busy = contact(&app, 300, "Company 1", owner).await;
    let work = |n: usize| {
        let app = &app;
        let busy = busy.clone();
        async move {
            let subject = format!("Call {n}");
            save(
                app,
                "/api/activities/save",
                &[
                    ("id", ""),
                    ("version", ""),
                    ("kind", "call"),
                    ("subject", &subject),
                    ("body", ""),
                    ("happened_at", ""),
                    ("contact", &busy),
                    ("company", ""),
                ],
            )
            .await;
            let title = format!("Task {n}");
            save(
                app,
                "/api/tasks/save",
                &[
                    ("id", ""),
                    ("version", ""),
                    ("title", &title),
                    ("due_date", "2026-01-01"),
                    ("due_time", ""),
                    ("assignee", "1"),
                    ("contact", &busy),
                    ("company", ""),
                ],
            )
            .await;
        }
    };
    work(0).await;
    let contact_page = format!("/contacts/{busy}");
    let quiet = statements(&app, &contact_page).await;
    let quiet_tasks = statements(&app, "/tasks").await;
    let quiet_activities = statements(&app, "/activities").await;
    for n in 1..=60 {
        work(n).await;
    }
    for (what, few, many) in [
        (
            contact_page.as_str(),
            quiet,
            statements(&app, &contact_page).await,
        ),
        ("/tasks", quiet_tasks, statements(&app, "/tasks").await),
        (
            "/activities",
            quiet_activities,
            statements(&app, "/activities").await,
        ),
    ] {
        report.push(format!(
            "{what}: {few} (little work), {many} (61 activities and tasks)"
        ));
        assert_eq!(few, many, "{what}: more work, more statements");
    }
    for (path, limit) in [
        // The session, my tasks, recent activity, the record counts (one statement), the workspace.
        ("/", 6),
        ("/tasks?assignee=anyone&due=overdue", 6),
        ("/admin/history", 6),
        // The record, owners, open tasks, timeline and history.
        ("/contacts/2", 8),
        ("/contacts/new", 10),
        ("/settings", 8),
        ("/settings/sessions", 8),
        ("/admin/users", 8),
    ] {
        let n = statements(&app, path).await;
        report.push(format!("{path}: {n}"));
        assert!(n <= limit, "{path} ran {n} statements (limit {limit})");
    }
    println!("statements per page:\n{}", report.join("\n"));
}
