//! Live updates: `GET /events`, a Server-Sent Events stream of the records that change, for the
//! signed-in pages that follow them (`components::live`).
//!
//! The history (`changes`) is the change log: every create, edit, delete and restore, through
//! the pages, the API or an import, writes its row in the change's transaction, whichever
//! instance made it. Each instance reads the new rows twice a second ([`Feed::run`], only while
//! someone listens) and hands them to its streams; so events cross instances through the
//! database, on SQLite and PostgreSQL alike. A stream starts after the change its page was
//! rendered at (`?since=`, or the `Last-Event-ID` of an automatic reconnect), so nothing that
//! happened in between is missed, and a page never hears of the change that led to it.
//!
//! An event carries kinds, ids and actions only (`domain::LiveChange`), and only those its
//! user's role may read. Each stream checks its session every few seconds without renewing it:
//! once the session has ended (signed out, timed out, the user deactivated) the stream says
//! `end` and closes; a changed role closes it, and the browser's reconnect gets the new role.
//!
//! `feed.rs` reads the history and hands out its batches; `stream.rs` is one page's stream;
//! `position.rs` notes where a page starts.

mod feed;
mod position;
mod stream;

pub use feed::Feed;
pub use position::{position, Position};
pub use stream::events;
