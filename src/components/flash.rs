//! What a plain (no-JavaScript) form post left for the page it returned to: its error, the values
//! that were typed, and notes (see `server::http::flash`). The server reads it from the session
//! and shares it with the browser in the page, so hydration sees the same.

use leptos::prelude::*;
use leptos::server::SharedValue;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_location;

use crate::domain::Flash;
use crate::error::AppError;

/// The flash of the page being shown, if any.
#[derive(Debug, Clone)]
struct PageFlash(Option<Flash>);

/// Provides the flash of this page to the whole app.
pub fn provide_flash() {
    let flash = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            crate::server::context::flash()
        }
        #[cfg(not(feature = "ssr"))]
        {
            None::<Flash>
        }
    })
    .into_inner();
    provide_context(PageFlash(flash));
}

/// The flash, while the page it was left for is shown (not after moving on to another page).
fn current() -> Option<Flash> {
    let flash = use_context::<PageFlash>()?.0?;
    let here = use_location().pathname.get_untracked();
    (here == flash.page).then_some(flash)
}

/// A server action for `S`, holding the error its last plain form post failed with (from the
/// flash, never from the URL).
pub fn server_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    if let Some((path, encoded)) = current().and_then(|flash| flash.failed) {
        if path == S::PATH {
            let error = ServerFnUrlError::<AppError>::decode_err(&encoded);
            action.value().set(Some(Err(error)));
        }
    }
    action
}

/// What was typed into the field `name` before a plain form post failed.
pub fn submitted(name: &str) -> Option<String> {
    current().and_then(|flash| flash.value(name).map(str::to_owned))
}

/// A note the server left for this page (see `server::context::leave_notes`).
pub fn note(name: &str) -> Option<String> {
    current().and_then(|flash| flash.note(name).map(str::to_owned))
}
