//! What the client is told about users and their sessions.

use serde::{Deserialize, Serialize};

use super::Role;

/// A user as shown in pages (no password hash, ever).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// One signed-in browser of the current user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Names the session in "End session" forms; not a credential.
    pub handle: i64,
    pub user_agent: String,
    pub ip: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub last_seen_at: i64,
    /// The session of the browser asking.
    pub current: bool,
}

impl SessionView {
    /// A short description of the browser from its user-agent string ("Chrome on Linux").
    pub fn browser(&self) -> String {
        describe_user_agent(&self.user_agent)
    }
}

/// "Firefox on Windows", "Safari on iPhone", … or "Unknown browser".
pub fn describe_user_agent(ua: &str) -> String {
    let browser = if ua.contains("Edg/") {
        Some("Edge")
    } else if ua.contains("Firefox/") {
        Some("Firefox")
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        Some("Chrome")
    } else if ua.contains("Safari/") {
        Some("Safari")
    } else if ua.contains("curl/") {
        Some("curl")
    } else {
        None
    };
    let os = if ua.contains("iPhone") {
        Some("iPhone")
    } else if ua.contains("iPad") {
        Some("iPad")
    } else if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(o)) => format!("Browser on {o}"),
        (None, None) => "Unknown browser".to_owned(),
    }
}

/// "12 seconds ago", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn ago(seconds: i64) -> String {
    let (n, unit) = match seconds.max(0) {
        s if s < 60 => return "just now".to_owned(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// "1 Dec 2026, 06:49:55 UTC": a moment in full, for a time's tooltip.
pub fn full_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%-d %b %Y, %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "an unknown time".into())
}

/// "2026-12-01T06:49:55Z": a moment for `<time datetime>`.
pub fn iso_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// "in 6 days", "in 3 hours", "in 1 minute".
pub fn within(seconds: i64) -> String {
    let (n, unit) = match seconds.max(0) {
        s if s < 3600 => ((s / 60).max(1), "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_written_in_full_and_for_machines() {
        assert_eq!(full_time(1_764_571_795), "1 Dec 2025, 06:49:55 UTC");
        assert_eq!(iso_time(1_764_571_795), "2025-12-01T06:49:55Z");
    }

    #[test]
    fn times_ahead_read_naturally() {
        assert_eq!(within(10), "in 1 minute");
        assert_eq!(within(7 * 86_400 - 5), "in 6 days");
        assert_eq!(within(7200), "in 2 hours");
    }

    #[test]
    fn user_agents_are_summarised() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(describe_user_agent(chrome), "Chrome on Linux");
        let firefox =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";
        assert_eq!(describe_user_agent(firefox), "Firefox on Windows");
        assert_eq!(describe_user_agent(""), "Unknown browser");
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(7200), "2 hours ago");
        assert_eq!(ago(3 * 86_400), "3 days ago");
    }
}

/// What the registration page needs to know before the form is filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInfo {
    /// No account exists yet: this one becomes the administrator.
    pub first_account: bool,
    /// What became of the invitation in the link, if it carries one.
    pub invitation: Option<InvitationStatus>,
    /// Anyone may register without an invitation.
    pub open: bool,
}

impl RegistrationInfo {
    /// The role the link's invitation joins with, while it can be used.
    pub fn invited_as(&self) -> Option<Role> {
        match self.invitation {
            Some(InvitationStatus::Open(role)) => Some(role),
            _ => None,
        }
    }

    /// Why the link's invitation can no longer be used, if it cannot.
    pub fn unusable(&self) -> Option<InvitationStatus> {
        self.invitation
            .filter(|status| !matches!(status, InvitationStatus::Open(_)))
    }
}

/// What became of an invitation link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationStatus {
    /// It can be used, to join with this role.
    Open(Role),
    Used,
    Revoked,
    Expired,
    /// No such invitation.
    Unknown,
}

impl InvitationStatus {
    /// Why the link cannot be used, for the person who opened it.
    pub fn explanation(self) -> &'static str {
        match self {
            InvitationStatus::Open(_) => "This invitation can be used.",
            InvitationStatus::Used => {
                "This invitation link was already used. If that was not you, ask an administrator for a new one."
            }
            InvitationStatus::Revoked => {
                "This invitation link was withdrawn. Ask an administrator for a new one."
            }
            InvitationStatus::Expired => {
                "This invitation link has expired. Ask an administrator for a new one."
            }
            InvitationStatus::Unknown => {
                "This invitation link is not valid. Check that it was copied whole, or ask an administrator for a new one."
            }
        }
    }
}

/// An invitation that can still be used, as administrators see it (never its link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: i64,
    pub role: Role,
    pub created_by: String,
    pub created_at: i64,
    /// Seconds until it expires.
    pub expires_in: i64,
}
