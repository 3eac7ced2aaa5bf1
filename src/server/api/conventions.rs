//! What every operation of the API shares, added to the generated document in one place rather
//! than repeated on each handler: errors are problem details (`application/problem+json`); every
//! operation may answer 401 (no working token), 429 (the token's rate) and 503 (busy); one that
//! reads a body, a header, a path or a query may answer 400; and the headers' formats.

use serde_json::{json, Value};

const PROBLEM: &str = "application/problem+json";
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The document `doc` with the conventions applied.
pub fn apply(doc: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    let problem = json!({ PROBLEM: { "schema": { "$ref": "#/components/schemas/Problem" } } });
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                if !METHODS.contains(&method.as_str()) || !operation.is_object() {
                    continue;
                }
                let takes_query = operation["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query" || p["in"] == "path"));
                let headers: Vec<String> = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "header")
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                let reads_input =
                    operation.get("requestBody").is_some() || !headers.is_empty() || takes_query;
                let keyed = headers.iter().any(|h| h == "Idempotency-Key");
                if let Some(parameters) = operation["parameters"].as_array_mut() {
                    for parameter in parameters {
                        if let Some(schema) = header_schema(parameter["name"].as_str()) {
                            parameter["schema"] = schema;
                        }
                    }
                }
                let Some(responses) = operation["responses"].as_object_mut() else {
                    continue;
                };
                let mut common = vec![
                    ("401", "No working token (none, unknown, revoked, expired, or its owner deactivated)"),
                    ("429", "The token's requests per minute are used up: see Retry-After"),
                    ("503", "The server is busy: try again in a moment (see Retry-After)"),
                ];
                if reads_input {
                    common.push(("400", "A malformed body, header, path or query"));
                }
                if keyed {
                    common.push(("409", "This Idempotency-Key was sent with another request"));
                }
                for (status, description) in common {
                    responses
                        .entry(status)
                        .or_insert_with(|| json!({ "description": description }));
                }
                for (status, response) in responses.iter_mut() {
                    if status.as_str() >= "400" {
                        response["content"] = problem.clone();
                    }
                }
            }
        }
    }
    doc
}

/// The format of the request headers the API reads.
fn header_schema(name: Option<&str>) -> Option<Value> {
    match name? {
        "Idempotency-Key" => Some(json!({
            "type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
            "description": "16 to 64 letters, digits, - or _ (a UUID will do)"
        })),
        "If-Match" => Some(json!({ "type": "string", "pattern": "^(\\*|(W/)?\"?[0-9]+\"?)$" })),
        _ => None,
    }
}
