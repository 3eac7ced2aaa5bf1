//! Accounts and sign-in: password rules and hashing, sessions, throttling.

pub mod password;
