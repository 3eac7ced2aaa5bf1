//! Accounts and sign-in: password rules and hashing, sessions, throttling.

pub mod accounts;
pub mod client;
pub mod password;
pub mod session;
pub mod sign_in;
pub mod tokens;
