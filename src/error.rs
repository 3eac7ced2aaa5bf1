//! The one error type that crosses the client/server boundary.
//!
//! Server functions return `Result<_, AppError>`. Each variant maps to a message a user can act on;
//! the details of unexpected failures are logged on the server and never sent to the client.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The thing asked for does not exist (or the user may not know it exists).
    #[error("We could not find what you were looking for.")]
    NotFound,
    /// Something failed on our side; the cause is in the server log, keyed by the request id.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The request could not reach the server function or its reply could not be read.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// HTTP status that goes with the error when it ends a server-rendered response.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_reveal_nothing() {
        let text = AppError::Internal.to_string();
        assert!(text.contains("Something went wrong"));
        assert_eq!(AppError::Internal.status_code(), 500);
        assert_eq!(AppError::NotFound.status_code(), 404);
    }
}
