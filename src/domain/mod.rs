//! Domain types shared by both targets: they compile for the server and for the WASM bundle.
//!
//! Types here carry no I/O. Values that have rules (e-mail addresses, names, ...) are newtypes whose
//! only constructor is a `parse` that checks the rules, so holding one proves it is valid.

mod account;
mod activity;
mod api_reference;
mod columns;
mod exchange;
mod flash;
mod history;
mod idempotency;
mod import;
mod import_job;
mod kind;
mod listing;
mod live;
mod paging;
mod records;
mod task;
mod tokens;
mod trash;
mod users;
mod values;
mod workspace;

pub use account::{Email, PersonName, Role, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
pub use activity::{
    moment_field, parse_timeline_cursor, ActivityDraft, ActivityInput, ActivityKind, ActivityView,
    Timeline, ACTIVITY_WITHOUT_RECORD, TIMELINE_PAGE,
};
pub use api_reference::{ApiField, ApiOperation, ApiReference, ApiResponse, ApiSchema};
pub use columns::{
    detect_delimiter, guess_field, guess_mapping, import_fields, COMPANY_IMPORT_FIELDS,
    CONTACT_IMPORT_FIELDS,
};
pub use exchange::{neutralise, restore, COMPANY_COLUMNS, CONTACT_COLUMNS};
pub use flash::Flash;
pub use history::{changed_fields, Change, ChangeAction, FieldChange, HistoryPage, HISTORY_PAGE};
pub use idempotency::IdempotencyKey;
pub use import::{
    company_input, company_row, contact_input, contact_row, CompanyRowInput, ContactRowInput,
    OnExisting,
};
pub use import_job::{ImportCounts, ImportState, ImportView, UNDO_STOPPED};
pub use kind::RecordKind;
pub use listing::{first_chars, ListQuery, PAGE_SIZES};
pub use live::{LiveChange, Watch, LIVE_MORE};
pub use paging::{thousands, Page, Total, COUNT_LIMIT};
pub use records::{
    contact_name, CompanyDraft, CompanyInput, CompanyRow, CompanyView, ContactDraft, ContactInput,
    ContactRow, ContactStatus, ContactView, Stamp, NOTES_MAX_CHARS,
};
pub use task::{Due, TaskDraft, TaskInput, TaskList, TaskQuery, TaskState, TaskView, TASKS_PAGE};
pub use tokens::{
    token_expiry_days, TokenName, TokenState, TokenView, TOKEN_EXPIRY_DAYS, TOKEN_NAME_MAX_CHARS,
    TOKEN_PREFIX,
};
pub use trash::{TrashItem, TrashPage, TRASH_DAYS, TRASH_PAGE};
pub use users::{
    ago, describe_user_agent, full_time, iso_time, within, InvitationStatus, InvitationView,
    RegistrationInfo, SessionView, UserView,
};
pub use values::{DomainName, PhoneNumber, Tags};
pub use workspace::WorkspaceSummary;
