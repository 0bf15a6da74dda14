//! The optional TLS listener (`diorama serve --tls-addr ADDR`), for creator
//! tools whose client libraries keep the platforms' `https://` hosts: with
//! a hosts-file entry (or a resolver override) sending a platform's API
//! host to this server, the request arrives here, is routed by its `Host`
//! header to the platform's native API, and is answered over TLS with a
//! certificate for that host.
//!
//! The certificates come from a certificate authority made on this machine
//! the first time and kept in the data folder (`tls/ca.pem`, its key in
//! `tls/ca.key.pem`, readable by the owner only), so a client or system
//! told once to trust it keeps trusting the server across restarts. Each
//! start issues a fresh server certificate from it for every host the
//! loaded plugins declare (`api_hosts`), `localhost`, `127.0.0.1` and
//! `::1`; it is kept in memory only.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The certificate time of the start of `t`'s day (UTC).
macro_rules! day {
    ($t:expr) => {{
        use chrono::Datelike;
        let t = $t;
        rcgen::date_time_ymd(t.year(), t.month() as u8, t.day() as u8)
    }};
}

/// The folder of the data directory that holds the authority.
pub const DIR: &str = "tls";
/// The authority's certificate (PEM): what a client is told to trust.
pub const CA_FILE: &str = "ca.pem";
/// Its private key (PEM, PKCS #8), readable by the owner only.
const CA_KEY_FILE: &str = "ca.key.pem";
/// The authority's name, as clients show it.
const CA_NAME: &str = "diorama local certificate authority";

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes in progress at once; more connections wait to be accepted.
const MAX_HANDSHAKES: usize = 64;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("the TLS folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is there but {missing} is not: remove the folder {dir} to make a new certificate authority (clients must then trust the new one)")]
    Half {
        path: PathBuf,
        missing: PathBuf,
        dir: PathBuf,
    },
    #[error("the certificate authority's key {path} cannot be used: {source}")]
    Key { path: PathBuf, source: rcgen::Error },
    #[error("cannot make a certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot set up TLS: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("`{0}` is not a valid certificate name")]
    Name(String),
}

/// The local certificate authority and the server certificate it issued
/// for this run.
pub struct Authority {
    /// Where the authority's certificate is.
    pub ca_file: PathBuf,
    /// The names the server certificate covers.
    pub names: Vec<String>,
    config: Arc<rustls::ServerConfig>,
}

impl Authority {
    /// The authority kept under `data` (made the first time), and a
    /// server certificate for `hosts`, `localhost` and the loopback
    /// addresses.
    pub fn open(data: &Path, hosts: &[String]) -> Result<Authority, TlsError> {
        let dir = data.join(DIR);
        let ca_file = dir.join(CA_FILE);
        let key_file = dir.join(CA_KEY_FILE);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TlsError::Io { path, source }
        };
        let (ca_pem, key) = match (ca_file.exists(), key_file.exists()) {
            (true, true) => {
                let pem = std::fs::read_to_string(&key_file).map_err(io(&key_file))?;
                let key = KeyPair::from_pem(&pem).map_err(|source| TlsError::Key {
                    path: key_file.clone(),
                    source,
                })?;
                let ca_pem = std::fs::read_to_string(&ca_file).map_err(io(&ca_file))?;
                (ca_pem, key)
            }
            (false, false) => {
                std::fs::create_dir_all(&dir).map_err(io(&dir))?;
                let key = KeyPair::generate()?;
                let ca = ca_params().self_signed(&key)?;
                write_private(&key_file, key.serialize_pem().as_bytes()).map_err(io(&key_file))?;
                write_new(&ca_file, ca.pem().as_bytes()).map_err(io(&ca_file))?;
                (ca.pem(), key)
            }
            (has_ca, _) => {
                let (path, missing) = if has_ca {
                    (ca_file.clone(), key_file.clone())
                } else {
                    (key_file.clone(), ca_file.clone())
                };
                return Err(TlsError::Half { path, missing, dir });
            }
        };
        // The issuer is the same name and key as the certificate on disk:
        // what a leaf it signs names as its issuer, and verifies against.
        let issuer = Issuer::new(ca_params(), key);
        let mut names: Vec<String> = Vec::new();
        for h in hosts
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .chain(["localhost".to_string()])
        {
            if !names.contains(&h) {
                names.push(h);
            }
        }
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, "diorama local server");
        for n in &names {
            let name = n
                .as_str()
                .try_into()
                .map_err(|_| TlsError::Name(n.clone()))?;
            params.subject_alt_names.push(SanType::DnsName(name));
        }
        for ip in [
            std::net::IpAddr::from([127, 0, 0, 1]),
            std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ] {
            params.subject_alt_names.push(SanType::IpAddress(ip));
        }
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        // Valid from yesterday for 397 days (the most a browser accepts).
        let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
        params.not_before = day!(now - chrono::Duration::days(1));
        params.not_after = day!(now + chrono::Duration::days(397));
        let leaf_key = KeyPair::generate()?;
        let leaf = params.signed_by(&leaf_key, &issuer)?;
        let ca_der = rustls_pemfile_cert(&ca_pem).ok_or_else(|| TlsError::Io {
            path: ca_file.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not a PEM certificate"),
        })?;
        let chain = vec![leaf.der().clone(), ca_der];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Authority {
            ca_file,
            names,
            config: Arc::new(config),
        })
    }

    /// Accept TLS connections on `listener`: handshakes run beside each
    /// other (at most [`MAX_HANDSHAKES`], each within
    /// [`HANDSHAKE_TIMEOUT`]); at most `max_connections` are open at once.
    pub fn listen(&self, listener: TcpListener, max_connections: usize) -> TlsListener {
        let local = listener.local_addr();
        let (tx, rx) = mpsc::channel(MAX_HANDSHAKES);
        let acceptor = TlsAcceptor::from(self.config.clone());
        let open = Arc::new(Semaphore::new(max_connections.max(1)));
        let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
        let task = tokio::spawn(async move {
            loop {
                let Ok(place) = open.clone().acquire_owned().await else {
                    return;
                };
                let Ok(turn) = handshakes.clone().acquire_owned().await else {
                    return;
                };
                let (tcp, addr) = match listener.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "accepting a TLS connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let shake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp));
                    let done = shake.await;
                    drop(turn);
                    match done {
                        Ok(Ok(io)) => {
                            let _ = tx.send((TlsIo { io, _place: place }, addr)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, %addr, "a TLS handshake failed"),
                        Err(_) => tracing::debug!(%addr, "a TLS handshake timed out"),
                    }
                });
            }
        });
        TlsListener {
            rx,
            local,
            _task: AbortOnDrop(task),
        }
    }
}

/// Serve the API on `listener` until `shutdown` completes; requests are
/// marked as having come over TLS.
pub async fn serve(
    listener: TlsListener,
    state: super::ApiState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = super::router(state).layer(axum::Extension(super::native::Secure));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// The authority's subject and powers, the same at every start.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_NAME);
    dn.push(DnType::OrganizationName, "diorama");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    // Ten years from the first start.
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    params.not_before = day!(now - chrono::Duration::days(1));
    params.not_after = day!(now + chrono::Duration::days(3650));
    params
}

/// The first certificate of a PEM text, as DER.
fn rustls_pemfile_cert(pem: &str) -> Option<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes()).ok()
}

/// Write a file that must not exist yet.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Write a file that must not exist yet, readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A TLS connection holding its place under the connection cap.
pub struct TlsIo {
    io: TlsStream<TcpStream>,
    _place: OwnedSemaphorePermit,
}

impl tokio::io::AsyncRead for TlsIo {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for TlsIo {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The connections whose handshake succeeded, for `axum::serve`.
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsIo, SocketAddr)>,
    local: std::io::Result<SocketAddr>,
    _task: AbortOnDrop,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The accepting task ended (the runtime is stopping).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        match &self.local {
            Ok(a) => Ok(*a),
            Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The authority is made once and kept: a second start reuses the very
    /// certificate, and its server certificates verify against it.
    #[test]
    fn the_authority_is_kept_and_signs_for_the_hosts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hosts = vec!["open.tiktokapis.com".to_string()];
        let a = Authority::open(dir.path(), &hosts).expect("authority");
        let first = std::fs::read(&a.ca_file).expect("ca");
        let b = Authority::open(dir.path(), &hosts).expect("authority again");
        assert_eq!(first, std::fs::read(&b.ca_file).expect("ca"));
        assert_eq!(b.names, vec!["open.tiktokapis.com", "localhost"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(DIR).join(CA_KEY_FILE))
                .expect("key")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is the owner's only: {mode:o}");
        }
        std::fs::remove_file(dir.path().join(DIR).join(CA_KEY_FILE)).expect("remove");
        let e = Authority::open(dir.path(), &hosts)
            .err()
            .expect("half an authority");
        assert!(e.to_string().contains("remove the folder"), "{e}");
    }
}
