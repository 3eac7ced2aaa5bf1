//! Who an API request acts as: the personal access token in `Authorization: Bearer …`, never a
//! cookie (so the API has no CSRF surface), each token held to its requests per minute.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::problem::ApiError;
use crate::domain::Role;
use crate::server::auth::tokens;
use crate::server::db::CurrentUser;
use crate::server::startup::AppState;

/// The user an API request acts as, with the role its token allows.
#[derive(Debug, Clone)]
pub struct ApiUser(pub CurrentUser);

impl ApiUser {
    /// Fails with 403 unless the token's role includes `role`.
    pub fn require(&self, role: Role) -> Result<&CurrentUser, ApiError> {
        if self.0.role.allows(role) {
            Ok(&self.0)
        } else {
            Err(ApiError::App(crate::error::AppError::Forbidden))
        }
    }
}

/// Requests per minute, per token.
pub struct Limiter(DefaultKeyedRateLimiter<i64>);

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limiter")
    }
}

impl Limiter {
    /// `per_minute` requests a minute for each token, a tenth of them (at least 10) at once.
    pub fn new(per_minute: u32) -> Arc<Self> {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new((per_minute / 10).max(10).min(per_minute.max(1)))
            .unwrap_or(NonZeroU32::MIN);
        Arc::new(Self(RateLimiter::keyed(
            Quota::per_minute(rate).allow_burst(burst),
        )))
    }

    /// Ok, or how many seconds until token `id` may send again.
    fn check(&self, id: i64) -> Result<(), u64> {
        self.0.check_key(&id).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// Middleware: resolves the bearer token to the user it acts as (401 without a working one),
/// then holds it to its rate (429 with `Retry-After`).
pub async fn bearer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
    let Some(token) = token else {
        return ApiError::Unauthenticated.into_response();
    };
    let found = match tokens::resolve(&state.db, &token).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            crate::server::metrics::api_token_refused();
            return ApiError::Unauthenticated.into_response();
        }
        Err(error) => return ApiError::App(error).into_response(),
    };
    if let Err(retry_after) = state.api_limiter.check(found.token_id) {
        crate::server::metrics::api_rate_limited();
        return ApiError::RateLimited { retry_after }.into_response();
    }
    let mut user = found.user.clone();
    user.role = tokens::acting_role(&found);
    request.extensions_mut().insert(ApiUser(user));
    next.run(request).await
}
