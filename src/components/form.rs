//! Form building blocks: labelled fields with their error messages, and the alert for a whole form.

use leptos::prelude::*;

use crate::error::AppError;

/// A labelled input. The error (if any) is shown under it and announced (`role="alert"`), and the
/// input is marked `aria-invalid`. The initial value is a plain `value` attribute, so hydration
/// never overwrites what the user has typed.
#[component]
pub fn Field(
    /// Distinguishes the ids of fields with the same name in different forms on one page.
    form: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("{form}-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    // A password can be shown while typing it: a toggle button, hidden without JavaScript and
    // handled page-wide ([`listen`]), so it works in forms that are not islands.
    let reveal = (kind == "password").then(|| {
        view! {
            <button type="button" class="reveal" aria-controls=id.clone() aria-pressed="false">
                "Show password"
            </button>
        }
    });
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {reveal}
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone() role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// The message for a failed form submission that is not about one field (or a summary when it is).
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            view! {
                <div class="form-alert" role="alert">
                    {error.to_string()}
                </div>
            }
        })
    }
}

/// Sets the HTTP status of a server-rendered page that shows a failed submission (a form posted
/// without JavaScript comes back to its page with the error), so it is not answered with 200.
pub fn set_status_for(error: Option<&AppError>) {
    #[cfg(feature = "ssr")]
    if let (Some(error), Some(response)) = (error, use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(status) = axum::http::StatusCode::from_u16(error.status_code()) {
            response.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// A labelled drop-down list. `options` are `(value, label)`; the one equal to `selected` starts
/// selected (a plain attribute, so hydration keeps what the user picked).
#[component]
pub fn SelectField(
    form: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(into)] selected: String,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("{form}-{name}");
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            >
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = value == selected;
                        view! {
                            <option value=value selected=is_selected>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldError id=error_id error />
        </div>
    }
}

/// Text for an element whose content the server renderer writes unescaped (`<title>`,
/// `<textarea>`): escaped on the server, where the HTML is written; as is in the browser, where it
/// is set as text. Without this, a note containing `</textarea><script>` would be markup.
pub fn server_escaped(text: String) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        text
    }
}

/// A labelled multi-line text box; the initial text is its content (never overwritten by
/// hydration).
#[component]
pub fn TextAreaField(
    form: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(into)] value: String,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    let id = format!("{form}-{name}");
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            >
                {server_escaped(value)}
            </textarea>
            <FieldError id=error_id error />
        </div>
    }
}

/// The message under a field, announced when it appears.
#[component]
fn FieldError(id: String, error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" id=id.clone() role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// What [`IdempotencyField`] needs of a form's action: whether its last submission succeeded.
pub trait Succeeded: Copy + Send + Sync + 'static {
    /// Whether the last submission succeeded (tracked).
    fn succeeded(&self) -> bool;
}

impl<S> Succeeded for ServerAction<S>
where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    fn succeeded(&self) -> bool {
        self.value().with(|v| matches!(v, Some(Ok(_))))
    }
}

/// The hidden idempotency key of a mutating form (`server::idempotency`): a repeat of the same
/// submission (a double click, a replay, a resubmit) has the same key, and the server does the
/// work once. After the action succeeds the key is spent, so the form's next submission (when it
/// stays on the page) gets a fresh one.
#[component]
pub fn IdempotencyField<A: Succeeded>(action: A) -> impl IntoView {
    let key = RwSignal::new(new_idempotency_key());
    Effect::new(move |_| {
        if action.succeeded() {
            key.set(new_idempotency_key());
        }
    });
    view! { <input type="hidden" name="idempotency_key" value=move || key.get() /> }
}

/// A fresh random key: a v4 UUID from the server's generator or the browser's `crypto`.
fn new_idempotency_key() -> String {
    #[cfg(feature = "ssr")]
    {
        uuid::Uuid::new_v4().to_string()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.crypto().ok())
            .map(|c| c.random_uuid())
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        String::new()
    }
}

/// Page-wide behaviour of the controls rendered outside islands, set up once per page: the "Show
/// password" buttons ([`Field`]) turn their input between hidden and shown text.
#[cfg(feature = "hydrate")]
pub fn listen() {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("button.reveal").ok().flatten())
        else {
            return;
        };
        let input = button
            .get_attribute("aria-controls")
            .and_then(|id| button.owner_document()?.get_element_by_id(&id))
            .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            let show = input.type_() == "password";
            input.set_type(if show { "text" } else { "password" });
            let _ = button.set_attribute("aria-pressed", if show { "true" } else { "false" });
        }
    });
    let _ = document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
}

/// The submission state of a form in an island ([`IslandForm`]): its last result and whether a
/// submission is under way. One type for every island form, unlike `ServerAction<S>`: the
/// browser code is not repeated per server function (see bench/README.md, the WASM bundle).
#[derive(Clone, Copy)]
pub struct IslandAction {
    value: RwSignal<Option<Result<(), AppError>>>,
    pending: RwSignal<u32>,
}

impl IslandAction {
    /// A new action that starts with the error `failed` (`flash::failed`): the error of a plain
    /// form post that returned to this page.
    pub fn new(failed: Option<AppError>) -> Self {
        Self {
            value: RwSignal::new(failed.map(Err)),
            pending: RwSignal::new(0),
        }
    }

    /// The result of the last submission, if any.
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
/// the same way (URL-encoded), the result lands in `action`, and a redirect the server asks for
/// is followed. Unlike `ActionForm` nothing here is generic over the server function: the fields
/// go to the server as they are, not through the function's argument type and back.
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
        submit::start(path, action, &ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = (path, action);
    };
    view! {
        <form action=path method="post" class=class on:submit=on_submit>
            {children()}
        </form>
    }
}

/// The browser side of [`IslandForm`] and [`call_json`]: what server_fn's client does for a
/// `PostUrl` / JSON server function, without its per-function code.
#[cfg(feature = "hydrate")]
pub use submit::call_json;

#[cfg(feature = "hydrate")]
mod submit {
    use leptos::prelude::*;
    use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    use super::IslandAction;
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
        action.pending.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            let result = post(path, body).await.map(|_| ());
            action.pending.update(|n| *n = n.saturating_sub(1));
            action.value.set(Some(result));
        });
    }

    fn request_error(detail: impl Into<String>) -> AppError {
        AppError::from_server_fn_error(ServerFnErrorErr::Request(detail.into()))
    }

    /// Calls the server function at `path` (its `PATH`) that takes no arguments and answers in
    /// JSON, as server_fn's client would: the one caller (the workspace card) does not bring in
    /// that client's code.
    pub async fn call_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, AppError> {
        let text = post(path, String::new()).await?;
        // From a `&str`, as the islands' props are read: the same decoding code serves both.
        leptos::serde_json::from_str(&text).map_err(|e| deserialization(e.to_string()))
    }

    fn deserialization(detail: String) -> AppError {
        AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(detail))
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
                .map_err(|e| request_error(format!("{e:?}")))?
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
            // The error as server_fn's `FromServerFnError::de` reads it, but decoded as the
            // `Option<AppError>` the island forms get as a prop (`failed`), from a `&str` as the
            // props are: the bundle then holds that decoding once, not twice.
            return Err(
                match leptos::serde_json::from_str::<Option<AppError>>(&text) {
                    Ok(Some(error)) => error,
                    Ok(None) => deserialization("null".into()),
                    Err(e) => deserialization(e.to_string()),
                },
            );
        }
        let redirect = headers
            .get(leptos::server_fn::redirect::REDIRECT_HEADER)
            .ok()
            .flatten()
            .is_some();
        if (300..=399).contains(&status) || redirect {
            let location = headers
                .get("Location")
                .ok()
                .flatten()
                .unwrap_or_else(|| response.url());
            let _ = window.location().set_href(&location);
        }
        Ok(text)
    }
}
