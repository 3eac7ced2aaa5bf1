//! Personal access tokens for the JSON API, as `/settings/tokens` lists them and its form sends
//! them.

use serde::{Deserialize, Serialize};

/// Longest token name, in characters.
pub const TOKEN_NAME_MAX_CHARS: usize = 100;
/// Expiry choices offered by the form, in days (0: never).
pub const TOKEN_EXPIRY_DAYS: [u32; 5] = [7, 30, 90, 365, 0];
/// The prefix of every token: it tells a leaked one apart in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "clt_";

/// One of the user's tokens (never the token itself: only its first characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The token's first characters, `clt_AbCd…`.
    pub hint: String,
    pub can_write: bool,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Whether a token works now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenView {
    pub fn state(&self, now: i64) -> TokenState {
        if self.revoked_at.is_some() {
            TokenState::Revoked
        } else if self.expires_at.is_some_and(|at| at <= now) {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }

    pub fn access(&self) -> &'static str {
        if self.can_write {
            "Read and write"
        } else {
            "Read only"
        }
    }
}

/// A token's name, as the form checks it: 1 to [`TOKEN_NAME_MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Give the token a name, such as the program that will use it.".into());
        }
        if text.chars().count() > TOKEN_NAME_MAX_CHARS {
            return Err(format!(
                "Use at most {TOKEN_NAME_MAX_CHARS} characters for the name."
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The expiry chosen in the form, in days (None: never); only the offered choices are taken.
pub fn token_expiry_days(text: &str) -> Result<Option<u32>, String> {
    match text.trim().parse::<u32>() {
        Ok(0) => Ok(None),
        Ok(days) if TOKEN_EXPIRY_DAYS.contains(&days) => Ok(Some(days)),
        _ => Err("Choose one of the expiry periods listed.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(expires_at: Option<i64>, revoked_at: Option<i64>) -> TokenView {
        TokenView {
            id: 1,
            name: "CI".into(),
            hint: "clt_abcd".into(),
            can_write: false,
            created_at: 0,
            expires_at,
            last_used_at: None,
            revoked_at,
        }
    }

    #[test]
    fn a_token_is_active_until_it_expires_or_is_revoked() {
        assert_eq!(view(None, None).state(100), TokenState::Active);
        assert_eq!(view(Some(101), None).state(100), TokenState::Active);
        assert_eq!(view(Some(100), None).state(100), TokenState::Expired);
        assert_eq!(view(Some(101), Some(50)).state(100), TokenState::Revoked);
    }

    #[test]
    fn names_and_expiry_are_checked() {
        assert!(TokenName::parse("  ").is_err());
        assert_eq!(TokenName::parse(" Zapier ").unwrap().as_str(), "Zapier");
        assert!(TokenName::parse(&"x".repeat(101)).is_err());
        assert_eq!(token_expiry_days("30"), Ok(Some(30)));
        assert_eq!(token_expiry_days("0"), Ok(None));
        assert!(token_expiry_days("31").is_err());
        assert!(token_expiry_days("lots").is_err());
    }
}
