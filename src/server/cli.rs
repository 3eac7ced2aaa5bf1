//! The command line: `clientele [serve]`, `migrate`, and the commands for accounts, data and
//! backups.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use super::auth::client::ForwardedHeader;
use super::config::{self, AuthSettings, DatabaseSettings, HttpSettings, Settings};
use super::metrics::MetricsAccess;
use super::telemetry::{self, LogFormat};
use super::tls::TlsSettings;

mod backup;
mod commands;
mod execute;
mod export;
mod import;
mod migrate;
mod progress;
mod users;

use commands::{Command, Exportable, UserCommand};
use progress::ProgressBar;

#[derive(Debug, Parser)]
#[command(
    name = "clientele",
    version,
    about = "A self-hosted CRM for small teams"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Folder for the SQLite database (created if missing).
    #[arg(
        long,
        env = "CLIENTELE_DATA_DIR",
        default_value = "data",
        global = true
    )]
    data_dir: PathBuf,

    /// Database URL: SQLite, e.g. sqlite:///var/lib/clientele/crm.db (default:
    /// DATA_DIR/clientele.db), or PostgreSQL, postgres://USER:PASSWORD@HOST:PORT/NAME.
    #[arg(
        long,
        env = "CLIENTELE_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    database_url: Option<String>,

    /// Address and port to listen on (default: site-addr from Leptos.toml, 127.0.0.1:3000).
    #[arg(long, env = "CLIENTELE_LISTEN", global = true)]
    listen: Option<SocketAddr>,

    /// Leptos run-time settings (site root, package directory, environment).
    #[arg(
        long,
        env = "CLIENTELE_LEPTOS_CONFIG",
        default_value = "Leptos.toml",
        global = true
    )]
    leptos_config: PathBuf,

    /// Log format.
    #[arg(long, env = "CLIENTELE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    log_format: LogFormat,

    /// Seconds a request may take before it is answered with 408.
    #[arg(
        long,
        env = "CLIENTELE_REQUEST_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    request_timeout: u64,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "CLIENTELE_MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024, global = true)]
    max_body_bytes: usize,

    /// Largest CSV file `/import` accepts, in bytes.
    #[arg(long, env = "CLIENTELE_MAX_IMPORT_BYTES", default_value_t = 256 * 1024 * 1024, global = true)]
    max_import_bytes: usize,

    /// Requests per minute each API access token may send (a tenth of them at once); more get 429.
    #[arg(
        long,
        env = "CLIENTELE_API_REQUESTS_PER_MINUTE",
        default_value_t = 600,
        global = true
    )]
    api_requests_per_minute: u32,

    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(
        long,
        env = "CLIENTELE_SHUTDOWN_GRACE",
        default_value_t = 30,
        global = true
    )]
    shutdown_grace: u64,

    /// Largest number of pooled database connections (default: 4 per core, 4 to 32).
    #[arg(long, env = "CLIENTELE_DB_MAX_CONNECTIONS", global = true)]
    db_max_connections: Option<u32>,

    /// The address people use to reach Clientele, e.g. https://crm.example.com. With https, cookies
    /// are Secure and __Host- prefixed and HSTS is sent; cross-site checks compare against it.
    #[arg(long, env = "CLIENTELE_PUBLIC_URL", global = true)]
    public_url: Option<String>,

    /// Reverse proxies in front of Clientele (addresses or CIDR ranges, comma-separated, e.g.
    /// 127.0.0.1/32,10.0.0.0/8). Only requests from these take the client's address from the
    /// `Forwarded` or `X-Forwarded-For` header; from anyone else those headers are ignored.
    #[arg(
        long,
        env = "CLIENTELE_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = parse_network,
        global = true
    )]
    trusted_proxies: Vec<ipnet::IpNet>,

    /// The header the trusted proxies set to name the client; the other one is ignored (proxies
    /// pass it through from the client unchanged).
    #[arg(
        long,
        env = "CLIENTELE_FORWARDED_HEADER",
        value_enum,
        default_value_t = ForwardedHeader::XForwardedFor,
        global = true
    )]
    forwarded_header: ForwardedHeader,

    /// Serve HTTPS with this certificate chain (PEM; the server's certificate first). Needs
    /// --tls-key. Cookies are then `Secure` (with the `__Host-` prefix) and responses carry HSTS.
    #[arg(long, env = "CLIENTELE_TLS_CERT", requires = "tls_key", global = true)]
    tls_cert: Option<PathBuf>,

    /// The certificate's private key (PEM).
    #[arg(long, env = "CLIENTELE_TLS_KEY", requires = "tls_cert", global = true)]
    tls_key: Option<PathBuf>,

    /// With TLS: also listen for plain HTTP here (e.g. 0.0.0.0:80), answering every request with
    /// a redirect to the same address on HTTPS.
    #[arg(
        long,
        env = "CLIENTELE_HTTP_REDIRECT",
        requires = "tls_cert",
        global = true
    )]
    http_redirect: Option<SocketAddr>,

    /// Serve Prometheus metrics at /metrics to requests with `Authorization: Bearer TOKEN` (at
    /// least 16 characters). Off unless this or --metrics-allow is given.
    #[arg(
        long,
        env = "CLIENTELE_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    metrics_token: Option<String>,

    /// Serve /metrics to requests from these addresses or CIDR ranges (comma-separated, e.g.
    /// 127.0.0.1/32), without a token.
    #[arg(
        long,
        env = "CLIENTELE_METRICS_ALLOW",
        value_delimiter = ',',
        value_parser = parse_network,
        global = true
    )]
    metrics_allow: Vec<ipnet::IpNet>,

    /// Let anyone create a (member) account without an invitation.
    #[arg(long, env = "CLIENTELE_OPEN_REGISTRATION", global = true)]
    open_registration: bool,

    /// Minutes of inactivity after which a session ends.
    #[arg(
        long,
        env = "CLIENTELE_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    session_idle_minutes: u64,

    /// Hours after sign-in at which a session ends, however active.
    #[arg(
        long,
        env = "CLIENTELE_SESSION_MAX_HOURS",
        default_value_t = 12,
        global = true
    )]
    session_max_hours: u64,
}

impl Cli {
    fn database(&self) -> anyhow::Result<DatabaseSettings> {
        let mut database = DatabaseSettings::new(self.database_url.as_deref(), &self.data_dir)?;
        if let Some(n) = self.db_max_connections {
            database.max_connections = n.max(1);
        }
        Ok(database)
    }

    fn settings(&self) -> anyhow::Result<Settings> {
        Ok(Settings {
            leptos: config::leptos_options(&self.leptos_config, self.listen)?,
            database: self.database()?,
            http: HttpSettings {
                request_timeout: Duration::from_secs(self.request_timeout.max(1)),
                max_body_bytes: self.max_body_bytes,
                max_import_bytes: self.max_import_bytes,
                api_requests_per_minute: self.api_requests_per_minute,
                shutdown_grace: Duration::from_secs(self.shutdown_grace),
                trusted_proxies: self.trusted_proxies.clone(),
                forwarded_header: self.forwarded_header,
                metrics: self.metrics()?,
                tls: match (&self.tls_cert, &self.tls_key) {
                    (Some(cert), Some(key)) => Some(TlsSettings {
                        cert: cert.clone(),
                        key: key.clone(),
                        redirect_from: self.http_redirect,
                    }),
                    _ => None,
                },
            },
            auth: self.auth()?,
        })
    }

    fn metrics(&self) -> anyhow::Result<MetricsAccess> {
        if let Some(token) = &self.metrics_token {
            if token.trim().chars().count() < MetricsAccess::MIN_TOKEN_CHARS {
                anyhow::bail!(
                    "--metrics-token must have at least {} characters",
                    MetricsAccess::MIN_TOKEN_CHARS
                );
            }
        }
        Ok(MetricsAccess {
            token: self.metrics_token.as_ref().map(|t| t.trim().to_owned()),
            allow: self.metrics_allow.clone(),
        })
    }

    fn auth(&self) -> anyhow::Result<AuthSettings> {
        let mut auth = AuthSettings::new(self.public_url.as_deref(), self.open_registration)?;
        auth.sessions.idle_timeout = Duration::from_secs(self.session_idle_minutes.max(1) * 60);
        auth.sessions.absolute_timeout = Duration::from_secs(self.session_max_hours.max(1) * 3600);
        Ok(auth)
    }
}

/// A network (`10.0.0.0/8`) or a single address (`127.0.0.1`, `::1`).
fn parse_network(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{text:?} is not an IP address or CIDR range"))
}

/// Runs the command given on the command line. Failures are reported as one line on stderr.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    match execute::execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("clientele: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
