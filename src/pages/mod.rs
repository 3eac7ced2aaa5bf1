//! One module per route group: the page components and the thin server functions they call.

pub mod home;
pub mod not_found;
