//! The idempotency key a mutating form carries.

use serde::{Deserialize, Serialize};

/// A random key naming one submission of a form: 16 to 64 letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let valid_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if (16..=64).contains(&text.len()) && text.chars().all(valid_char) {
            Ok(Self(text.to_owned()))
        } else {
            Err("The form's key is malformed".to_owned())
        }
    }

    /// The key of a form submission: `None` when the form had none (a client without keys).
    pub fn from_form(field: Option<&str>) -> Result<Option<Self>, String> {
        match field.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Self::parse(text).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_looking_tokens_of_sensible_length() {
        assert!(IdempotencyKey::parse("0b6f1f0a-3c1e-4b8e-9d7e-2f4f1f0a3c1e").is_ok());
        assert!(IdempotencyKey::parse("abcdefghijklmnop").is_ok());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse(&"a".repeat(65)).is_err());
        assert!(IdempotencyKey::parse("abcdefghijklmnop'; DROP").is_err());
    }

    #[test]
    fn a_form_without_a_key_is_not_an_error() {
        assert_eq!(IdempotencyKey::from_form(None), Ok(None));
        assert_eq!(IdempotencyKey::from_form(Some(" ")), Ok(None));
        assert!(IdempotencyKey::from_form(Some("x")).is_err());
    }
}
