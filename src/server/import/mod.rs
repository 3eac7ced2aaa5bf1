//! CSV import: a stored file is checked (a dry run: what would be created, updated, skipped, and
//! every invalid row with its line and reason), then run in batches, each one transaction that
//! also records its progress, its history (with the import as author) and what it did to each
//! record, so that an import stopped part-way leaves no half-written batch, says where it
//! stopped, and can be undone as one unit.

mod rows;
pub mod run;
pub mod source;

pub use rows::{company_input, contact_input};
pub use run::{check, import, undo, Progress, Silent};
