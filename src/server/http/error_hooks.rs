//! Keeps each request's page errors in its own page.
//!
//! Leptos routes an error rendered inside an `<ErrorBoundary>` to the boundary through a
//! thread-local "error hook", and its server rendering sets that hook and then holds it across an
//! `.await` (leptos 0.8 `error_boundary.rs`, the boundary waiting for its suspended children). On a
//! multi-threaded runtime the hook is then still set when the worker thread polls another request,
//! whose errors land in the first request's boundary: a list page answered "Not found" because a
//! request for a deleted contact was rendered alongside it (seen by `make soak`). This middleware
//! gives every request its own hook slot: whatever hook a request's rendering leaves set when it
//! yields is put aside with that request and set again when it is polled next, and the thread gets
//! back the hook it had before.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::error::{get_error_hook, set_error_hook, Error, ErrorHook, ErrorId};

/// Middleware: runs the rest of the request with its own error hook slot.
pub async fn isolate(request: Request, next: Next) -> Response {
    OwnHook {
        hook: None,
        inner: Box::pin(next.run(request)),
    }
    .await
}

/// The hook of a request that has none yet: errors go nowhere, as without any hook.
struct NoHook;

impl ErrorHook for NoHook {
    fn throw(&self, _: Error) -> ErrorId {
        ErrorId::default()
    }

    fn clear(&self, _: &ErrorId) {}
}

struct OwnHook<F> {
    /// The hook this request's rendering had set when it last yielded.
    hook: Option<Arc<dyn ErrorHook>>,
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for OwnHook<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mine = self.hook.take().unwrap_or_else(|| Arc::new(NoHook));
        // Restores the thread's own hook when dropped, after this poll.
        let thread = set_error_hook(mine);
        let polled = self.inner.as_mut().poll(cx);
        self.hook = get_error_hook();
        drop(thread);
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl ErrorHook for Counting {
        fn throw(&self, _: Error) -> ErrorId {
            self.0.fetch_add(1, Ordering::SeqCst);
            ErrorId::default()
        }

        fn clear(&self, _: &ErrorId) {}
    }

    #[derive(Debug)]
    struct Oops;

    impl std::fmt::Display for Oops {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("oops")
        }
    }

    impl std::error::Error for Oops {}

    #[tokio::test(flavor = "current_thread")]
    async fn a_hook_held_across_an_await_stays_with_its_request() {
        let first = Arc::new(Counting::default());
        let second = Arc::new(Counting::default());
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        // Like the boundary: sets its hook, then waits with it held.
        let holder = {
            let first = first.clone();
            tokio::spawn(OwnHook {
                hook: None,
                inner: Box::pin(async move {
                    let _held = set_error_hook(first);
                    let _ = released.await;
                }),
            })
        };
        tokio::task::yield_now().await;
        // Another request, on the same thread meanwhile, throws without a hook of its own.
        OwnHook {
            hook: None,
            inner: Box::pin(async {
                leptos::error::throw(Oops);
            }),
        }
        .await;
        let _ = release.send(());
        holder.await.unwrap();
        assert_eq!(
            first.0.load(Ordering::SeqCst),
            0,
            "leaked into the other request"
        );
        // And a request's own hook still gets its own errors.
        OwnHook {
            hook: None,
            inner: Box::pin(async {
                let _own = set_error_hook(second.clone());
                tokio::task::yield_now().await;
                leptos::error::throw(Oops);
            }),
        }
        .await;
        assert_eq!(second.0.load(Ordering::SeqCst), 1);
    }
}
