//! What a plain (no-JavaScript) form post left for the page it returned to: its error, the values
//! that were typed, and notes (see `server::http::flash`). The server reads it from the session
//! and renders the page with it. Islands do not see the page's context in the browser, so an
//! island that shows a form's error gets it as a prop ([`failed`], `island_form::IslandAction`).

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_location;

use crate::domain::Flash;
use crate::error::AppError;

/// The flash of the page being shown, if any.
#[derive(Debug, Clone)]
struct PageFlash(Option<Flash>);

/// Provides the flash of this page to the whole app (on the server, which renders it).
pub fn provide_flash() {
    #[cfg(feature = "ssr")]
    let flash = crate::server::context::flash();
    #[cfg(not(feature = "ssr"))]
    let flash = None::<Flash>;
    provide_context(PageFlash(flash));
}

/// The flash, while the page it was left for is shown (not after moving on to another page).
fn current() -> Option<Flash> {
    let flash = use_context::<PageFlash>()?.0?;
    let here = use_location().pathname.get_untracked();
    (here == flash.page).then_some(flash)
}

/// A server action for `S`, holding the error its last plain form post failed with (from the
/// flash, never from the URL). For a form outside an island, rendered on the server only.
pub fn server_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    if let Some(error) = failed::<S>() {
        action.value().set(Some(Err(error)));
    }
    action
}

/// The error the last plain form post to `S` failed with, if it returned to this page. Read on
/// the server and handed to an island as a prop.
pub fn failed<S>() -> Option<AppError>
where
    S: ServerFn<Error = AppError>,
{
    let (path, encoded) = current()?.failed?;
    (path == S::PATH).then(|| ServerFnUrlError::<AppError>::decode_err(&encoded))
}

/// What was typed into the field `name` before a plain form post failed.
pub fn submitted(name: &str) -> Option<String> {
    current().and_then(|flash| flash.value(name).map(str::to_owned))
}

/// A note the server left for this page (see `server::context::leave_notes`).
pub fn note(name: &str) -> Option<String> {
    current().and_then(|flash| flash.note(name).map(str::to_owned))
}
