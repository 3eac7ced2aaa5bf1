//! `GET /events`: one page's stream of the changes after its position.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use super::feed::{Batch, Ticket, BATCH};
use crate::domain::{LiveChange, LIVE_MORE};
use crate::server::auth::session::{now, Auth, SessionSettings};
use crate::server::db::{CurrentUser, Db};
use crate::server::startup::AppState;

/// How often a quiet stream looks at its session (one about to send always does).
const CHECK_EVERY: Duration = Duration::from_secs(5);
/// How long a browser waits before reconnecting.
const RETRY: Duration = Duration::from_secs(2);

#[derive(Debug, Default, Deserialize)]
pub struct Since {
    /// The change the page was rendered at.
    since: Option<String>,
}

/// `GET /events`: the changes after the page's, as they happen, for the signed-in user.
pub async fn events(
    State(state): State<AppState>,
    Extension(Auth(user)): Extension<Auth>,
    Query(query): Query<Since>,
    headers: HeaderMap,
) -> Response {
    let Some(user) = user else {
        return (StatusCode::UNAUTHORIZED, "Sign in to follow changes.\n").into_response();
    };
    let Some(ticket) = state.live.admit(user.id) else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "30")],
            "Too many pages are following changes.\n",
        )
            .into_response();
    };
    // Listen before reading the history, so that nothing falls between the two.
    let changes = state.live.subscribe();
    let last = match state.db.last_change().await {
        Ok(last) => last,
        Err(error) => {
            tracing::warn!(%error, "cannot open a live updates stream");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    // The reconnect's position wins over the page's; one the history has not reached (another
    // database, a restored backup) or none means "from now".
    let asked = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(query.since.as_deref())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|&since| (0..=last).contains(&since));
    let follow = Follow {
        db: state.db.clone(),
        sessions: state.sessions,
        changes,
        stopping: state.live.stopping(),
        seen: asked.unwrap_or(last),
        catch_up: asked.is_some_and(|since| since < last),
        checked: Instant::now(),
        ended: false,
        greeted: false,
        user,
        _ticket: ticket,
    };
    let stream = futures_util::stream::unfold(follow, |mut follow| async move {
        let event = follow.next().await?;
        Some((Ok::<_, Infallible>(event), follow))
    });
    (
        // Sent as it comes: no proxy buffering (nginx), no cache.
        [
            (header::CACHE_CONTROL, "no-cache"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))),
    )
        .into_response()
}

/// One open stream.
struct Follow {
    db: Db,
    sessions: SessionSettings,
    changes: broadcast::Receiver<Arc<Batch>>,
    stopping: watch::Receiver<bool>,
    /// The last change this stream has passed on (or skipped).
    seen: i64,
    /// Whether changes after `seen` happened before the stream opened.
    catch_up: bool,
    checked: Instant,
    ended: bool,
    greeted: bool,
    user: CurrentUser,
    _ticket: Ticket,
}

/// What a look at the stream's session found.
enum Session {
    Fresh,
    Ended,
    NewRole,
    /// The store did not answer.
    Unknown,
}

impl Follow {
    /// The stream's next event; `None` closes it.
    async fn next(&mut self) -> Option<Event> {
        if self.ended {
            return None;
        }
        if !self.greeted {
            // Where the stream starts, and how soon to reconnect.
            self.greeted = true;
            return Some(
                Event::default()
                    .event("ready")
                    .id(self.seen.to_string())
                    .retry(RETRY)
                    .data(self.seen.to_string()),
            );
        }
        loop {
            if std::mem::take(&mut self.catch_up) {
                if let Some(event) = self.read_missed().await {
                    return Some(event);
                }
                continue;
            }
            enum Woken {
                Stopping,
                Check,
                Batch(Result<Arc<Batch>, broadcast::error::RecvError>),
            }
            let woken = tokio::select! {
                _ = self.stopping.wait_for(|stop| *stop) => Woken::Stopping,
                () = tokio::time::sleep_until(self.checked + CHECK_EVERY) => Woken::Check,
                batch = self.changes.recv() => Woken::Batch(batch),
            };
            let batch = match woken {
                Woken::Stopping => return None,
                Woken::Check => match self.check().await {
                    Session::Fresh | Session::Unknown => continue,
                    Session::Ended => return self.end(),
                    Session::NewRole => return None,
                },
                Woken::Batch(Ok(batch)) => batch,
                // Fell behind the feed: read what was missed from the history.
                Woken::Batch(Err(broadcast::error::RecvError::Lagged(_))) => {
                    self.catch_up = true;
                    continue;
                }
                Woken::Batch(Err(broadcast::error::RecvError::Closed)) => return None,
            };
            let fresh: Vec<LiveChange> = batch
                .0
                .iter()
                .filter(|change| change.id > self.seen)
                .copied()
                .collect();
            let Some(last) = fresh.last() else {
                continue;
            };
            self.seen = last.id;
            if let Err(last) = self.may_tell().await {
                return last;
            }
            if let Some(event) = self.event(&fresh, false) {
                return Some(event);
            }
        }
    }

    /// Whether the session may still be told of changes: nothing is told to one that has
    /// ended, however recently. Else the stream's last event, if any.
    async fn may_tell(&mut self) -> Result<(), Option<Event>> {
        match self.check().await {
            Session::Fresh => Ok(()),
            Session::Ended => Err(self.end()),
            // Closed: the browser reconnects from the last event it got, and the new stream
            // reads these changes again (with the new role, or once the store answers).
            Session::NewRole | Session::Unknown => Err(None),
        }
    }

    /// The changes after `seen` read from the history, up to a batch (and "more" if there are).
    async fn read_missed(&mut self) -> Option<Event> {
        if let Err(last) = self.may_tell().await {
            // (`None` here would only skip the catch-up: close the stream instead.)
            self.ended = true;
            return last.or_else(|| Some(Event::default().comment("closing")));
        }
        let changes = match self.db.changes_after(self.seen, BATCH + 1).await {
            Ok(changes) => changes,
            Err(error) => {
                // Closed: the browser reconnects from its last event and reads them then.
                tracing::debug!(%error, "cannot read the changes a stream missed");
                self.ended = true;
                return Some(Event::default().comment("closing"));
            }
        };
        let more = changes.len() as i64 > BATCH;
        let changes = &changes[..changes.len().min(BATCH as usize)];
        if more {
            // Past what one event says: from the end of the history on.
            self.seen = self.db.last_change().await.unwrap_or(self.seen);
        } else if let Some(last) = changes.last() {
            self.seen = last.id;
        }
        self.event(changes, more)
    }

    /// The event saying `changes` (those the user may hear of), if any.
    fn event(&self, changes: &[LiveChange], more: bool) -> Option<Event> {
        let mut lines: Vec<String> = changes
            .iter()
            .filter(|change| change.visible_to(self.user.role))
            .map(LiveChange::line)
            .collect();
        if more {
            lines.push(LIVE_MORE.to_owned());
        }
        (!lines.is_empty()).then(|| {
            Event::default()
                .event("changes")
                .id(self.seen.to_string())
                .data(lines.join("\n"))
        })
    }

    async fn check(&mut self) -> Session {
        self.checked = Instant::now();
        let sessions = &self.sessions;
        match self
            .db
            .session_role(
                &self.user.session_id,
                now(),
                sessions.idle_secs(),
                sessions.absolute_secs(),
            )
            .await
        {
            Ok(Some(role)) if role == self.user.role => Session::Fresh,
            Ok(Some(_)) => Session::NewRole,
            Ok(None) => Session::Ended,
            Err(error) => {
                tracing::debug!(%error, "cannot check a live updates stream's session");
                Session::Unknown
            }
        }
    }

    /// The last event: the session has ended (the browser does not reconnect after it).
    fn end(&mut self) -> Option<Event> {
        self.ended = true;
        Some(Event::default().event("end").data("signed out"))
    }
}
