//! An instance's feed: reads the history's new rows while someone listens and hands them to the
//! open streams, and counts the streams against their limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use crate::domain::LiveChange;
use crate::server::db::Db;

/// How often an instance looks for new changes while someone listens.
const POLL: Duration = Duration::from_millis(500);
/// Changes read at a time, and the most one event carries.
pub(super) const BATCH: i64 = 500;
/// Batches read in one look, at most (then the next look goes on).
const BATCHES_PER_POLL: usize = 8;
/// Streams an instance serves at once, and per user (tabs, browsers).
const MAX_STREAMS: usize = 1_000;
const MAX_STREAMS_PER_USER: usize = 16;

/// The changes one look found, in order.
pub(super) struct Batch(pub(super) Vec<LiveChange>);

/// An instance's live updates: the streams open and the changes handed to them.
pub struct Feed {
    sender: broadcast::Sender<Arc<Batch>>,
    open: Mutex<Open>,
    stopping: watch::Sender<bool>,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("listeners", &self.sender.receiver_count())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Open {
    total: usize,
    by_user: HashMap<i64, usize>,
}

impl Feed {
    pub fn new() -> Arc<Self> {
        Arc::new(Feed {
            sender: broadcast::channel(64).0,
            open: Mutex::new(Open::default()),
            stopping: watch::channel(false).0,
        })
    }

    /// Reads the changes made after those seen and hands them to the open streams, until
    /// [`Feed::stop`]. While no stream is open it only notes where the history ends.
    pub async fn run(self: Arc<Self>, db: Db) {
        let mut stopping = self.stopping.subscribe();
        // Unknown until the store first answers (never "from the start of the history").
        let mut seen = None;
        let mut every = tokio::time::interval(POLL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = stopping.wait_for(|stop| *stop) => return,
            }
            if let Err(error) = self.look(&db, &mut seen).await {
                tracing::debug!(%error, "cannot read the changes for live updates");
            }
        }
    }

    async fn look(&self, db: &Db, seen: &mut Option<i64>) -> Result<(), sqlx::Error> {
        let Some(seen) = seen else {
            *seen = Some(db.last_change().await?);
            return Ok(());
        };
        if self.sender.receiver_count() == 0 {
            // Read first, then look for listeners: a stream opened after this read has read
            // everything up to here itself (see `events`).
            let last = db.last_change().await?;
            if self.sender.receiver_count() == 0 {
                *seen = last;
                return Ok(());
            }
        }
        for _ in 0..BATCHES_PER_POLL {
            let changes = db.changes_after(*seen, BATCH).await?;
            let Some(last) = changes.last() else {
                break;
            };
            *seen = last.id;
            let full = changes.len() as i64 == BATCH;
            // No stream left is no error: the next look notes where the history ends.
            let _ = self.sender.send(Arc::new(Batch(changes)));
            if !full {
                break;
            }
        }
        Ok(())
    }

    /// Ends every stream (the server is stopping) and the reading.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// The batches read from now on.
    pub(super) fn subscribe(&self) -> broadcast::Receiver<Arc<Batch>> {
        self.sender.subscribe()
    }

    /// Whether the server is stopping.
    pub(super) fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// A place for one more stream of `user`, unless too many are open.
    pub(super) fn admit(self: &Arc<Self>, user: i64) -> Option<Ticket> {
        let mut open = self.open.lock().ok()?;
        let mine = open.by_user.get(&user).copied().unwrap_or(0);
        if open.total >= MAX_STREAMS || mine >= MAX_STREAMS_PER_USER {
            return None;
        }
        open.total += 1;
        open.by_user.insert(user, mine + 1);
        Some(Ticket {
            feed: Arc::clone(self),
            user,
        })
    }
}

/// A stream's place, given back when the stream ends.
pub(super) struct Ticket {
    feed: Arc<Feed>,
    user: i64,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Ok(mut open) = self.feed.open.lock() {
            open.total = open.total.saturating_sub(1);
            if let Some(mine) = open.by_user.get_mut(&self.user) {
                *mine -= 1;
                if *mine == 0 {
                    open.by_user.remove(&self.user);
                }
            }
        }
    }
}
