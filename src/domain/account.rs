//! People who use Clientele: their e-mail addresses, names and roles.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Shortest and longest passwords accepted (in characters). Longer ones are refused, never truncated.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A syntactically valid e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err("Enter an email address.".into());
        }
        if value.chars().count() > 254 || !email_address::EmailAddress::is_valid(&value) {
            return Err("Enter a valid email address, like name@example.com.".into());
        }
        // Display names and comments ("Ann <ann@x>") are valid RFC 5322 but not an address field.
        if value.contains(['<', '>', ' ', '(', ')']) || !value.contains('@') {
            return Err("Enter a valid email address, like name@example.com.".into());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// Why text with [`is_invisible_format`] characters is refused.
pub const INVISIBLE_MESSAGE: &str =
    "Remove the invisible or direction-changing characters: they can make text look like something else.";

/// Unicode format characters that change how text around them is shown without being seen
/// themselves: bidirectional overrides, embeddings and isolates, direction marks, zero-width
/// spaces and joiners at the wrong place, the word joiner, soft hyphens, byte-order marks and
/// invisible operators. (The zero-width joiner and non-joiner, which some scripts and emoji need,
/// are allowed.)
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// A person's display name: 1 to 100 characters after trimming, no control characters and no
/// invisible format characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = input.trim();
        if value.is_empty() {
            return Err("Enter your name.".into());
        }
        if value.chars().count() > 100 {
            return Err("Use at most 100 characters for the name.".into());
        }
        if value.chars().any(char::is_control) {
            return Err("The name contains characters that cannot be shown.".into());
        }
        if value.chars().any(is_invisible_format) {
            return Err(INVISIBLE_MESSAGE.into());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

/// What a user may do. Ordered: each role can do everything the ones before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads records.
    Viewer,
    /// Creates, edits and deletes records.
    Member,
    /// Everything, including managing users.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Member, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Member => "Member",
            Role::Admin => "Administrator",
        }
    }

    /// Whether this role includes everything `required` may do.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "member" => Ok(Role::Member),
            "admin" | "administrator" => Ok(Role::Admin),
            other => Err(format!(
                "Unknown role {other:?}: use admin, member or viewer."
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_invisible_and_direction_changing_characters() {
        for spoof in [
            "Ann\u{202E}nimda",
            "Ad\u{200B}min",
            "\u{2066}Bob\u{2069}",
            "Al\u{00AD}ice",
        ] {
            assert_eq!(
                PersonName::parse(spoof).unwrap_err(),
                INVISIBLE_MESSAGE,
                "{spoof:?}"
            );
        }
        // Joiners some scripts and emoji need are fine, and so is ordinary right-to-left text.
        assert!(PersonName::parse("\u{0645}\u{062D}\u{0645}\u{062F}").is_ok());
        assert!(PersonName::parse("Ravi \u{0915}\u{094D}\u{200D}\u{0937}").is_ok());
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
    }

    #[test]
    fn invalid_emails_are_refused_with_a_message() {
        for bad in [
            "",
            "   ",
            "ann",
            "ann@",
            "@example.com",
            "ann@@example.com",
            "Ann <ann@example.com>",
            "a b@example.com",
        ] {
            let error = Email::parse(bad).unwrap_err();
            assert!(error.starts_with("Enter"), "{bad:?}: {error}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn emails_deserialize_only_when_valid() {
        assert!(serde_json::from_str::<Email>("\"x@example.com\"").is_ok());
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert!(PersonName::parse(" ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("bell\u{7}").is_err());
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Admin.allows(Role::Member));
        assert!(Role::Member.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Member));
        assert!(!Role::Member.allows(Role::Admin));
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("owner".parse::<Role>().is_err());
    }
}
