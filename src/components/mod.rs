//! Reusable views. No server functions live here.

pub mod error_page;
pub mod flash;
pub mod form;
pub mod island_form;
pub mod layout;
pub mod live;
pub mod record;
pub mod record_form;
pub mod records;
pub mod rows;
pub mod sync_html;
