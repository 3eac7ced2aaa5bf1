//! Live updates on an open page: [`LiveUpdates`], an island that follows `/events` and says when
//! records the page shows have changed ‒ "3 updates … Refresh" on a list, "Someone changed this
//! contact … Reload" on a record's page or form. It never changes what the page shows by itself:
//! a list is refreshed in place when the reader asks (the search box's swap of `#list-results`,
//! so the filters and the place on the page stay), a record page is reloaded, and a form being
//! edited is left as it is. Without JavaScript it renders an empty status region, and nothing
//! changes.

use leptos::prelude::*;

use crate::domain::{RecordKind, Watch};

/// The notice of changes to a kind's list, or to record `record` (in its form when `editing`),
/// made after the change `since` (the history's position when the page was rendered).
#[island]
pub fn LiveUpdates(
    kind: RecordKind,
    record: Option<i64>,
    editing: bool,
    since: i64,
) -> impl IntoView {
    let watch = RwSignal::new(match record {
        Some(id) => Watch::record(kind, id, editing),
        None => Watch::list(kind),
    });
    // "connecting", "open" or "closed": for the curious, and for tests.
    let state = RwSignal::new("connecting");
    #[cfg(feature = "hydrate")]
    browser::follow(watch, state, since);
    #[cfg(not(feature = "hydrate"))]
    let _ = since;
    let on_click = move |_| {
        if watch.with_untracked(Watch::is_list) {
            // Cleared first: a change heard while the list loads is after what it shows.
            watch.update(Watch::clear);
            leptos::task::spawn_local(async move {
                if !super::records::refresh_results().await {
                    super::records::reload();
                }
            });
        } else {
            super::records::reload();
        }
    };
    let button = move || {
        watch.with(|w| match (w.is_list(), editing) {
            (true, _) => "Refresh",
            (false, false) => "Reload",
            (false, true) => "Load their version (drops your typing)",
        })
    };
    view! {
        <div class="live" aria-live="polite" data-live=move || state.get()>
            {move || {
                watch
                    .with(Watch::notice)
                    .map(|text| {
                        view! {
                            <p class="live-notice">
                                <span>{text}</span>
                                " "
                                <button type="button" on:click=on_click>{button}</button>
                            </p>
                        }
                    })
            }}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use crate::domain::Watch;
    use crate::paths;

    /// The page's stream, and where it got to.
    struct Stream {
        source: RefCell<Option<EventSource>>,
        /// The last change heard of: where a new stream starts.
        seen: Cell<i64>,
        /// The session ended: no more streams.
        ended: Cell<bool>,
        watch: RwSignal<Watch>,
        state: RwSignal<&'static str>,
    }

    /// Opens the stream, closes it while the page is hidden (a browser keeps few connections
    /// per site over HTTP/1.1) and opens it again, from where it was, when the page is shown.
    pub fn follow(watch: RwSignal<Watch>, state: RwSignal<&'static str>, since: i64) {
        let stream = Rc::new(Stream {
            source: RefCell::new(None),
            seen: Cell::new(since),
            ended: Cell::new(false),
            watch,
            state,
        });
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        // A tab opened in the background follows once it is first shown.
        if !document.hidden() {
            open(&stream);
        }
        let on_visibility = {
            let stream = Rc::clone(&stream);
            let document = document.clone();
            Closure::<dyn Fn()>::new(move || {
                if document.hidden() {
                    close(&stream, "closed");
                } else if stream.source.borrow().is_none() {
                    open(&stream);
                }
            })
        };
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        // For the page's lifetime.
        on_visibility.forget();
    }

    fn open(stream: &Rc<Stream>) {
        if stream.ended.get() {
            return;
        }
        let url = format!("{}?since={}", paths::EVENTS, stream.seen.get());
        let Ok(source) = EventSource::new(&url) else {
            stream.state.set("closed");
            return;
        };
        let listen = |name: &str, handler: Box<dyn Fn(MessageEvent)>| {
            let handler = Closure::<dyn Fn(MessageEvent)>::new(handler);
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
            // As long as the source: it is closed, never dropped, before the page goes.
            handler.forget();
        };
        let on = Rc::clone(stream);
        listen(
            "ready",
            Box::new(move |event| {
                note_position(&on, &event);
                on.state.set("open");
            }),
        );
        let on = Rc::clone(stream);
        listen(
            "changes",
            Box::new(move |event| {
                note_position(&on, &event);
                if let Some(data) = event.data().as_string() {
                    on.watch.update(|watch| {
                        watch.hear(&data);
                    });
                }
            }),
        );
        let on = Rc::clone(stream);
        listen(
            "end",
            Box::new(move |_| {
                on.ended.set(true);
                close(&on, "closed");
            }),
        );
        // A refused stream (signed out, too many) is closed for good by the browser; a dropped
        // one is reopened by it, from the last event's id.
        let on = Rc::clone(stream);
        let on_error = Closure::<dyn Fn()>::new(move || {
            let closed = on
                .source
                .borrow()
                .as_ref()
                .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
            on.state.set(if closed { "closed" } else { "connecting" });
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        stream.source.replace(Some(source));
    }

    fn note_position(stream: &Stream, event: &MessageEvent) {
        if let Ok(id) = event.last_event_id().parse::<i64>() {
            stream.seen.set(id);
        }
    }

    fn close(stream: &Stream, state: &'static str) {
        if let Some(source) = stream.source.take() {
            source.close();
        }
        stream.state.set(state);
    }
}
