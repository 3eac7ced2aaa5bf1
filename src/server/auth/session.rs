//! Sign-in sessions.
//!
//! The browser holds only tower-sessions' cookie (HttpOnly, SameSite=Lax, `Secure` and `__Host-`
//! prefixed over HTTPS). The session it names stores one value: the id of an `auth_sessions` row,
//! which says who is signed in, from which browser, since when. Deleting that row signs the browser
//! out at once, which is how sign-out, "end this session", password changes and deactivation work.
//! The row also records the role the session was granted; when the user's role changes, the next
//! request gets a new session id ([`load`]).

use std::time::Duration;

use crate::server::db::PoolRef;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions::{CachingSessionStore, Expiry, Session, SessionManagerLayer};
use tower_sessions_moka_store::MokaStore;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::client::client_of;
pub use super::client::{throttle_key, Client};
use crate::server::db::{CurrentUser, Db};
use crate::server::startup::AppState;

/// Key of the `auth_sessions` id inside the tower session.
const AUTH_KEY: &str = "auth";

/// Session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout: Duration,
    /// Whether the site is served over HTTPS (cookies get `Secure` and the `__Host-` prefix).
    pub secure: bool,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 60 * 60),
            secure: false,
        }
    }
}

impl SessionSettings {
    pub fn idle_secs(&self) -> i64 {
        i64::try_from(self.idle_timeout.as_secs()).unwrap_or(i64::MAX / 2)
    }

    pub fn absolute_secs(&self) -> i64 {
        i64::try_from(self.absolute_timeout.as_secs()).unwrap_or(i64::MAX / 2)
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-clientele"
        } else {
            "clientele"
        }
    }
}

/// Most browser sessions whose record is kept in memory (about 200 bytes each).
const SESSIONS_CACHED: u64 = 10_000;

/// The store of browser sessions: the application's database, read through an in-memory cache
/// when this process is its only server (SQLite). Instances sharing a PostgreSQL database read
/// every session from it: what one wrote (a form's flash after a failed post, say) the next
/// request may read on another.
#[derive(Debug, Clone)]
pub enum Store {
    Cached(CachingSessionStore<MokaStore, DbStore>),
    Shared(DbStore),
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Cached(store) => store.create(record).await,
            Self::Shared(store) => store.create(record).await,
        }
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Cached(store) => store.save(record).await,
            Self::Shared(store) => store.save(record).await,
        }
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Cached(store) => store.load(id).await,
            Self::Shared(store) => store.load(id).await,
        }
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Cached(store) => store.delete(id).await,
            Self::Shared(store) => store.delete(id).await,
        }
    }
}

/// tower-sessions' store in the application's database, whichever it is.
#[derive(Debug, Clone)]
pub enum DbStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DbStore {
    pub fn new(db: &Db) -> Self {
        match db.pool_ref() {
            PoolRef::Sqlite(pool) => Self::Sqlite(SqliteStore::new(pool.clone())),
            PoolRef::Postgres(pool) => Self::Postgres(PostgresStore::new(pool.clone())),
        }
    }
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for DbStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for DbStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}

/// The tower-sessions layer, storing sessions in the application's SQLite database. Reads come from
/// memory once a session is known (writes and deletes go to both). That is safe because the
/// record only names an `auth_sessions` row, and [`load`] reads that row on every request: a
/// session ended anywhere (another process included) loses access on its next request.
pub fn layer(db: &Db, settings: &SessionSettings) -> SessionManagerLayer<Store> {
    let idle = tower_sessions::cookie::time::Duration::seconds(settings.idle_secs());
    let store = match db.pool_ref() {
        PoolRef::Sqlite(_) => Store::Cached(CachingSessionStore::new(
            MokaStore::new(Some(SESSIONS_CACHED)),
            DbStore::new(db),
        )),
        PoolRef::Postgres(_) => Store::Shared(DbStore::new(db)),
    };
    SessionManagerLayer::new(store)
        .with_name(settings.cookie_name())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Who is signed in, if anyone; put in the request's extensions by [`load`].
#[derive(Debug, Clone, Default)]
pub struct Auth(pub Option<CurrentUser>);

/// Middleware: resolves the session cookie to the signed-in user (ending expired sessions) and
/// records the client's address and browser.
pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let client = client_of(&request, &state.trusted_proxies, state.forwarded_header);
    let mut auth = Auth::default();
    // Static files are the same for everyone: their responses must never carry the session's
    // cookie (a shared cache would hand it to others), so the session is not even read for them.
    let session = request
        .extensions()
        .get::<Session>()
        .filter(|_| !is_static_path(request.uri().path()))
        .cloned();
    if let Some(session) = session {
        match session.get::<String>(AUTH_KEY).await {
            Ok(Some(id)) => {
                let settings = &state.sessions;
                match state
                    .db
                    .session_user(&id, now(), settings.idle_secs(), settings.absolute_secs())
                    .await
                {
                    Ok(Some(found)) => {
                        if found.touched {
                            // Still in use: the cookie and the stored session live on for
                            // another idle period (saved at most once a minute).
                            session.set_expiry(Some(Expiry::OnInactivity(
                                tower_sessions::cookie::time::Duration::seconds(
                                    settings.idle_secs(),
                                ),
                            )));
                        }
                        if found.role_changed {
                            // A new role, a new session id: whatever was learnt about the old
                            // id (by an attacker who fixed or stole it) grants nothing more.
                            let cycled = async {
                                session.cycle_id().await?;
                                state.db.refresh_session_role(&id).await?;
                                anyhow::Ok(())
                            };
                            if let Err(error) = cycled.await {
                                tracing::error!(%error, "cannot cycle the session after a role change");
                            }
                        }
                        auth = Auth(Some(found.user));
                    }
                    Ok(None) => {
                        // Ended elsewhere or timed out: forget it.
                        if let Err(error) = session.flush().await {
                            tracing::warn!(%error, "cannot clear an ended session");
                        }
                    }
                    Err(error) => tracing::error!(%error, "cannot load the session's user"),
                }
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot read the session"),
        }
    }
    if let Some(user) = &auth.0 {
        tracing::Span::current().record("user", user.id);
    }
    request.extensions_mut().insert(client);
    request.extensions_mut().insert(auth);
    next.run(request).await
}

/// Whether `path` names a static file (the bundle under `/pkg/`, or a file name with an
/// extension such as `/favicon.svg`); pages and server functions never have one.
pub fn is_static_path(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|name| name.contains('.'))
}

/// Signs `user_id` in on this browser: a new session id (against fixation) pointing at a new
/// `auth_sessions` row.
pub async fn establish(
    db: &Db,
    session: &Session,
    user_id: i64,
    client: &Client,
) -> anyhow::Result<()> {
    // Signing in again on a signed-in browser replaces its session rather than leaving the old
    // one listed (and usable) until it times out.
    if let Some(previous) = session.get::<String>(AUTH_KEY).await? {
        db.delete_auth_session(&previous).await?;
    }
    session.cycle_id().await?;
    let id = random_token();
    db.create_auth_session(
        &id,
        user_id,
        &client.user_agent,
        &client.ip.to_string(),
        now(),
    )
    .await?;
    session.insert(AUTH_KEY, id).await?;
    Ok(())
}

/// Signs this browser out: ends its `auth_sessions` row and deletes the session.
pub async fn end(db: &Db, session: &Session, user: &CurrentUser) -> anyhow::Result<()> {
    db.delete_auth_session(&user.session_id).await?;
    session.flush().await?;
    Ok(())
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Middleware (inside [`load`]): a visitor who is not signed in and asks for a protected page is
/// sent to the login page, which brings them back afterwards.
pub async fn require_sign_in(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // A file's path (a dot in its last part) is never loaded with a session, so it cannot be
    // behind sign-in: such paths are public files, like `/import/sample.csv`.
    let protected = !is_static_path(path)
        && crate::paths::PROTECTED.iter().any(|p| {
            path.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        });
    let signed_in = request
        .extensions()
        .get::<Auth>()
        .is_some_and(|auth| auth.0.is_some());
    if protected && !signed_in && matches!(*request.method(), Method::GET | Method::HEAD) {
        let here = request
            .uri()
            .path_and_query()
            .map_or(path, |pq| pq.as_str());
        return Redirect::to(&crate::pages::login_url(here)).into_response();
    }
    next.run(request).await
}
