//! Start-up as a value: [`Application::build`] opens the database, applies migrations, builds the
//! router and binds the listener; [`Application::run_until_stopped`] serves until told to stop.
//! The binary and the tests go through the same code.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::FromRef;
use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use super::auth::accounts::RegistrationPolicy;
use super::auth::session::SessionSettings;
use super::config::{HttpSettings, Settings};
use super::db::Db;
use super::http;

/// Shared by every request: handed to axum handlers as state and to Leptos renders and server
/// functions as context.
#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub sessions: SessionSettings,
    pub registration: RegistrationPolicy,
    /// `scheme://host[:port]` of the public URL, when configured (used by the CSRF check).
    pub public_origin: Option<Arc<str>>,
    /// Reverse proxies whose forwarding header is believed, and which header that is.
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    pub forwarded_header: super::auth::client::ForwardedHeader,
    /// Largest CSV file an import accepts.
    pub max_import_bytes: usize,
    /// Who may read `/metrics`.
    pub metrics: Arc<super::metrics::MetricsAccess>,
    /// Each API token's requests per minute.
    pub api_limiter: Arc<super::api::Limiter>,
    /// The live updates' streams and the changes handed to them.
    pub live: Arc<super::live::Feed>,
}

pub struct Application {
    listener: TcpListener,
    /// With `--tls-cert`: the TLS set-up, and the plain-HTTP listener that redirects to it.
    tls: Option<tokio_rustls::TlsAcceptor>,
    redirect: Option<(TcpListener, axum::Router)>,
    router: axum::Router,
    db: Db,
    http: HttpSettings,
    sessions: SessionSettings,
    live: Arc<super::live::Feed>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // Settings that cannot work are refused before anything is touched.
        if settings.http.tls.is_some()
            && settings
                .auth
                .public_origin
                .as_deref()
                .is_some_and(|o| !o.starts_with("https://"))
        {
            anyhow::bail!("with --tls-cert, --public-url must start with https://");
        }
        let db = Db::connect(&settings.database).await?;
        let applied = db.migrate().await?;
        tracing::info!(applied, path = %db.path().display(), "database ready");
        let rebuilt = super::db::seed::finish_pending(&db, &mut super::db::seed::Silent)
            .await
            .context("cannot finish the interrupted bulk load")?;
        if rebuilt > 0 {
            tracing::warn!(rebuilt, "an interrupted `clientele seed` was finished");
        }
        let stopped = db
            .fail_interrupted_imports(super::auth::session::now())
            .await
            .context("cannot clean up the imports")?;
        if stopped > 0 {
            tracing::warn!(stopped, "imports under way at the last stop were stopped");
        }
        let removed = super::import::file::remove_finished(&db)
            .await
            .context("cannot clean up the imports' files")?;
        if removed > 0 {
            tracing::info!(removed, "files of finished imports removed");
        }
        // (On PostgreSQL a key is claimed in its effect's transaction: none is ever left.)
        let released = match db.backend() {
            super::db::Backend::Sqlite => db
                .release_unfinished_idempotency_keys()
                .await
                .context("cannot clean up the idempotency keys")?,
            super::db::Backend::Postgres => 0,
        };
        if released > 0 {
            tracing::info!(
                released,
                "forms interrupted by the last stop may be sent again"
            );
        }

        let addr = settings.leptos.site_addr;
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let mut registration = settings.auth.registration;
        registration.local_setup &= settings.http.trusted_proxies.is_empty();
        if db
            .count_users()
            .await
            .context("cannot count the accounts")?
            == 0
        {
            // Every instance sharing the database prints, and accepts, the same token.
            registration.setup_token = db
                .setup_token(&registration.setup_token)
                .await
                .context("cannot keep the setup token")?
                .into();
            let scheme = if settings.http.tls.is_some() {
                "https"
            } else {
                "http"
            };
            tracing::warn!(
                "No account exists yet. Create the first (administrator) account from this machine at \
                 {scheme}://{addr}/register, or from elsewhere at /register?setup={}",
                registration.setup_token
            );
        }
        let mut sessions = settings.auth.sessions;
        // Served over HTTPS: cookies `Secure` with the `__Host-` prefix, and HSTS.
        sessions.secure |= settings.http.tls.is_some();
        let tls = settings
            .http
            .tls
            .as_ref()
            .map(super::tls::acceptor)
            .transpose()?;
        let redirect = match settings.http.tls.as_ref().and_then(|t| t.redirect_from) {
            Some(from) => {
                let plain = TcpListener::bind(from)
                    .await
                    .with_context(|| format!("cannot listen on {from}"))?;
                let port = listener.local_addr()?.port();
                let origin = settings.auth.public_origin.clone();
                let router = axum::Router::new().fallback(move |request| {
                    super::tls::redirect_to_https(port, origin.clone(), request)
                });
                Some((plain, router))
            }
            None => None,
        };
        let state = AppState {
            leptos_options: settings.leptos,
            db: db.clone(),
            sessions,
            registration,
            public_origin: settings.auth.public_origin,
            trusted_proxies: settings.http.trusted_proxies.clone().into(),
            forwarded_header: settings.http.forwarded_header,
            max_import_bytes: settings.http.max_import_bytes,
            metrics: Arc::new(settings.http.metrics.clone()),
            api_limiter: super::api::Limiter::new(settings.http.api_requests_per_minute),
            live: super::live::Feed::new(),
        };
        let live = state.live.clone();
        if settings.http.metrics.enabled() {
            super::metrics::install();
        }
        let router = http::router(state, &settings.http);
        Ok(Self {
            listener,
            tls,
            redirect,
            router,
            db,
            http: settings.http,
            sessions,
            live,
        })
    }

    /// The address actually bound (port 0 in the settings picks a free port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The plain-HTTP address that redirects to HTTPS, if any.
    pub fn redirect_addr(&self) -> Option<SocketAddr> {
        self.redirect
            .as_ref()
            .and_then(|(l, _)| l.local_addr().ok())
    }

    /// Serves until `shutdown` completes; then stops accepting connections, lets in-flight requests
    /// finish (for at most the configured grace period) and closes the database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(address = %self.local_addr(), "listening");
        let stopping = Arc::new(Notify::new());
        let notify = stopping.clone();
        let live = self.live.clone();
        let stopped = async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            // Live updates' streams never finish by themselves.
            live.stop();
            notify.notify_one();
        };
        let server: std::pin::Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> =
            match self.tls {
                Some(acceptor) => Box::pin(
                    axum::serve(
                        super::tls::TlsListener::new(self.listener, acceptor)?,
                        self.router
                            .into_make_service_with_connect_info::<super::tls::TlsPeer>(),
                    )
                    .with_graceful_shutdown(stopped)
                    .into_future(),
                ),
                None => {
                    // No Nagle delay: a response whose body follows its head in a second write (a
                    // static file, a streamed page) would otherwise wait for the client's delayed
                    // ACK (~40 ms).
                    let listener = self.listener.tap_io(|stream| {
                        if let Err(error) = stream.set_nodelay(true) {
                            tracing::debug!(%error, "cannot set TCP_NODELAY");
                        }
                    });
                    Box::pin(
                        axum::serve(
                            listener,
                            self.router
                                .into_make_service_with_connect_info::<SocketAddr>(),
                        )
                        .with_graceful_shutdown(stopped)
                        .into_future(),
                    )
                }
            };
        let redirect = self.redirect.map(|(listener, router)| {
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the HTTP redirect listener failed");
                }
            })
        });
        let (stop_cleanup, cleanup_stopped) = tokio::sync::oneshot::channel::<()>();
        // Upkeep is not a request: its bulk deletes run without the statement deadline.
        let cleanup = tokio::spawn(super::db::without_deadline(upkeep(
            self.db.clone(),
            self.sessions,
            cleanup_stopped,
        )));
        let feed = tokio::spawn(self.live.clone().run(self.db.clone()));
        let grace = self.http.shutdown_grace;
        let result = tokio::select! {
            result = server => result.context("the server failed"),
            () = grace_expired(stopping, grace) => {
                tracing::warn!(?grace, "grace period over: dropping the remaining connections");
                Ok(())
            }
        };
        let _ = stop_cleanup.send(());
        let _ = cleanup.await;
        self.live.stop();
        let _ = feed.await;
        if let Some(redirect) = redirect {
            redirect.abort();
        }
        self.db.close().await;
        tracing::info!("stopped");
        result
    }
}

/// How long an import's step may show no sign of life before another server stops it.
const QUIET_IMPORT_SECS: i64 = 120;

/// Every minute, stops the imports of a server that was lost (see [`Db::stop_quiet_imports`]);
/// every five, deletes expired sessions (the cookie store's and the sign-in sessions with their
/// recorded address and browser), sign-in attempts too old to matter, and records that have been
/// in the trash for 30 days.
async fn upkeep(db: Db, sessions: SessionSettings, mut stop: tokio::sync::oneshot::Receiver<()>) {
    use tower_sessions::session_store::ExpiredDeletion;
    let store = super::auth::session::DbStore::new(&db);
    let period = Duration::from_secs(60);
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    for minute in 1u64.. {
        tokio::select! {
            _ = every.tick() => {}
            _ = &mut stop => return,
        }
        let now = super::auth::session::now();
        match db.stop_quiet_imports(now, now - QUIET_IMPORT_SECS).await {
            Ok(0) => {}
            Ok(stopped) => tracing::warn!(
                stopped,
                "imports of a server that stopped answering were stopped"
            ),
            Err(error) => tracing::warn!(%error, "cannot check the imports under way"),
        }
        if minute % 5 != 0 {
            continue;
        }
        if let Err(error) = store.delete_expired().await {
            tracing::warn!(%error, "cannot delete expired sessions");
        }
        let now = super::auth::session::now();
        match db
            .prune_auth_sessions(now - sessions.idle_secs(), now - sessions.absolute_secs())
            .await
        {
            Ok(0) => {}
            Ok(ended) => tracing::info!(ended, "expired sign-in sessions deleted"),
            Err(error) => tracing::warn!(%error, "cannot delete expired sign-in sessions"),
        }
        let before = super::auth::session::now() - 24 * 60 * 60;
        if let Err(error) = db.prune_sign_in_attempts(before).await {
            tracing::warn!(%error, "cannot prune sign-in attempts");
        }
        let keys_before = super::auth::session::now() - super::idempotency::KEEP_SECS;
        if let Err(error) = db.prune_idempotency_keys(keys_before).await {
            tracing::warn!(%error, "cannot prune idempotency keys");
        }
        match super::records::empty_old_trash(&db, super::auth::session::now()).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "old records deleted from the trash"),
            Err(error) => tracing::warn!(%error, "cannot empty the trash"),
        }
    }
}

async fn grace_expired(stopping: Arc<Notify>, grace: Duration) {
    stopping.notified().await;
    tokio::time::sleep(grace).await;
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
