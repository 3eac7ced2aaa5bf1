//! The live updates a signed-in page offers: [`LiveList`] and [`LiveRecord`] render the
//! `LiveUpdates` island with the history's position at render time, so the stream starts right
//! after what the page shows.

use leptos::prelude::*;

use crate::components::live::LiveUpdates;
use crate::domain::RecordKind;
use crate::error::AppError;

/// Where a page's live updates start: the history's position when its request arrived (read
/// before the page's data, `server::live::position`), else the newest change now.
#[server(endpoint = "live/since")]
pub async fn live_since() -> Result<i64, AppError> {
    use crate::server::{context, live::Position};
    let noted = context::request_extension::<Position>();
    if let Some(Position(at)) = noted {
        // A page being rendered: without a position it just does not follow (its status stays).
        context::require_user()?;
        return at.ok_or_else(|| AppError::Unavailable("Try again in a few seconds.".into()));
    }
    let result: Result<_, AppError> = async {
        context::require_user()?;
        Ok(context::db()?.last_change().await?)
    }
    .await;
    context::respond(result)
}

/// The notice of changes to `kind`'s records, on its list.
#[component]
pub fn LiveList(kind: RecordKind) -> impl IntoView {
    live(kind, None, false)
}

/// The notice of changes to the record `id` of `kind` (none without an id: the page says it was
/// not found), on its page or, `editing`, its form.
#[component]
pub fn LiveRecord(
    kind: RecordKind,
    id: Option<i64>,
    #[prop(optional)] editing: bool,
) -> impl IntoView {
    id.map(|id| live(kind, Some(id), editing))
}

/// Its own step of the page: beside the page's `Suspend`, never inside one.
fn live(kind: RecordKind, record: Option<i64>, editing: bool) -> impl IntoView {
    let since = Resource::new(|| (), |()| live_since());
    move || {
        Suspend::new(async move {
            // Without a position (the store did not answer) the page simply does not follow.
            since
                .await
                .ok()
                .map(|since| view! { <LiveUpdates kind record editing since /> })
        })
    }
}
