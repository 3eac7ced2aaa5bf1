//! `/api/docs`: the OpenAPI document read into [`ApiReference`] for the reference page. It is
//! read as JSON, so the page does not depend on how the generator models the document.

use serde_json::Value;

use crate::domain::{ApiField, ApiOperation, ApiReference, ApiResponse, ApiSchema};

/// The reference of the document `doc`.
pub fn reference(doc: &Value) -> ApiReference {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut operations = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let op = &item[method];
                if op.is_null() {
                    continue;
                }
                let params = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| ApiField {
                        name: text(&p["name"]),
                        kind: text(&p["in"]),
                        required: p["required"].as_bool().unwrap_or(false),
                        description: text(&p["description"]),
                    })
                    .collect();
                let body = op["requestBody"]["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map(|c| describe(&c["schema"]));
                let responses = op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, r)| ApiResponse {
                        status: status.clone(),
                        description: text(&r["description"]),
                        schema: r["content"]
                            .as_object()
                            .and_then(|c| c.values().next())
                            .map(|c| describe(&c["schema"])),
                    })
                    .collect();
                operations.push(ApiOperation {
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    tag: text(&op["tags"][0]),
                    summary: [text(&op["summary"]), text(&op["description"])]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                    params,
                    body,
                    responses,
                });
            }
        }
    }
    let schemas = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            ApiSchema {
                name: name.clone(),
                description: text(&schema["description"]),
                fields: schema["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(field, s)| ApiField {
                        name: field.clone(),
                        kind: describe(s),
                        required: required.contains(&field.as_str()),
                        description: text(&s["description"]),
                    })
                    .collect(),
            }
        })
        .collect();
    ApiReference {
        title: text(&doc["info"]["title"]),
        description: text(&doc["info"]["description"]),
        base: text(&doc["servers"][0]["url"]),
        operations,
        schemas,
    }
}

/// A schema in words: "string", "integer or null", "array of string", "Contact or null".
fn describe(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            return options
                .iter()
                .map(describe)
                .collect::<Vec<_>>()
                .join(" or ");
        }
    }
    let one = |t: &str| match t {
        "array" => format!("array of {}", describe(&schema["items"])),
        other => other.to_owned(),
    };
    match &schema["type"] {
        Value::String(t) => one(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .map(one)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_are_described_in_words() {
        assert_eq!(describe(&json!({"type": "string"})), "string");
        assert_eq!(
            describe(&json!({"type": ["integer", "null"]})),
            "integer or null"
        );
        assert_eq!(
            describe(&json!({"type": "array", "items": {"type": "string"}})),
            "array of string"
        );
        assert_eq!(
            describe(&json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Ref"}]})),
            "null or Ref"
        );
        assert_eq!(describe(&json!({})), "any");
    }

    #[test]
    fn the_reference_lists_every_operation_and_schema() {
        let reference = reference(&super::super::document());
        assert_eq!(reference.base, "/api/v1");
        let ops: Vec<String> = reference
            .operations
            .iter()
            .map(|o| format!("{} {}", o.method, o.path))
            .collect();
        assert!(ops.contains(&"PATCH /contacts/{id}".to_owned()), "{ops:?}");
        assert!(
            ops.contains(&"POST /companies/{id}/restore".to_owned()),
            "{ops:?}"
        );
        let contact = reference
            .schemas
            .iter()
            .find(|s| s.name == "Contact")
            .expect("the Contact schema");
        let email = contact.fields.iter().find(|f| f.name == "email").unwrap();
        assert_eq!(email.kind, "string");
        assert!(email.required);
    }
}
