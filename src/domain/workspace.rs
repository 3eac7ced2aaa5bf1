use serde::{Deserialize, Serialize};

/// What the home page shows about this deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSummary {
    /// The organisation's name for its workspace.
    pub name: String,
    /// When the database was first set up, as an RFC 3339 UTC timestamp.
    pub created_at: String,
    /// Version of the newest database migration applied.
    pub schema_version: i64,
}

impl WorkspaceSummary {
    /// The creation date alone (`YYYY-MM-DD`), for display.
    pub fn created_on(&self) -> &str {
        self.created_at.get(..10).unwrap_or(&self.created_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_on_is_the_date_part() {
        let summary = WorkspaceSummary {
            name: "Acme".into(),
            created_at: "2026-11-30T09:00:00Z".into(),
            schema_version: 1,
        };
        assert_eq!(summary.created_on(), "2026-11-30");
        let odd = WorkspaceSummary {
            created_at: "soon".into(),
            ..summary
        };
        assert_eq!(odd.created_on(), "soon");
    }
}
