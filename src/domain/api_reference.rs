//! The JSON API's reference as `/api/docs` shows it: read from its OpenAPI document on the
//! server, plain data here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiReference {
    pub title: String,
    pub description: String,
    /// Where the API lives (`/api/v1`).
    pub base: String,
    pub operations: Vec<ApiOperation>,
    pub schemas: Vec<ApiSchema>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOperation {
    /// GET, POST, …
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub params: Vec<ApiField>,
    /// The body's schema, if it takes one.
    pub body: Option<String>,
    pub responses: Vec<ApiResponse>,
}

impl ApiOperation {
    /// An id for the page's anchors: `get-contacts-id`.
    pub fn anchor(&self) -> String {
        let path: String = self
            .path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!(
            "{}{}",
            self.method.to_ascii_lowercase(),
            path.trim_end_matches('-')
        )
        .replace("--", "-")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiResponse {
    pub status: String,
    pub description: String,
    pub schema: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSchema {
    pub name: String,
    pub description: String,
    pub fields: Vec<ApiField>,
}

/// A parameter or a schema's field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiField {
    pub name: String,
    /// Its type ("string", "integer or null", "array of string", a schema's name), or for a
    /// parameter where it goes (query, path, header).
    pub kind: String,
    pub required: bool,
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_readable_ids() {
        let op = ApiOperation {
            method: "GET".into(),
            path: "/contacts/{id}".into(),
            tag: String::new(),
            summary: String::new(),
            params: Vec::new(),
            body: None,
            responses: Vec::new(),
        };
        assert_eq!(op.anchor(), "get-contacts-id");
    }
}
