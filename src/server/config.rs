//! Configuration of a server process, resolved once at start-up from the command line, the
//! environment (`CLIENTELE_*`, `LEPTOS_*`) and `Leptos.toml`.

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use leptos::config::{get_config_from_str, LeptosOptions};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use crate::server::auth::accounts::RegistrationPolicy;
use crate::server::auth::session::SessionSettings;

/// The repository's own `Leptos.toml`, used when no such file is found at run time, so the binary
/// also runs on its own (values can still be overridden with `LEPTOS_*` variables).
const DEFAULT_LEPTOS_TOML: &str = include_str!("../../Leptos.toml");

/// Default of [`DatabaseSettings::statement_timeout`]: well under the request timeout, so no
/// statement outlives the request that started it.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(8);

/// Name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "clientele.db";

#[derive(Debug, Clone)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub database: DatabaseSettings,
    pub http: HttpSettings,
    pub auth: AuthSettings,
}

/// Sessions, registration and the site's public identity.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub sessions: SessionSettings,
    pub registration: RegistrationPolicy,
    /// `scheme://host[:port]` of `--public-url`, if given.
    pub public_origin: Option<Arc<str>>,
}

impl AuthSettings {
    /// Settings for a site served at `public_url` (None: plain HTTP at whatever host is asked).
    pub fn new(public_url: Option<&str>, open_registration: bool) -> anyhow::Result<Self> {
        let public_origin = public_url.map(origin_of).transpose()?;
        let secure = public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"));
        Ok(Self {
            sessions: SessionSettings {
                secure,
                ..SessionSettings::default()
            },
            registration: RegistrationPolicy {
                open: open_registration,
                setup_token: crate::server::auth::session::random_token().into(),
                local_setup: public_origin.is_none(),
            },
            public_origin: public_origin.map(Into::into),
        })
    }
}

/// `https://crm.example.com/some/path` → `https://crm.example.com`.
fn origin_of(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url
        .split_once("://")
        .filter(|(s, _)| *s == "http" || *s == "https")
        .with_context(|| format!("the public URL {url:?} must start with http:// or https://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    anyhow::ensure!(!host.is_empty(), "the public URL {url:?} has no host");
    anyhow::ensure!(
        !host.contains('@'),
        "the public URL {url:?} must not contain a user name or password"
    );
    // Browsers leave the scheme's default port out of `Origin`.
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = host.strip_suffix(default_port).unwrap_or(host);
    Ok(format!("{scheme}://{}", host.to_lowercase()))
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// Where the SQLite file is, and how to open it (with `postgres`, only its folder is used:
    /// uploaded files are kept there).
    pub connect: SqliteConnectOptions,
    /// The PostgreSQL server to use instead of the SQLite file (`--database-url postgres://…`).
    pub postgres: Option<PgConnectOptions>,
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long a statement waits for a lock held by another connection.
    pub busy_timeout: Duration,
    /// Longest time one use of a connection (a statement, or a transaction) may run before SQLite
    /// interrupts it; `None` for no limit (bulk loads from the command line).
    pub statement_timeout: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// A request taking longer than this is answered with 408.
    pub request_timeout: Duration,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest CSV file accepted by `/import` (its upload also gets its own, longer, timeout).
    pub max_import_bytes: usize,
    /// After SIGTERM/SIGINT, how long in-flight requests get to finish.
    pub shutdown_grace: Duration,
    /// Reverse proxies whose forwarding header names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header they set.
    pub forwarded_header: crate::server::auth::client::ForwardedHeader,
    /// Who may read `/metrics` (nobody by default).
    pub metrics: crate::server::metrics::MetricsAccess,
    /// HTTPS without a proxy.
    pub tls: Option<crate::server::tls::TlsSettings>,
    /// Requests per minute each API token may send.
    pub api_requests_per_minute: u32,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 2 * 1024 * 1024,
            max_import_bytes: 256 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
            forwarded_header: Default::default(),
            metrics: Default::default(),
            tls: None,
            api_requests_per_minute: 600,
        }
    }
}

impl DatabaseSettings {
    /// Settings for the database at `url` (`sqlite://path` or `postgres://…`), or
    /// `data_dir/clientele.db` without one.
    pub fn new(url: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let in_data_dir = || SqliteConnectOptions::new().filename(data_dir.join(DATABASE_FILE));
        let scheme = url
            .and_then(|u| u.split_once(':'))
            .map(|(s, _)| s.to_ascii_lowercase());
        let (connect, postgres) = match (url, scheme.as_deref()) {
            (Some(url), Some("postgres" | "postgresql")) => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| anyhow::anyhow!("invalid PostgreSQL database URL: {e}"))?;
                (in_data_dir(), Some(options))
            }
            (Some(url), Some("sqlite")) => (
                SqliteConnectOptions::from_str(url)
                    .with_context(|| format!("invalid database URL {url:?}"))?,
                None,
            ),
            // Never echoed: it may hold a password.
            (Some(_), _) => anyhow::bail!(
                "the database URL must start with sqlite:// or postgres:// (or postgresql://)"
            ),
            (None, _) => (in_data_dir(), None),
        };
        Ok(Self {
            connect,
            postgres,
            max_connections: default_pool_size(),
            busy_timeout: Duration::from_secs(5),
            statement_timeout: Some(STATEMENT_TIMEOUT),
        })
    }

    /// The database file on disk (with PostgreSQL, where it would be: in the data folder).
    pub fn path(&self) -> &Path {
        self.connect.get_filename()
    }

    /// Whether the database is a PostgreSQL server.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The database for messages: the SQLite file, or the PostgreSQL server and database
    /// (never its password).
    pub fn describe(&self) -> String {
        match &self.postgres {
            Some(pg) => format!(
                "postgres://{}:{}/{}",
                pg.get_host(),
                pg.get_port(),
                pg.get_database().unwrap_or_default()
            ),
            None => self.path().display().to_string(),
        }
    }
}

/// SQLite serves readers concurrently (WAL) and one writer at a time: a few connections per core.
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 4).unwrap_or(8).clamp(4, 32)
}

/// Reads the Leptos run-time settings from `path`, falling back to the built-in copy of
/// `Leptos.toml` when the file does not exist; `LEPTOS_*` environment variables override both.
pub fn leptos_options(path: &Path, listen: Option<SocketAddr>) -> anyhow::Result<LeptosOptions> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => DEFAULT_LEPTOS_TOML.to_owned(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut options = get_config_from_str(&text)
        .with_context(|| format!("invalid Leptos settings in {}", path.display()))?;
    if let Some(listen) = listen {
        options.site_addr = listen;
    }
    // The release build names the bundle files by their content hash and lists the hashes in a
    // file beside the binary. Without that file (a build without hashing, `cargo run`), plain
    // names are used rather than links to files that do not exist.
    if options.hash_files && !hash_file(&options).is_some_and(|f| f.exists()) {
        tracing::info!(
            "no {} beside the binary: bundle files have plain names",
            options.hash_file
        );
        options.hash_files = false;
    }
    Ok(options)
}

/// Where leptos looks for the file of bundle hashes: beside the running binary.
fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(&*options.hash_file))
}

/// Creates the folder that will hold `file`, if it is missing.
pub fn ensure_parent_dir(file: &Path) -> anyhow::Result<PathBuf> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_sets_the_origin_and_https_makes_cookies_secure() {
        let auth = AuthSettings::new(Some("https://CRM.example.com/app/"), false).unwrap();
        assert_eq!(
            auth.public_origin.as_deref(),
            Some("https://crm.example.com")
        );
        assert!(auth.sessions.secure);
        assert_eq!(auth.sessions.cookie_name(), "__Host-clientele");
        let plain = AuthSettings::new(None, true).unwrap();
        assert!(!plain.sessions.secure && plain.registration.open);
        assert!(AuthSettings::new(Some("crm.example.com"), false).is_err());
    }

    #[test]
    fn public_url_default_ports_are_left_out_and_user_names_refused() {
        let origin = |url| AuthSettings::new(Some(url), false).map(|a| a.public_origin);
        assert_eq!(
            origin("https://crm.example.com:443/").unwrap().as_deref(),
            Some("https://crm.example.com")
        );
        assert_eq!(
            origin("http://crm.example.com:80").unwrap().as_deref(),
            Some("http://crm.example.com")
        );
        assert_eq!(
            origin("https://crm.example.com:8443").unwrap().as_deref(),
            Some("https://crm.example.com:8443")
        );
        assert!(origin("https://me@crm.example.com").is_err());
    }

    #[test]
    fn default_database_lives_in_the_data_dir() {
        let settings = DatabaseSettings::new(None, Path::new("some/dir")).unwrap();
        assert_eq!(settings.path(), Path::new("some/dir/clientele.db"));
        assert!(settings.max_connections >= 4);
    }

    #[test]
    fn database_url_wins_over_the_data_dir() {
        let settings = DatabaseSettings::new(Some("sqlite:///tmp/x.db"), Path::new("d")).unwrap();
        assert_eq!(settings.path(), Path::new("/tmp/x.db"));
    }

    #[test]
    fn built_in_leptos_settings_parse_and_listen_overrides() {
        let missing = Path::new("/nonexistent/Leptos.toml");
        let options = leptos_options(missing, None).unwrap();
        assert_eq!(&*options.output_name, "clientele");
        assert_eq!(&*options.site_pkg_dir, "pkg");
        let addr: SocketAddr = "127.0.0.1:4567".parse().unwrap();
        assert_eq!(leptos_options(missing, Some(addr)).unwrap().site_addr, addr);
    }
}
