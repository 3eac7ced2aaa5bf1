//! The access matrix: every page and every server function, for each kind of caller. A route or
//! server function missing from the table fails the test, so a new one cannot ship unchecked.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use reqwest::cookie::CookieStore;
use reqwest::header::{HeaderMap, ACCEPT, COOKIE, LOCATION};
use serde_json::Value;

use crate::admin::invite;
use crate::helpers::{
    cookie_client, form, spawn_app, TestApp, ACTIVITY_FIELDS, COMPANY_FIELDS, CONTACT_FIELDS,
};
use crate::records::saved_id;

const PASSWORD: &str = "plum-orchard-sunrise";
const CALLERS: [&str; 5] = ["anonymous", "viewer", "member", "admin", "deactivated"];
/// Allowed: any answer but a refusal (401, 403, a redirect to sign in), a malformed request (400)
/// or a server error; mutations get arguments that succeed when allowed, but may meet a 404,
/// 409 or 422.
const A: u16 = 0;

type Args = &'static [(&'static str, &'static str)];

/// Target (`/page/:id`, or a server function's endpoint), arguments (`{name}` is filled in from
/// the set-up, per caller), expected status for each of [`CALLERS`]. Run in this order: the
/// mutations come after the reads, and those that change the caller's session come last.
#[rustfmt::skip]
const TABLE: &[(&str, Args, [u16; 5])] = &[
    // The first request of the deactivated user's old session is refused (then forgotten).
    ("workspace/summary", &[], [401, 200, 200, 200, 401]),
    ("auth/me", &[], [200, 200, 200, 200, 200]),
    ("auth/registration", &[("invitation", "{open}")], [200, 200, 200, 200, 200]),
    ("settings/me", &[], [401, 200, 200, 200, 401]),
    ("settings/sessions", &[], [401, 200, 200, 200, 401]),
    ("settings/tokens", &[], [401, 200, 200, 200, 401]),
    ("api-reference", &[], [200, 200, 200, 200, 200]),
    ("contacts/list", &[("query[q]", "")], [401, 200, 200, 200, 401]),
    ("contacts/get", &[("id", "{contact}")], [401, 200, 200, 200, 401]),
    ("companies/list", &[("query[q]", "")], [401, 200, 200, 200, 401]),
    ("companies/get", &[("id", "{company}")], [401, 200, 200, 200, 401]),
    ("trash/list", &[], [401, 200, 200, 200, 401]),
    ("import/list", &[], [401, 200, 200, 200, 401]),
    ("import/get", &[("id", "{import}")], [401, 200, 200, 200, 401]),
    ("/import", &[], [303, 200, 200, 200, 303]),
    ("/import/:id", &[], [303, 200, 200, 200, 303]),
    ("records/name", &[("kind", "contact"), ("id", "{contact}")], [401, 200, 200, 200, 401]),
    ("live/since", &[], [401, 200, 200, 200, 401]),
    ("records/history", &[("kind", "contact"), ("id", "{contact}")], [401, 200, 200, 200, 401]),
    ("admin/history", &[], [401, 403, 403, 200, 401]),
    ("activities/timeline", &[("kind", "contact"), ("id", "{contact}")], [401, 200, 200, 200, 401]),
    ("activities/get", &[("id", "{activity}")], [401, 200, 200, 200, 401]),
    ("/activities", &[], [303, 200, 200, 200, 303]),
    ("/activities/:id", &[], [303, 200, 200, 200, 303]),
    // Only its author (the admin here) or an admin may change an activity.
    ("/activities/:id/edit", &[], [303, 403, 403, 200, 303]),
    ("/activities/:id/delete", &[], [303, 403, 403, 200, 303]),
    ("activities/save", &[("contact", "{contact}"), ("subject", "Row {caller}")], [401, 403, A, A, 401]),
    ("tasks/list", &[("query[assignee]", "anyone")], [401, 200, 200, 200, 401]),
    ("home/dashboard", &[], [401, 200, 200, 200, 401]),
    ("tasks/get", &[("id", "{task}")], [401, 200, 200, 200, 401]),
    ("tasks/of-record", &[("kind", "contact"), ("id", "{contact}")], [401, 200, 200, 200, 401]),
    ("/tasks", &[], [303, 200, 200, 200, 303]),
    ("/tasks/:id", &[], [303, 200, 200, 200, 303]),
    ("/tasks/:id/edit", &[], [303, 403, 200, 200, 303]),
    ("/tasks/:id/delete", &[], [303, 403, 200, 200, 303]),
    ("tasks/save", &[("title", "Row {caller}")], [401, 403, A, A, 401]),
    ("tasks/done", &[("id", "{task}"), ("done", "true"), ("back", "/tasks")], [401, 403, A, A, 401]),
    ("records/form-options", &[], [401, 403, 200, 200, 401]),
    ("admin/users", &[], [401, 403, 403, 200, 401]),
    ("admin/invitations/open", &[], [401, 403, 403, 200, 401]),
    ("/", &[], [200, 200, 200, 200, 200]),
    ("/login", &[], [200, 302, 302, 302, 200]),
    ("/register", &[], [200, 200, 200, 200, 200]),
    ("/healthz", &[], [200, 200, 200, 200, 200]),
    ("/readyz", &[], [200, 200, 200, 200, 200]),
    // Off unless a token or addresses are configured (see `metrics.rs`): nobody's, signed in or not.
    ("/metrics", &[], [404, 404, 404, 404, 404]),
    ("/settings", &[], [303, 200, 200, 200, 303]),
    ("/settings/sessions", &[], [303, 200, 200, 200, 303]),
    ("/settings/tokens", &[], [303, 200, 200, 200, 303]),
    ("/api/docs", &[], [200, 200, 200, 200, 200]),
    ("/admin/users", &[], [303, 403, 403, 200, 303]),
    ("/admin/history", &[], [303, 403, 403, 200, 303]),
    ("/contacts", &[], [303, 200, 200, 200, 303]),
    ("/contacts/new", &[], [303, 403, 200, 200, 303]),
    ("/contacts/:id", &[], [303, 200, 200, 200, 303]),
    ("/contacts/:id/edit", &[], [303, 403, 200, 200, 303]),
    ("/contacts/:id/delete", &[], [303, 403, 200, 200, 303]),
    ("/companies", &[], [303, 200, 200, 200, 303]),
    ("/companies/new", &[], [303, 403, 200, 200, 303]),
    ("/companies/:id", &[], [303, 200, 200, 200, 303]),
    ("/companies/:id/edit", &[], [303, 403, 200, 200, 303]),
    ("/companies/:id/delete", &[], [303, 403, 200, 200, 303]),
    ("/trash", &[], [303, 200, 200, 200, 303]),
    ("contacts/save", &[("first_name", "Row {caller}")], [401, 403, A, A, 401]),
    ("companies/save", &[("name", "Row {caller} Ltd")], [401, 403, A, A, 401]),
    ("records/delete", &[("kind", "contact"), ("id", "{doomed_contact}")], [401, 403, A, A, 401]),
    ("import/step", &[("id", "{import}"), ("step", "cancel")], [401, 403, A, A, 401]),
    ("trash/restore", &[("kind", "contact"), ("id", "{doomed_contact}")], [401, 403, A, A, 401]),
    ("settings/profile", &[("name", "Renamed {caller}"), ("email", "{me}"), ("current_password", PASSWORD)], [401, A, A, A, 401]),
    // The admin's second session: someone else's for everyone else.
    ("settings/sessions/end", &[("handle", "{handle}")], [401, 404, 404, A, 401]),
    ("settings/sessions/end-others", &[], [401, A, A, A, 401]),
    ("settings/tokens/create", &[("name", "Script of {caller}"), ("access", "read"), ("expires", "30")], [401, A, A, A, 401]),
    // The admin's token: someone else's for everyone else.
    ("settings/tokens/revoke", &[("token_id", "{token}")], [401, 404, 404, A, 401]),
    ("settings/password", &[("current_password", PASSWORD), ("new_password", PASSWORD)], [401, A, A, A, 401]),
    ("admin/invitations", &[("role", "admin")], [401, 403, 403, A, 401]),
    ("admin/invitations/revoke", &[("invitation_id", "{invitation}")], [401, 403, 403, A, 401]),
    ("admin/users/role", &[("user_id", "{spare}"), ("role", "admin")], [401, 403, 403, A, 401]),
    ("admin/users/active", &[("user_id", "{spare}"), ("active", "false")], [401, 403, 403, A, 401]),
    // Signing in again as oneself, registering with an invitation for one's own role (the
    // anonymous and deactivated callers keep no cookies), then signing out.
    ("auth/login", &[("email", "{me}"), ("password", PASSWORD)], [200, 200, 200, 200, 200]),
    ("auth/register", &[("name", "New {caller}"), ("email", "new-{caller}@example.com"), ("password", PASSWORD), ("invitation", "{invite}")], [200, 200, 200, 200, 200]),
    ("auth/logout", &[], [200, 200, 200, 200, 200]),
];

#[tokio::test]
async fn every_route_and_server_function_checks_who_is_asking() {
    let declared = declared_targets();
    let listed: BTreeSet<String> = TABLE.iter().map(|(t, _, _)| t.to_string()).collect();
    assert_eq!(listed.len(), TABLE.len(), "a target is listed twice");
    let missing: Vec<_> = declared.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the access table is out of date: add a row for {missing:?}, remove {extra:?}"
    );

    let app = spawn_app().await;
    let admin = cookie_client();
    let registered = app
        .register_as(&admin, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    assert!(registered.status().is_success(), "{registered:?}");
    let viewer = cookie_client();
    join(&app, &admin, &viewer, "viewer", "vic@example.com").await;
    let member = cookie_client();
    join(&app, &admin, &member, "member", "meg@example.com").await;
    join(&app, &admin, &cookie_client(), "viewer", "sam@example.com").await;
    // The deactivated member keeps the cookie of a session they had before.
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let dee = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    join(&app, &admin, &dee, "member", "dee@example.com").await;
    let stale = jar.cookies(&app.address.parse().unwrap()).expect("cookie");
    // Anonymous and deactivated callers keep no cookies: every request is their first.
    let stateless = |headers: HeaderMap| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap()
    };
    let deactivated = stateless(HeaderMap::from_iter([(COOKIE, stale)]));
    let me: Value = call(&app, &deactivated, "auth/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "dee@example.com", "the copied cookie signs in");
    let ids = user_ids(&app, &admin).await;
    let response = call(
        &app,
        &admin,
        "admin/users/active",
        &[("user_id", &ids["dee@example.com"]), ("active", "false")],
    )
    .await;
    assert_eq!(response.status(), 200, "{response:?}");
    let clients = [
        stateless(HeaderMap::new()),
        viewer,
        member,
        admin,
        deactivated,
    ];
    let admin = &clients[3];

    // Values the arguments name: one per caller.
    let mut values: HashMap<&str, [String; 5]> = HashMap::new();
    let mut each = |name, value: String| {
        values.insert(name, CALLERS.map(|_| value.clone()));
    };
    let contact = save(&app, admin, "contacts", &CONTACT_FIELDS, "last_name").await;
    each("contact", contact.clone());
    each(
        "company",
        save(&app, admin, "companies", &COMPANY_FIELDS, "name").await,
    );
    each("spare", ids["sam@example.com"].clone());
    let logged = call(
        &app,
        admin,
        "activities/save",
        &form(
            &ACTIVITY_FIELDS,
            &[("contact", &contact), ("subject", "Intro call")],
        ),
    )
    .await;
    assert!(logged.status().is_success(), "{logged:?}");
    let timeline: Value = call(
        &app,
        admin,
        "activities/timeline",
        &[("kind", "contact"), ("id", &contact)],
    )
    .await
    .json()
    .await
    .unwrap();
    each("activity", timeline["entries"][0]["id"].to_string());
    let task = call(
        &app,
        admin,
        "tasks/save",
        &form(&TASK_FIELDS, &[("title", "Send the quote")]),
    )
    .await;
    assert!(task.status().is_success(), "{task:?}");
    let tasks: Value = call(&app, admin, "tasks/list", &[("query[assignee]", "anyone")])
        .await
        .json()
        .await
        .unwrap();
    each("task", tasks["tasks"][0]["id"].to_string());
    let file = reqwest::multipart::Part::bytes(b"Name\nAnn\n".to_vec()).file_name("a.csv");
    let uploaded = admin
        .post(app.url("/import/upload"))
        .multipart(reqwest::multipart::Form::new().part("file", file))
        .send()
        .await
        .unwrap();
    let location = uploaded.headers()[LOCATION].to_str().unwrap();
    each("import", location.trim_start_matches("/import/").to_owned());
    invite(&app, admin, "viewer").await;
    let open: Vec<Value> = call(&app, admin, "admin/invitations/open", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    each("invitation", open[0]["id"].to_string());
    each("open", invite(&app, admin, "member").await);
    let second = cookie_client();
    app.login_as(&second, "ada@example.com", PASSWORD).await;
    let (sessions, _): (Vec<Value>, i64) = call(&app, &second, "settings/sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    let current = sessions
        .iter()
        .find(|s| s["current"] == true)
        .expect("current");
    each("handle", current["handle"].to_string());
    let made = call(
        &app,
        admin,
        "settings/tokens/create",
        &[
            ("name", "Admin's script"),
            ("access", "write"),
            ("expires", "0"),
        ],
    )
    .await;
    assert!(made.status().is_success(), "{made:?}");
    let (tokens, _): (Vec<Value>, i64) = call(&app, admin, "settings/tokens", &[])
        .await
        .json()
        .await
        .unwrap();
    each("token", tokens[0]["id"].to_string());
    let mut per_caller = HashMap::new();
    for (i, caller) in CALLERS.iter().enumerate() {
        let mut put = |name: &'static str, value: String| {
            per_caller
                .entry(name)
                .or_insert_with(|| CALLERS.map(|_| String::new()))[i] = value
        };
        let role = ["member", "viewer", "member", "admin", "member"][i];
        put("invite", invite(&app, admin, role).await);
        put(
            "doomed_contact",
            save(&app, admin, "contacts", &CONTACT_FIELDS, "last_name").await,
        );
        put("caller", caller.to_string());
        put(
            "me",
            ["meg", "vic", "meg", "ada", "meg"][i].to_string() + "@example.com",
        );
    }
    values.extend(per_caller);

    let mut results = Vec::new();
    for (target, args, expected) in TABLE {
        let mut got = [0u16; 5];
        for (i, client) in clients.iter().enumerate() {
            let given: Vec<(&str, String)> = args
                .iter()
                .map(|(k, v)| (*k, fill(v, &values, i)))
                .collect();
            got[i] = status(
                &app,
                client,
                target,
                &given,
                [
                    &values["contact"][i],
                    &values["company"][i],
                    &values["activity"][i],
                    &values["task"][i],
                    &values["import"][i],
                ],
            )
            .await;
        }
        results.push((target, *expected, got));
    }
    let wrong = results
        .iter()
        .flat_map(|(_, e, g)| e.iter().zip(g))
        .filter(|(e, g)| !passes(**e, **g))
        .count();
    assert!(
        wrong == 0,
        "{wrong} cells differ (got≠expected, A = allowed):\n{}",
        matrix(&results)
    );
}

/// The status `client` gets from `target`: a page (with `:id` a contact's or company's id) or a
/// server function (a record form's fields default to empty).
async fn status(
    app: &TestApp,
    client: &reqwest::Client,
    target: &str,
    given: &[(&str, String)],
    [contact, company, activity, task, import]: [&str; 5],
) -> u16 {
    let given: Vec<(&str, &str)> = given.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if target.starts_with('/') {
        let id = if target.starts_with("/companies") {
            company
        } else if target.starts_with("/activities") {
            activity
        } else if target.starts_with("/tasks") {
            task
        } else if target.starts_with("/import") {
            import
        } else {
            contact
        };
        let path = target.replace(":id", id);
        let response = client
            .get(app.url(&path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        return match response.status().as_u16() {
            // Only a redirect to sign in stands for "sign in first".
            303 if !location.is_some_and(|l| l.starts_with("/login?next=")) => 399,
            status => status,
        };
    }
    let args = match target {
        "contacts/save" => form(&CONTACT_FIELDS, &given),
        "companies/save" => form(&COMPANY_FIELDS, &given),
        "activities/save" => form(&ACTIVITY_FIELDS, &given),
        "tasks/save" => form(&TASK_FIELDS, &given),
        _ => given,
    };
    call(app, client, target, &args).await.status().as_u16()
}

/// Whether status `got` is what the cell `expected` asks for.
fn passes(expected: u16, got: u16) -> bool {
    match expected {
        A => matches!(got, 200..=299 | 404 | 409 | 422),
        status => got == status,
    }
}

fn matrix(results: &[(&&str, [u16; 5], [u16; 5])]) -> String {
    let mut out = format!("{:<30}", "");
    for caller in CALLERS {
        out += &format!("{caller:>12}");
    }
    for (target, expected, got) in results {
        out += &format!("\n{target:<30}");
        for (e, g) in expected.iter().zip(got) {
            let cell = match (passes(*e, *g), *e) {
                (true, _) => g.to_string(),
                (false, A) => format!("{g}≠A"),
                (false, e) => format!("{g}≠{e}"),
            };
            out += &format!("{cell:>12}");
        }
    }
    out
}

/// Every page (`path!` in the app's routes, `.route(` of the HTTP router) and every server
/// function (`endpoint = "…"` in the pages), read from the source.
fn declared_targets() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = vec![
        (root.join("app.rs"), "path!(\""),
        (root.join("server/http/mod.rs"), ".route(\""),
    ];
    let mut folders = vec![root.join("pages")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                sources.push((path, "endpoint = \""));
            }
        }
    }
    let mut found = BTreeSet::new();
    for (file, marker) in sources {
        let text = std::fs::read_to_string(&file).unwrap();
        for (_, rest) in text
            .match_indices(marker)
            .map(|(at, _)| text.split_at(at + marker.len()))
        {
            found.insert(rest.split('"').next().unwrap().to_owned());
        }
    }
    found
}

/// `value` with each `{name}` replaced by that value of the set-up for caller `i`.
fn fill(value: &str, values: &HashMap<&str, [String; 5]>, i: usize) -> String {
    values.iter().fold(value.to_owned(), |v, (name, all)| {
        v.replace(&format!("{{{name}}}"), &all[i])
    })
}

/// Calls a server function as a script would.
async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    args: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(
        client,
        &format!("/api/{endpoint}"),
        args,
        &[("accept", "application/json")],
    )
    .await
}

/// Registers `email` on `client` with an invitation for `role`.
async fn join(
    app: &TestApp,
    admin: &reqwest::Client,
    client: &reqwest::Client,
    role: &str,
    email: &str,
) {
    let token = invite(app, admin, role).await;
    let response = app
        .register_as(
            client,
            "Someone",
            email,
            PASSWORD,
            &[("invitation", &token)],
            &[],
        )
        .await;
    assert!(response.status().is_success(), "{response:?}");
}

/// Creates a contact or company with a unique `field`; returns its id.
/// The fields of the task form.
const TASK_FIELDS: [&str; 8] = [
    "id", "version", "title", "due_date", "due_time", "assignee", "contact", "company",
];

async fn save(
    app: &TestApp,
    admin: &reqwest::Client,
    kind: &str,
    fields: &[&str],
    field: &str,
) -> String {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "Record{}",
        COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let response = call(
        app,
        admin,
        &format!("{kind}/save"),
        &form(fields, &[(field, &name)]),
    )
    .await;
    assert!(response.status().is_success(), "{response:?}");
    saved_id(&response).to_string()
}

async fn user_ids(app: &TestApp, admin: &reqwest::Client) -> HashMap<String, String> {
    let (users, _): (Vec<Value>, i64) = call(app, admin, "admin/users", &[])
        .await
        .json()
        .await
        .unwrap();
    users
        .iter()
        .map(|u| (u["email"].as_str().unwrap().to_owned(), u["id"].to_string()))
        .collect()
}
