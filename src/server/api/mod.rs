//! The JSON API under `/api/v1`, for scripts and other programs: plain axum handlers (apart from
//! Leptos' server functions), authenticated by personal access tokens only, answering errors as
//! problem details, described by an OpenAPI 3.1 document generated from the same handlers
//! (`/api/v1/openapi.json`; the page `/api/docs` shows it).

mod activities;
mod auth;
mod companies;
mod contacts;
mod conventions;
mod docs;
mod problem;
mod records;
mod tasks;

use std::sync::Arc;

use axum::http::header;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::{ApiUser, Limiter};
pub use problem::ApiError;

use crate::server::startup::AppState;

/// Where the API lives.
pub const BASE: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clientele API",
        version = "1",
        description = "Contacts, companies, activities and tasks of a Clientele workspace. Authenticate with a personal access token (made at /settings/tokens) as `Authorization: Bearer …`; a token acts as its owner, and a read-only one only reads. Errors are problem details (RFC 9457). Updates need the version read as `If-Match`; writes honour `Idempotency-Key`."
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerToken),
    security(("token" = [])),
    tags(
        (name = "contacts", description = "People"),
        (name = "companies", description = "Organisations"),
        (name = "activities", description = "What happened with a contact or a company: notes, calls, meetings, e-mails"),
        (name = "tasks", description = "What someone has to do, by when; open or done"),
    )
)]
struct ApiDoc;

/// The bearer token scheme.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal access token from /settings/tokens"))
                    .build(),
            ),
        );
    }
}

/// The API's routes and their document.
fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::get, contacts::update, contacts::delete))
        .routes(routes!(contacts::restore))
        .routes(routes!(companies::list, companies::create))
        .routes(routes!(
            companies::get,
            companies::update,
            companies::delete
        ))
        .routes(routes!(companies::restore))
        .routes(routes!(activities::list, activities::create))
        .routes(routes!(
            activities::get,
            activities::update,
            activities::delete
        ))
        .routes(routes!(activities::restore))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::get, tasks::update, tasks::delete))
        .routes(routes!(tasks::restore))
        .split_for_parts()
}

/// The OpenAPI document of the API (as served: with [`conventions`] applied).
pub fn document() -> serde_json::Value {
    conventions::apply(&routes().1)
}

/// The API's reference for `/api/docs` (read from the document once per process).
pub fn reference() -> crate::domain::ApiReference {
    static REFERENCE: std::sync::OnceLock<crate::domain::ApiReference> = std::sync::OnceLock::new();
    REFERENCE
        .get_or_init(|| docs::reference(&document()))
        .clone()
}

/// `/api/v1/…`: every route behind a token, apart from the document.
pub fn router(state: &AppState) -> Router<AppState> {
    let (api, doc) = routes();
    let json: Arc<str> = serde_json::to_string_pretty(&conventions::apply(&doc))
        .unwrap_or_default()
        .into();
    let api = api
        .route_layer(from_fn_with_state(state.clone(), auth::bearer))
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json.to_string(),
                    )
                }
            }),
        )
        .fallback(|| async { ApiError::App(crate::error::AppError::NotFound).into_response() })
        .layer(axum::middleware::from_fn(problem::as_problem));
    Router::new().nest(BASE, api)
}
