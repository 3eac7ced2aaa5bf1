//! Forms inside islands: [`IslandForm`] posts to a server function and [`IslandAction`] holds the
//! outcome, one non-generic submit path for every island form. `ActionForm` and `ServerAction<S>`
//! compile the browser-side client once per server function, about 30 KB brotli of the WASM for
//! three forms (bench/README.md, section 4). [`call_json`] calls a server function without a form.
//!
//! The wire format is server_fn's own, so the server functions do not know the difference: the
//! form's fields URL-encoded (`PostUrl`), `Accept: application/json`, an error answered as the
//! JSON of [`AppError`] with a 4xx/5xx status ([`decode_error`]), and a redirect asked for with
//! the `serverfnredirect` header and `Location` ([`redirect_target`]).

use leptos::prelude::*;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

use super::form::Succeeded;
use crate::error::AppError;

/// The submission state of a form in an island ([`IslandForm`]): the outcome of its latest
/// submission and whether one is under way.
#[derive(Clone, Copy)]
pub struct IslandAction {
    value: RwSignal<Option<Result<(), AppError>>>,
    pending: RwSignal<u32>,
    /// Counts submissions: an answer to an older one never replaces a newer one's.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    latest: RwSignal<u32>,
}

impl IslandAction {
    /// A new action that starts with the error `failed` (`flash::failed`): the error of a plain
    /// form post that returned to this page.
    pub fn new(failed: Option<AppError>) -> Self {
        Self {
            value: RwSignal::new(failed.map(Err)),
            pending: RwSignal::new(0),
            latest: RwSignal::new(0),
        }
    }

    /// The outcome of the latest submission, if any.
    pub fn value(&self) -> RwSignal<Option<Result<(), AppError>>> {
        self.value
    }

    /// Whether a submission is under way (tracked).
    pub fn pending(&self) -> Signal<bool> {
        let pending = self.pending;
        Signal::derive(move || pending.get() > 0)
    }
}

impl Succeeded for IslandAction {
    fn succeeded(&self) -> bool {
        self.value.with(|v| matches!(v, Some(Ok(_))))
    }
}

/// The form of an island that posts to the server function at `path` (its `PATH`), as
/// `ActionForm` does: without JavaScript a plain form post; with it, the form's fields are sent
/// the same way (URL-encoded), the outcome lands in `action`, and a redirect the server asks for
/// is followed. Nothing here is generic over the server function: the fields go to the server
/// as they are, not through the function's argument type and back.
#[component]
pub fn IslandForm(
    path: &'static str,
    action: IslandAction,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        browser::start(path, action, &ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = (path, action);
    };
    view! {
        <form action=path method="post" class=class on:submit=on_submit>
            {children()}
        </form>
    }
}

/// The error in a server function's 4xx/5xx answer: the JSON of an [`AppError`], read as the
/// `Option<AppError>` the island forms get as a prop (from a `&str`, as the props are: the bundle
/// holds that decoding once). Anything else (a plain-text refusal from a middleware, say) is a
/// bad answer, not a crash.
pub fn decode_error(text: &str) -> AppError {
    match leptos::serde_json::from_str::<Option<AppError>>(text) {
        Ok(Some(error)) => error,
        Ok(None) => deserialization("null".into()),
        Err(e) => deserialization(e.to_string()),
    }
}

/// Where a successful answer sends the browser: a redirect status, or the `serverfnredirect`
/// header, go to its `Location` (else the address the answer came from); otherwise nowhere.
pub fn redirect_target(
    status: u16,
    redirect_header: bool,
    location: Option<String>,
    url: String,
) -> Option<String> {
    ((300..=399).contains(&status) || redirect_header).then(|| location.unwrap_or(url))
}

fn deserialization(detail: String) -> AppError {
    AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(detail))
}

#[cfg(feature = "hydrate")]
pub use browser::call_json;

/// The browser side: what server_fn's client does for a `PostUrl` / JSON server function.
#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    use super::{decode_error, deserialization, redirect_target, IslandAction};
    use crate::error::AppError;

    pub fn start(path: &'static str, action: IslandAction, ev: &leptos::ev::SubmitEvent) {
        let body = leptos::form::form_data_from_event(ev)
            .ok()
            .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok())
            .and_then(|params| params.to_string().as_string());
        let Some(body) = body else {
            action.value.set(Some(Err(AppError::from_server_fn_error(
                ServerFnErrorErr::Serialization("the form's fields could not be read".into()),
            ))));
            return;
        };
        let this = action.latest.get_untracked() + 1;
        action.latest.set(this);
        action.pending.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            let result = post(path, body).await.map(|_| ());
            action.pending.update(|n| *n = n.saturating_sub(1));
            if action.latest.get_untracked() == this {
                action.value.set(Some(result));
            }
        });
    }

    fn request_error(detail: impl Into<String>) -> AppError {
        AppError::from_server_fn_error(ServerFnErrorErr::Request(detail.into()))
    }

    /// Calls the server function at `path` (its `PATH`) that takes no arguments and answers in
    /// JSON, as server_fn's client would, without bringing that client's code in.
    pub async fn call_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, AppError> {
        let text = post(path, String::new()).await?;
        // From a `&str`, as the islands' props are read: the same decoding code serves both.
        leptos::serde_json::from_str(&text).map_err(|e| deserialization(e.to_string()))
    }

    /// Posts `body` (URL-encoded) to `path` and returns the answer's text, or the error it
    /// carries; follows a redirect the server asks for.
    async fn post(path: &str, body: String) -> Result<String, AppError> {
        let window = web_sys::window().ok_or_else(|| request_error("no window"))?;
        let headers = web_sys::Headers::new().map_err(|_| request_error("headers"))?;
        let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
        let _ = headers.set("Accept", "application/json");
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&body.into());
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(path, &init))
                .await
                .map_err(|_| request_error("no answer (check your connection)"))?
                .unchecked_into();
        let status = response.status();
        let headers = response.headers();
        let text = match response.text() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        if (400..=599).contains(&status) {
            return Err(decode_error(&text));
        }
        let redirect = headers
            .get(leptos::server_fn::redirect::REDIRECT_HEADER)
            .ok()
            .flatten()
            .is_some();
        let location = headers.get("Location").ok().flatten();
        if let Some(target) = redirect_target(status, redirect, location, response.url()) {
            let _ = window.location().set_href(&target);
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldErrors;

    #[test]
    fn errors_come_back_as_the_server_sent_them() {
        let mut fields = FieldErrors::default();
        fields.add("email", "Enter a valid e-mail address.");
        for error in [
            AppError::Validation(fields),
            AppError::TooManyAttempts { minutes: 15 },
            AppError::NotFound,
            AppError::Forbidden,
            AppError::Unavailable("Try again in a few seconds.".into()),
        ] {
            let sent = error.ser();
            assert_eq!(decode_error(std::str::from_utf8(&sent).unwrap()), error);
        }
    }

    #[test]
    fn an_answer_that_is_not_an_error_is_a_bad_answer_not_a_panic() {
        for text in ["Cross-site request refused.", "null", "", "{\"what\": 1}"] {
            let error = decode_error(text);
            assert!(!error.to_string().is_empty(), "{text}");
        }
    }

    #[test]
    fn redirects_go_where_the_server_says() {
        let here = "http://localhost/contacts/new".to_string();
        let saved = Some("/contacts/7?saved=1".to_string());
        assert_eq!(
            redirect_target(200, true, saved.clone(), here.clone()).as_deref(),
            Some("/contacts/7?saved=1")
        );
        assert_eq!(
            redirect_target(302, false, None, here.clone()),
            Some(here.clone())
        );
        assert_eq!(redirect_target(200, false, saved, here.clone()), None);
    }
}
