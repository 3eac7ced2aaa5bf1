//! What a plain (no-JavaScript) form post leaves for the page it returns to: shown once, kept on
//! the server in the session, never in the URL.

use serde::{Deserialize, Serialize};

/// A one-time message from a form post to the page the browser is sent back to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// The path (no query) of the page it is for.
    pub page: String,
    /// The server function that failed (`/api/…`) and its error, encoded as the framework
    /// encodes it.
    pub failed: Option<(String, String)>,
    /// The values that were submitted (never passwords, tokens or keys), so the form shows them
    /// again.
    pub values: Vec<(String, String)>,
    /// Facts the server tells the page once (such as a new invitation link), by name.
    pub notes: Vec<(String, String)>,
}

impl Flash {
    /// The submitted value of `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        lookup(&self.values, name)
    }

    /// The note called `name`.
    pub fn note(&self, name: &str) -> Option<&str> {
        lookup(&self.notes, name)
    }

    /// Whether a submitted field called `name` may be kept: anything but secrets.
    pub fn keeps(name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        ![
            "password",
            "token",
            "idempotency_key",
            "invitation",
            "secret",
        ]
        .iter()
        .any(|secret| name.contains(secret))
    }
}

fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_kept() {
        for secret in [
            "password",
            "current_password",
            "new_password",
            "setup_token",
            "invitation",
            "idempotency_key",
        ] {
            assert!(!Flash::keeps(secret), "{secret}");
        }
        for plain in ["email", "name", "notes", "first_name", "next"] {
            assert!(Flash::keeps(plain), "{plain}");
        }
    }
}
