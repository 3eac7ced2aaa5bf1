//! Requests first: SQLite has one write lock and its busy handler is not fair — a writer that
//! takes the lock again straight after committing (an import's next batch) can keep every other
//! writer waiting for seconds. So requests in flight are counted, and a background writer waits
//! for a moment with none before each batch (never longer than [`MAX_WAIT`], so that it still
//! moves on under constant load).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// The longest a background batch waits for the requests in flight to finish.
pub const MAX_WAIT: Duration = Duration::from_millis(500);

#[derive(Debug, Default)]
pub struct Turns {
    in_flight: AtomicUsize,
    idle: Notify,
}

/// A request in flight, until dropped.
#[must_use]
pub struct InFlight(Arc<Turns>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl Turns {
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    pub fn request(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(self))
    }

    /// Returns once no request is in flight, or after [`MAX_WAIT`].
    pub async fn background(&self) {
        let deadline = tokio::time::Instant::now() + MAX_WAIT;
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_background_writer_waits_for_requests_but_not_for_ever() {
        let turns = Arc::new(Turns::default());
        let start = tokio::time::Instant::now();
        turns.background().await;
        assert_eq!(start.elapsed(), Duration::ZERO, "no request: no wait");

        let request = turns.request();
        let waiting = tokio::spawn({
            let turns = Arc::clone(&turns);
            async move {
                turns.background().await;
                tokio::time::Instant::now()
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(request);
        let resumed = waiting.await.unwrap();
        assert_eq!(
            resumed - start,
            Duration::from_millis(100),
            "it goes once the request ends"
        );

        let _stuck = turns.request();
        let start = tokio::time::Instant::now();
        turns.background().await;
        assert_eq!(
            start.elapsed(),
            MAX_WAIT,
            "a request that never ends is waited for no longer"
        );
    }
}
