//! Live updates over real HTTP: `/events` streams the changes made after the page's position,
//! by the pages, the API or another server on the database, to signed-in users only, and ends
//! with the session.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::admin::{admin_and, PASSWORD};
use crate::helpers::{cookie_client, on_postgres, TestApp};
use crate::instances::another_instance;
use crate::records::new_contact;
use crate::rest::{api, token};

/// An open `/events` stream, read event by event.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

/// One event: its name, id and data.
#[derive(Debug, Default)]
struct Event {
    name: String,
    id: String,
    data: String,
}

impl Events {
    async fn open(app: &TestApp, client: &reqwest::Client, since: Option<i64>) -> Events {
        Self::open_with(app, client, since, &[]).await
    }

    async fn open_with(
        app: &TestApp,
        client: &reqwest::Client,
        since: Option<i64>,
        headers: &[(&str, &str)],
    ) -> Events {
        let response = Self::request(app, client, since, headers).await;
        assert_eq!(response.status(), 200, "{response:?}");
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert!(
            response.headers().get("content-encoding").is_none(),
            "a stream is never compressed (it would be held back)"
        );
        let mut events = Events {
            response,
            buffer: String::new(),
        };
        let ready = events.next().await.expect("the stream opens");
        assert_eq!(ready.name, "ready");
        events
    }

    async fn request(
        app: &TestApp,
        client: &reqwest::Client,
        since: Option<i64>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let path = match since {
            Some(since) => format!("/events?since={since}"),
            None => "/events".to_owned(),
        };
        let mut request = client
            .get(app.url(&path))
            .header("accept-encoding", "gzip, br");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// The next event within 10 s (keep-alive comments skipped); `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Event::default();
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event.name = name.trim().to_owned();
                    } else if let Some(id) = line.strip_prefix("id:") {
                        event.id = id.trim().to_owned();
                    } else if let Some(data) = line.strip_prefix("data:") {
                        if !event.data.is_empty() {
                            event.data.push('\n');
                        }
                        event.data.push_str(data.strip_prefix(' ').unwrap_or(data));
                    }
                }
                if event.name.is_empty() && event.data.is_empty() {
                    continue; // a comment
                }
                return Some(event);
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("an event within 10 s")
                .ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The data of the next `changes` event.
    async fn changes(&mut self) -> String {
        let event = self.next().await.expect("an event");
        assert_eq!(event.name, "changes", "{event:?}");
        event.data
    }
}

/// The history's position a page was rendered at, from its `LiveUpdates` island.
async fn since_of(app: &TestApp, client: &reqwest::Client, path: &str) -> i64 {
    let html = app.get_as(client, path).await.text().await.unwrap();
    let props = html
        .split("data-component=\"LiveUpdates")
        .nth(1)
        .unwrap_or_else(|| panic!("{path} follows live updates"));
    let at = props.find("since&quot;:").expect("the page's position") + "since&quot;:".len();
    props[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_page_hears_of_every_change_made_after_it_was_shown_and_of_none_before() {
    let (app, admin, member, _) = admin_and("member").await;
    let before = new_contact(&app, &admin, &[("first_name", "Before")]).await;
    let since = since_of(&app, &admin, "/contacts").await;
    assert!(since > 0);

    // Made while the page's script was loading: heard of all the same.
    let early = new_contact(&app, &member, &[("first_name", "Early")]).await;
    let mut events = Events::open(&app, &admin, Some(since)).await;
    assert_eq!(events.changes().await, format!("contact {early} create"));

    // Through the API, as it happens.
    let secret = token(&app, &member, "write").await;
    let created = api(
        &app,
        &secret,
        Method::POST,
        "/contacts",
        Some(json!({"first_name": "Api"})),
        &[],
    )
    .await;
    assert_eq!(created.status(), 201);
    let api_id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(events.changes().await, format!("contact {api_id} create"));
    let deleted = api(
        &app,
        &secret,
        Method::DELETE,
        &format!("/contacts/{before}"),
        None,
        &[],
    )
    .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(events.changes().await, format!("contact {before} delete"));

    // The record pages render the island for their record, the forms too.
    for path in [
        format!("/contacts/{early}"),
        format!("/contacts/{early}/edit"),
    ] {
        let html = app.get_as(&admin, &path).await.text().await.unwrap();
        assert!(
            html.contains(&format!("record&quot;:{early}")),
            "{path} follows its record"
        );
    }
}

#[tokio::test]
async fn a_reconnect_starts_after_the_last_event_it_got() {
    let (app, admin, member, _) = admin_and("viewer").await;
    let since = since_of(&app, &member, "/companies").await;
    let first = new_contact(&app, &admin, &[("first_name", "First")]).await;
    let mut events = Events::open(&app, &member, Some(since)).await;
    let heard = events.next().await.unwrap();
    assert_eq!(heard.data, format!("contact {first} create"));
    drop(events);
    let second = new_contact(&app, &admin, &[("first_name", "Second")]).await;
    // The browser sends the last id it got, whatever its address says.
    let mut events =
        Events::open_with(&app, &member, Some(0), &[("last-event-id", &heard.id)]).await;
    assert_eq!(events.changes().await, format!("contact {second} create"));
    // A position the history has not reached means "from now".
    let mut events = Events::open(&app, &member, Some(i64::MAX)).await;
    let third = new_contact(&app, &admin, &[("first_name", "Third")]).await;
    assert_eq!(events.changes().await, format!("contact {third} create"));
}

#[tokio::test]
async fn only_a_signed_in_session_is_told_and_its_stream_ends_with_it() {
    let (app, admin, member, member_id) = admin_and("member").await;
    let anonymous = cookie_client();
    let refused = Events::request(&app, &anonymous, None, &[]).await;
    assert_eq!(refused.status(), 401);

    // Signed out elsewhere: the stream says so and ends, and cannot be opened again.
    let mut events = Events::open(&app, &member, None).await;
    let out = app.post_form(&member, "/api/auth/logout", &[], &[]).await;
    assert!(out.status().is_success() || out.status().is_redirection());
    let end = events.next().await.expect("a last event");
    assert_eq!(end.name, "end");
    assert!(events.next().await.is_none(), "the stream is closed");
    assert_eq!(
        Events::request(&app, &member, None, &[]).await.status(),
        401
    );

    // Deactivated while following: the same, and nothing said of the change meanwhile.
    let again = cookie_client();
    app.login_as(&again, "vic@example.com", PASSWORD).await;
    let mut events = Events::open(&app, &again, None).await;
    let deactivated = app
        .post_form(
            &admin,
            "/api/admin/users/active",
            &[("user_id", &member_id.to_string()), ("active", "false")],
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(deactivated.status(), 200);
    new_contact(&app, &admin, &[("first_name", "Secret")]).await;
    let end = events.next().await.expect("a last event");
    assert_eq!(end.name, "end", "{end:?}");
}

#[tokio::test]
async fn one_user_follows_in_at_most_sixteen_pages_at_once() {
    let (app, admin, _member, _) = admin_and("member").await;
    let mut open = Vec::new();
    for _ in 0..16 {
        open.push(Events::open(&app, &admin, None).await);
    }
    let refused = Events::request(&app, &admin, None, &[]).await;
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    // A page closed gives its place back.
    drop(open.pop());
    let mut reopened = None;
    for _ in 0..50 {
        let response = Events::request(&app, &admin, None, &[]).await;
        if response.status() == 200 {
            reopened = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "a place was given back");
}

#[tokio::test]
async fn a_stopping_server_ends_its_streams_rather_than_wait_for_them() {
    let (app, admin, _member, _) = admin_and("member").await;
    let mut events = Events::open(&app, &admin, None).await;
    let started = std::time::Instant::now();
    let (result, _dir) = tokio::time::timeout(Duration::from_secs(20), app.stop())
        .await
        .expect("stopped before the grace period (30 s) ran out");
    result.unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(events.next().await.is_none(), "the stream ended");
}

#[tokio::test]
async fn a_change_made_on_another_server_reaches_the_pages_following_this_one() {
    if !on_postgres() {
        return; // servers share a database only on PostgreSQL
    }
    let (app, admin, member, _) = admin_and("member").await;
    let other = another_instance(&app, |_| {}).await;
    let mut events = Events::open(&app, &admin, None).await;
    let elsewhere = cookie_client();
    other
        .login_as(&elsewhere, "vic@example.com", PASSWORD)
        .await;
    let id = new_contact(&other, &elsewhere, &[("first_name", "Remote")]).await;
    assert_eq!(events.changes().await, format!("contact {id} create"));
    drop(member);
}
