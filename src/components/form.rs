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

/// The message of field `name` in a form's last error, as it changes.
pub fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field(name)))
}

/// A form's alert: its last error unless that is shown elsewhere (field errors beside their
/// fields, a stale edit in its comparison).
pub fn general_error(error: Signal<Option<AppError>>) -> Signal<Option<AppError>> {
    Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Validation(_) | AppError::StaleEdit(_)))
    })
}

/// What field `name` of a form starts with: what was typed before the plain post that `failed`,
/// else `fallback` (the record's value, or empty).
pub fn typed_or(failed: Option<&AppError>, name: &str, fallback: &str) -> String {
    failed
        .and_then(|e| e.value(name))
        .unwrap_or_else(|| fallback.to_owned())
}

/// Sets the HTTP status of a server-rendered page that shows a failed submission (a form posted
/// without JavaScript comes back to its page with the error), so it is not answered with 200.
pub fn set_status_for(error: Option<&AppError>) {
    #[cfg(feature = "ssr")]
    if let Some(error) = error {
        crate::server::context::set_status(error);
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
