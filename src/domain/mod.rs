//! Domain types shared by both targets: they compile for the server and for the WASM bundle.
//!
//! Types here carry no I/O. Values that have rules (e-mail addresses, names, ...) are newtypes whose
//! only constructor is a `parse` that checks the rules, so holding one proves it is valid.

mod account;
mod users;
mod workspace;

pub use account::{Email, PersonName, Role, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
pub use users::{ago, describe_user_agent, RegistrationInfo, SessionView, UserView};
pub use workspace::WorkspaceSummary;
