//! The frame of every record kind's form (an island's content): its state after a failed save
//! ([`RecordFormState`]) and [`RecordFormFrame`] around the kind's fields — the exactly-once key,
//! the general error, the stale-edit comparison, the id and version, "Save" and "Cancel".

use leptos::prelude::*;

use crate::components::form::{
    field_error, general_error, set_status_for, typed_or, FormAlert, IdempotencyField,
};
use crate::components::island_form::{IslandAction, IslandForm};
use crate::components::records::StaleEditNotice;
use crate::error::AppError;

/// A record form's save and what its last attempt said.
#[derive(Clone, Copy)]
pub struct RecordFormState {
    pub save: IslandAction,
    pub error: Signal<Option<AppError>>,
    /// The error the page was rendered with (a plain post that came back), whose values the
    /// fields start with.
    submitted: StoredValue<Option<AppError>>,
}

impl RecordFormState {
    /// `failed` is the error of a plain form post that returned here (`flash::failed`); the
    /// page's status follows it.
    pub fn new(failed: Option<AppError>) -> Self {
        let save = IslandAction::new(failed);
        let error = Signal::derive(move || save.value().get().and_then(Result::err));
        let submitted = error.get_untracked();
        set_status_for(submitted.as_ref());
        RecordFormState {
            save,
            error,
            submitted: StoredValue::new(submitted),
        }
    }

    /// What field `name` starts with: what the user typed before a failed plain post, else
    /// `fallback` (the record's value).
    pub fn value(&self, name: &str, fallback: &str) -> String {
        self.submitted
            .with_value(|e| typed_or(e.as_ref(), name, fallback))
    }

    /// The error of field `name`, as it changes.
    pub fn field(&self, name: &'static str) -> Signal<Option<String>> {
        field_error(self.error, name)
    }
}

/// The form around a record kind's fields. `path` is its save server function's, `labels` the
/// kind's field names and labels (for the stale-edit comparison).
#[component]
pub fn RecordFormFrame(
    state: RecordFormState,
    path: &'static str,
    id: Option<i64>,
    version: i64,
    labels: &'static [(&'static str, &'static str)],
    cancel: String,
    children: Children,
) -> impl IntoView {
    let RecordFormState { save, error, .. } = state;
    // After a stale save, the form carries the record's current version: saving again keeps
    // the user's values, knowingly.
    let version = move || match error.get() {
        Some(AppError::StaleEdit(stale)) => stale.version,
        _ => version,
    };
    let general = general_error(error);
    view! {
        <IslandForm path action=save class="record-form">
            <IdempotencyField action=save />
            <FormAlert error=general />
            <StaleEditNotice error labels />
            <input type="hidden" name="id" value=id.map(|id| id.to_string()).unwrap_or_default() />
            <input type="hidden" name="version" value=version />
            {children()}
            <div class="actions">
                <button type="submit" class="primary" aria-busy=move || save.pending().get().then_some("true")>"Save"</button>
                <a href=cancel>"Cancel"</a>
            </div>
        </IslandForm>
    }
}
