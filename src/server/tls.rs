//! HTTPS without a proxy: `--tls-cert` and `--tls-key` (PEM files) make the server speak TLS
//! (rustls, HTTP/2 and HTTP/1.1), with HSTS and `Secure`, `__Host-` cookies; `--http-redirect`
//! adds a plain-HTTP listener that only redirects to HTTPS.
//!
//! [`TlsListener`] plugs TLS into `axum::serve` (so graceful shutdown and the client's address
//! work as without TLS): a background task accepts connections and runs each handshake in a task
//! of its own, with a deadline and at most [`MAX_HANDSHAKES`] at once, so a slow or silent client
//! never holds up the others.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::Request;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Where the certificate and key are, and where plain HTTP is redirected from.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    /// The certificate chain (PEM), the server's certificate first.
    pub cert: PathBuf,
    /// Its private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// A plain-HTTP address whose every request is redirected to HTTPS.
    pub redirect_from: Option<SocketAddr>,
}

/// Longest a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections whose handshake is done, waiting for `accept`.
const READY_QUEUE: usize = 64;

/// Handshakes under way at once; beyond it, no new connection is taken until one ends (so silent
/// clients cannot pile up tasks).
const MAX_HANDSHAKES: usize = 256;

/// The TLS configuration from the settings' PEM files, offering HTTP/2 and HTTP/1.1.
pub fn acceptor(settings: &TlsSettings) -> anyhow::Result<TlsAcceptor> {
    let read = |path: &Path| {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let certs = CertificateDer::pem_slice_iter(&read(&settings.cert)?)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("no certificate in {}", settings.cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("no certificate in {}", settings.cert.display());
    }
    let key = PrivateKeyDer::from_pem_slice(&read(&settings.key)?)
        .with_context(|| format!("no private key in {}", settings.key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("cannot set up TLS")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the certificate and the key do not go together")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A TCP listener whose connections come out TLS-terminated (see the module's comment).
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (done, ready) = mpsc::channel(READY_QUEUE);
        let handshakes = Arc::new(tokio::sync::Semaphore::new(MAX_HANDSHAKES));
        let accepting = tokio::spawn(async move {
            loop {
                let Ok(place) = Arc::clone(&handshakes).acquire_owned().await else {
                    return;
                };
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: wait, as axum::serve does.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "cannot set TCP_NODELAY");
                }
                let (acceptor, done) = (acceptor.clone(), done.clone());
                tokio::spawn(async move {
                    let shaken =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await;
                    // The place is for handshakes: a finished one waits for `accept` without it.
                    drop(place);
                    match shaken {
                        Ok(Ok(tls)) => {
                            let _ = done.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%error, %peer, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self {
            ready,
            local,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task has ended (it never does while the listener lives).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The client's address on a TLS connection (what `ConnectInfo<SocketAddr>` is without TLS).
#[derive(Debug, Clone, Copy)]
pub struct TlsPeer(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TlsListener>>
    for TlsPeer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, TlsListener>) -> Self {
        TlsPeer(*stream.remote_addr())
    }
}

/// The plain-HTTP listener's only answer: the same path and query on HTTPS, at `https_port`
/// (left out when 443), on the host asked for (or the public URL's, when configured).
pub async fn redirect_to_https(
    https_port: u16,
    public_origin: Option<Arc<str>>,
    request: Request,
) -> Response {
    let target = public_origin
        .as_deref()
        .filter(|o| o.starts_with("https://"));
    let origin = match target {
        Some(origin) => origin.to_owned(),
        None => {
            let Some(host) = request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.parse::<axum::http::uri::Authority>().ok())
            else {
                return (StatusCode::BAD_REQUEST, "A Host header is needed.\n").into_response();
            };
            match https_port {
                443 => format!("https://{}", host.host()),
                port => format!("https://{}:{port}", host.host()),
            }
        }
    };
    let path = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    match format!("{origin}{path}").parse::<Uri>() {
        Ok(uri) => Redirect::permanent(&uri.to_string()).into_response(),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            "That address cannot be redirected.\n",
        )
            .into_response(),
    }
}
