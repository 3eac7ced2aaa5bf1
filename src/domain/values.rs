//! Values with rules that record forms share: bounded plain text, phone numbers, domain names,
//! websites, tags, and ids chosen in a form.

use serde::{Deserialize, Serialize};

/// Trims `input` and checks it is at most `max` characters without control characters
/// (line breaks are allowed only when `multiline`).
pub(super) fn text(input: &str, max: usize, multiline: bool) -> Result<String, String> {
    let value = input.trim();
    if value.chars().count() > max {
        return Err(format!("Use at most {max} characters."));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err("This contains characters that cannot be shown.".into());
    }
    if value.chars().any(super::account::is_invisible_format) {
        return Err(super::account::INVISIBLE_MESSAGE.into());
    }
    Ok(value.to_owned())
}

/// A phone number as typed, with its digits for searching.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhoneNumber {
    typed: String,
    digits: String,
}

impl PhoneNumber {
    /// Accepts digits with the usual separators (spaces, dashes, dots, slashes, parentheses) and
    /// an optional leading `+`; 4 to 20 digits. Empty input is no number.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let typed = input.trim();
        if typed.is_empty() {
            return Ok(None);
        }
        if typed.chars().count() > 40 {
            return Err("Use at most 40 characters.".into());
        }
        // An extension ("x12", "ext. 12") may follow; it is not part of the searchable digits.
        let lower = typed.to_ascii_lowercase();
        let (main, extension) = lower.split_at(lower.find(['x', 'e']).unwrap_or(lower.len()));
        let main_ok = main
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || " -./()".contains(c) || (i == 0 && c == '+'));
        let extension_ok = extension.is_empty() || {
            let number = extension.trim_start_matches(|c: char| "extn. ".contains(c));
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
        };
        if !main_ok || !extension_ok {
            return Err("Use digits, spaces, dashes and brackets, like +44 20 7946 0958.".into());
        }
        let digits: String = main.chars().filter(char::is_ascii_digit).collect();
        if !(4..=20).contains(&digits.len()) {
            return Err("A phone number has 4 to 20 digits.".into());
        }
        Ok(Some(Self {
            typed: typed.to_owned(),
            digits,
        }))
    }

    pub fn typed(&self) -> &str {
        &self.typed
    }

    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The words the search index holds for this number: its digits, and its significant digits
    /// (leading zeros dropped) reversed, so that the end of a number matches as a prefix.
    pub fn search_tokens(&self) -> String {
        phone_search_tokens(&self.digits)
    }
}

/// See [`PhoneNumber::search_tokens`].
pub(super) fn phone_search_tokens(digits: &str) -> String {
    if digits.is_empty() {
        return String::new();
    }
    let reversed: String = digits.trim_start_matches('0').chars().rev().collect();
    format!("{digits} r{reversed}")
}

/// An internet domain name, lower-case, without scheme or path ("acme.example").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let mut value = input.trim().to_lowercase();
        if value.is_empty() {
            return Ok(None);
        }
        for prefix in ["https://", "http://"] {
            if let Some(rest) = value.strip_prefix(prefix) {
                value = rest.to_owned();
            }
        }
        let value = value.trim_end_matches('/');
        let value = value.strip_prefix("www.").unwrap_or(value);
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if value.len() > 253 || !value.contains('.') || !value.split('.').all(valid_label) {
            return Err("Enter a domain name, like acme.example.".into());
        }
        Ok(Some(Self(value.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A web address; `https://` is added when no scheme is given.
pub(super) fn website(input: &str) -> Result<String, String> {
    let value = text(input, 300, false)?;
    if value.is_empty() {
        return Ok(value);
    }
    let url = if value.contains("://") {
        value
    } else {
        format!("https://{value}")
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "Use a web address starting with https://.".to_string())?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || !host.contains('.') || host.contains(char::is_whitespace) {
        return Err("Enter a web address, like https://acme.example.".into());
    }
    Ok(url)
}

/// A contact's tags: trimmed, at most 20 of at most 40 characters, duplicates (ignoring case)
/// dropped, in the order given. Typed as one field, separated by commas.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tags(Vec<String>);

impl Tags {
    pub fn parse(input: &str) -> Result<Self, String> {
        let mut tags: Vec<String> = Vec::new();
        for tag in input.split(',') {
            let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
            if tag.is_empty() {
                continue;
            }
            if tag.chars().count() > 40 {
                return Err("Use at most 40 characters for each tag.".into());
            }
            if tag.chars().any(char::is_control) {
                return Err("A tag contains characters that cannot be shown.".into());
            }
            if tag.chars().any(super::account::is_invisible_format) {
                return Err(super::account::INVISIBLE_MESSAGE.into());
            }
            if !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
                tags.push(tag);
            }
        }
        if tags.len() > 20 {
            return Err("Use at most 20 tags.".into());
        }
        Ok(Self(tags))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// An optional numeric id typed in a form (hidden fields, selects): empty means none.
pub(super) fn optional_id(input: &str) -> Result<Option<i64>, String> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(Some)
        .ok_or_else(|| "Choose one of the options.".to_string())
}
