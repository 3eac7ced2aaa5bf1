//! An import as its page shows it: where it is, what it found and what it did.

use serde::{Deserialize, Serialize};

use super::{OnExisting, RecordKind};

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportState {
    /// The file is stored; its columns can be mapped.
    Uploaded,
    /// Every row is being checked, nothing is written.
    Checking,
    /// Checked: the preview's counts are known.
    Checked,
    /// Rows are being written, a batch at a time.
    Running,
    Done,
    Failed,
    Cancelled,
    Undone,
}

impl ImportState {
    pub const ALL: [ImportState; 8] = [
        ImportState::Uploaded,
        ImportState::Checking,
        ImportState::Checked,
        ImportState::Running,
        ImportState::Done,
        ImportState::Failed,
        ImportState::Cancelled,
        ImportState::Undone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::Uploaded => "uploaded",
            ImportState::Checking => "checking",
            ImportState::Checked => "checked",
            ImportState::Running => "running",
            ImportState::Done => "done",
            ImportState::Failed => "failed",
            ImportState::Cancelled => "cancelled",
            ImportState::Undone => "undone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportState::Uploaded => "Uploaded",
            ImportState::Checking => "Checking",
            ImportState::Checked => "Checked, not imported yet",
            ImportState::Running => "Importing",
            ImportState::Done => "Imported",
            ImportState::Failed => "Stopped by an error",
            ImportState::Cancelled => "Cancelled",
            ImportState::Undone => "Undone",
        }
    }

    /// Whether work is under way (the page follows it).
    pub fn is_busy(self) -> bool {
        matches!(self, ImportState::Checking | ImportState::Running)
    }

    /// Whether its run wrote records (which undo takes back).
    pub fn wrote(self) -> bool {
        matches!(
            self,
            ImportState::Done | ImportState::Failed | ImportState::Cancelled
        )
    }
}

impl std::str::FromStr for ImportState {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| format!("unknown import state {text:?}"))
    }
}

/// What an import whose undo stopped part-way says (it is `Failed` again, and can be undone
/// again to undo the rest).
pub const UNDO_STOPPED: &str =
    "The undo stopped part-way: what it undid stays undone. Undo this import again to undo the rest.";

/// The counts of a check or a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub invalid: u64,
}

impl ImportCounts {
    /// Rows that are (or would be) written.
    pub fn written(&self) -> u64 {
        self.created + self.updated
    }

    pub fn rows(&self) -> u64 {
        self.created + self.updated + self.skipped + self.invalid
    }
}

/// An import with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub kind: RecordKind,
    pub file_name: String,
    pub by: String,
    pub created_at: i64,
    pub state: ImportState,
    pub on_existing: OnExisting,
    pub header: Vec<String>,
    /// The field of each column, if any.
    pub mapping: Vec<Option<String>>,
    pub rows_total: u64,
    pub rows_done: u64,
    pub counts: ImportCounts,
    pub message: String,
    pub finished_at: Option<i64>,
    /// The first invalid rows: line and reason.
    pub problems: Vec<(u64, String)>,
}
