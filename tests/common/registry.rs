//! A real CNCF distribution registry (`docker-registry serve`) on 127.0.0.1 for tests.

use std::fmt::Write as _;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::registry_options::{SelfSigned, StartOptions};
use super::token::{TOKEN_ISSUER, TOKEN_SERVICE, TokenConfig, TokenRequest, TokenServer};
use super::{PASSWORD, USER};

/// How the registry is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Plain HTTP, no authentication.
    Plain,
    /// HTTPS with a test CA (see [`Registry::ca_cert`]) and htpasswd Basic auth
    /// ([`USER`]/[`PASSWORD`]).
    TlsHtpasswd,
    /// Plain HTTP with Bearer-token auth from our [`TokenServer`].
    Token,
    /// HTTPS with the test CA, and Bearer-token auth from our [`TokenServer`], which stays on
    /// plain HTTP: the challenge names an `http://` realm (a misconfiguration seen on Harbor).
    TlsToken,
}

impl Mode {
    /// Whether the registry serves HTTPS (with the test CA).
    pub fn tls(self) -> bool {
        matches!(self, Mode::TlsHtpasswd | Mode::TlsToken)
    }
}

/// One line of the registry's access log (combined log format).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessLogEntry {
    /// HTTP method, e.g. `PUT`.
    pub method: String,
    /// Request target (path and query), e.g. `/v2/foo/blobs/uploads/`.
    pub path: String,
    /// Response status.
    pub status: u16,
}

/// A running `docker-registry` process with its own temp dir; the process is killed on Drop.
pub struct Registry {
    mode: Mode,
    port: u16,
    // Field order matters: the process dies first, then the token server stops, then the
    // temp dir goes.
    child: KillOnDrop,
    token: Option<TokenServer>,
    dir: TempDir,
}

/// A child process that is killed and reaped when dropped (also while unwinding a panic).
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a command, panicking with its stderr when it fails.
fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Returns a port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Registry {
    /// Starts a registry in `mode` (Token mode with [`TokenConfig::default`]); waits until
    /// `/v2/` answers. Panics with the registry log if it does not come up within 20 s.
    pub fn start(mode: Mode) -> Registry {
        Self::start_inner(mode, TokenConfig::default())
    }

    /// Starts a Token-mode registry whose token server uses `config`.
    pub fn start_token(config: TokenConfig) -> Registry {
        Self::start_inner(Mode::Token, config)
    }

    fn start_inner(mode: Mode, token_config: TokenConfig) -> Registry {
        Self::start_opts(mode, token_config, StartOptions::default())
    }

    /// Starts a registry with `opts` (see [`StartOptions`]).
    pub(super) fn start_opts(
        mode: Mode,
        token_config: TokenConfig,
        opts: StartOptions<'_>,
    ) -> Registry {
        let dir = tempfile::Builder::new()
            .prefix("imgctl-registry-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path();
        fs::create_dir_all(root.join("storage")).unwrap();
        let mut auth_yaml = String::new();
        let mut tls_yaml = String::new();
        let mut token = None;
        match mode {
            Mode::Plain => {}
            Mode::TlsHtpasswd => {
                match (&opts.server_cert, opts.issuer) {
                    (Some(cert), _) => make_self_signed_cert(root, cert),
                    (None, Some(issuer)) => issue_from(root, issuer.dir()),
                    (None, None) => make_tls_certs(root),
                }
                let out = Command::new("htpasswd")
                    .args(["-Bbn", USER, PASSWORD])
                    .output()
                    .expect("run htpasswd");
                assert!(
                    out.status.success(),
                    "htpasswd: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                fs::write(root.join("htpasswd"), &out.stdout).unwrap();
                tls_yaml = format!(
                    "  tls:\n    certificate: {}\n    key: {}\n",
                    root.join("server.crt").display(),
                    root.join("server.key").display()
                );
                if let Some(ca) = &opts.client_ca {
                    // distribution then requires and verifies a client certificate.
                    write!(tls_yaml, "    clientcas:\n      - {}\n", ca.display()).unwrap();
                }
                auth_yaml = format!(
                    "auth:\n  htpasswd:\n    realm: imgctl-test\n    path: {}\n",
                    root.join("htpasswd").display()
                );
            }
            Mode::Token | Mode::TlsToken => {
                if mode == Mode::TlsToken {
                    make_tls_certs(root);
                    tls_yaml = format!(
                        "  tls:\n    certificate: {}\n    key: {}\n",
                        root.join("server.crt").display(),
                        root.join("server.key").display()
                    );
                }
                let key = root.join("token.key");
                let crt = root.join("token.crt");
                run(Command::new("openssl")
                    .args([
                        "genpkey",
                        "-algorithm",
                        "EC",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-out",
                    ])
                    .arg(&key));
                run(Command::new("openssl")
                    .args([
                        "req",
                        "-x509",
                        "-new",
                        "-days",
                        "3",
                        "-subj",
                        "/CN=imgctl-test-token-signer",
                        "-key",
                    ])
                    .arg(&key)
                    .arg("-out")
                    .arg(&crt));
                let server = TokenServer::start(&key, token_config);
                let realm = match opts.realm {
                    Some(f) => f(&server.realm()),
                    None => server.realm(),
                };
                auth_yaml = format!(
                    "auth:\n  token:\n    realm: {}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
                    realm,
                    crt.display()
                );
                token = Some(server);
            }
        }

        // The port is probed free and then handed to the registry; retry on a lost race.
        let mut last_err = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let mut config = String::new();
            write!(
                config,
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: false\n\
                 storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: {}\n\
                 http:\n  addr: 127.0.0.1:{port}\n  secret: imgctl-test-secret\n{tls_yaml}{auth_yaml}",
                root.join("storage").display(),
                !opts.delete_disabled
            )
            .unwrap();
            fs::write(root.join("config.yml"), &config).unwrap();
            let child = Command::new("docker-registry")
                .arg("serve")
                .arg(root.join("config.yml"))
                .stdin(Stdio::null())
                .stdout(fs::File::create(root.join("access.log")).unwrap())
                .stderr(fs::File::create(root.join("registry.log")).unwrap())
                .spawn()
                .expect("spawn docker-registry (is it installed?)");
            let mut child = KillOnDrop(child);
            let url = format!(
                "{}://127.0.0.1:{port}/v2/",
                if mode.tls() { "https" } else { "http" }
            );
            // rustls (the readiness client) refuses a self-signed CA:TRUE server certificate:
            // readiness is then checked without verification.
            let ca =
                (mode.tls() && opts.server_cert.is_none()).then(|| root.join("ca").join("ca.crt"));
            let verify = opts.server_cert.is_none();
            match wait_ready(
                &mut child.0,
                &url,
                ca.as_deref(),
                verify,
                opts.ready_identity.as_ref(),
                Duration::from_secs(20),
            ) {
                Ok(()) => {
                    return Registry {
                        mode,
                        port,
                        dir,
                        child,
                        token,
                    };
                }
                Err(e) => {
                    drop(child);
                    let log = fs::read_to_string(root.join("registry.log")).unwrap_or_default();
                    last_err =
                        format!("{e}\n--- registry.log ---\n{log}\n--- config.yml ---\n{config}");
                    if !log.contains("address already in use") {
                        break;
                    }
                }
            }
        }
        panic!("docker-registry did not come up: {last_err}");
    }

    /// A reqwest client that trusts the test CA in TLS mode (no auth configured).
    pub fn http_client(&self) -> reqwest::Client {
        http_client(self.ca_cert().as_deref())
    }

    /// The mode this registry runs in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// `"127.0.0.1:PORT"`, the registry host for image references.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT` (TLS mode), without trailing slash.
    pub fn url(&self) -> String {
        let scheme = if self.mode.tls() { "https" } else { "http" };
        format!("{scheme}://{}", self.host())
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `"127.0.0.1:PORT/REPO:TAG"` style reference for `repo_and_tag` like `"foo/bar:1"`.
    pub fn reference(&self, repo_and_tag: &str) -> String {
        format!("{}/{}", self.host(), repo_and_tag)
    }

    /// The registry's temp dir (holds `config.yml`, `storage/`, logs, certs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The filesystem storage root of the registry.
    pub fn storage_dir(&self) -> PathBuf {
        self.dir.path().join("storage")
    }

    /// PEM of the test CA that signed the server certificate (TLS mode only).
    pub fn ca_cert(&self) -> Option<PathBuf> {
        self.mode
            .tls()
            .then(|| self.dir.path().join("ca").join("ca.crt"))
    }

    /// A directory holding only `ca.crt`, suitable for skopeo's `--cert-dir` (TLS mode only).
    pub fn ca_dir(&self) -> Option<PathBuf> {
        self.mode.tls().then(|| self.dir.path().join("ca"))
    }

    /// Path of the registry's own log (its stderr).
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("registry.log")
    }

    /// Path of the registry's HTTP access log (its stdout, combined log format).
    pub fn access_log_path(&self) -> PathBuf {
        self.dir.path().join("access.log")
    }

    /// The registry's log text so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Parsed access-log lines so far, oldest first (lines that do not parse are skipped).
    pub fn access_log(&self) -> Vec<AccessLogEntry> {
        let text = fs::read_to_string(self.access_log_path()).unwrap_or_default();
        text.lines().filter_map(parse_access_line).collect()
    }

    /// The token server (Token mode only).
    pub fn token_server(&self) -> Option<&TokenServer> {
        self.token.as_ref()
    }

    /// The token realm URL (Token mode only).
    pub fn token_realm(&self) -> Option<String> {
        self.token.as_ref().map(|t| t.realm())
    }

    /// All requests the token server received so far (empty outside Token mode).
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.token
            .as_ref()
            .map(|t| t.requests())
            .unwrap_or_default()
    }

    /// Credentials that may push in this mode: `Some((USER, PASSWORD))` unless Plain.
    pub fn push_creds(&self) -> Option<(&'static str, &'static str)> {
        (self.mode != Mode::Plain).then_some((USER, PASSWORD))
    }

    /// skopeo flags to reach this registry. `prefix` is `"src-"`, `"dest-"` or `""` (for
    /// `inspect` and friends); `creds` adds `--{prefix}creds=U:P`. Plain and Token modes add
    /// `--{prefix}tls-verify=false` (HTTP), TLS mode adds `--{prefix}cert-dir=CA_DIR`.
    pub fn skopeo_flags(&self, prefix: &str, creds: Option<(&str, &str)>) -> Vec<String> {
        let mut v = Vec::new();
        match self.ca_dir() {
            Some(d) => v.push(format!("--{prefix}cert-dir={}", d.display())),
            None => v.push(format!("--{prefix}tls-verify=false")),
        }
        match creds {
            Some((u, p)) => v.push(format!("--{prefix}creds={u}:{p}")),
            None => v.push(format!("--{prefix}no-creds")),
        }
        v
    }
}

/// A reqwest client trusting `ca` (a PEM file) in addition to the system roots.
fn http_client(ca: Option<&Path>) -> reqwest::Client {
    let mut b = reqwest::Client::builder().timeout(Duration::from_secs(10));
    if let Some(ca) = ca {
        let pem = fs::read(ca).unwrap();
        b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
    }
    b.build().unwrap()
}

/// Polls `url` until it answers 200 or 401, the child exits, or `timeout` passes; `verify`:
/// whether the server's certificate is verified (against `ca` and the system roots);
/// `identity`: a client certificate + key PEM to present (mTLS registries).
fn wait_ready(
    child: &mut Child,
    url: &str,
    ca: Option<&Path>,
    verify: bool,
    identity: Option<&Vec<u8>>,
    timeout: Duration,
) -> Result<(), String> {
    let client = if let Some(pem) = identity {
        let mut b = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .identity(reqwest::Identity::from_pem(pem).unwrap());
        if let Some(ca) = ca {
            let pem = fs::read(ca).unwrap();
            b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
        }
        b.build().unwrap()
    } else if verify {
        http_client(ca)
    } else {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("docker-registry exited early: {status}"));
        }
        match rt.block_on(async { client.get(url).send().await }) {
            Ok(r) if r.status().as_u16() == 200 || r.status().as_u16() == 401 => return Ok(()),
            Ok(r) => return Err(format!("unexpected /v2/ status {}", r.status())),
            Err(e) if Instant::now() > deadline => {
                return Err(format!("/v2/ not answering: {e:?}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn parse_access_line(line: &str) -> Option<AccessLogEntry> {
    // 127.0.0.1 - - [date] "GET /v2/ HTTP/1.1" 401 87 "" "ua"
    let start = line.find('"')?;
    let rest = &line[start + 1..];
    let end = rest.find('"')?;
    let mut req = rest[..end].split(' ');
    let method = req.next()?.to_string();
    let path = req.next()?.to_string();
    let status = rest[end + 1..].split_whitespace().next()?.parse().ok()?;
    Some(AccessLogEntry {
        method,
        path,
        status,
    })
}

/// Writes `ca/ca.crt`, `ca.key`, `server.crt`, `server.key` (EC P-256; SAN IP:127.0.0.1,
/// DNS:localhost) into `root`.
fn make_tls_certs(root: &Path) {
    let ca_dir = root.join("ca");
    fs::create_dir_all(&ca_dir).unwrap();
    let ca_crt = ca_dir.join("ca.crt");
    let ca_key = root.join("ca.key");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(Command::new("openssl")
        .args(["req", "-x509", "-days", "3", "-subj", "/CN=imgctl test CA"])
        .args(ec)
        .args([
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ])
        .arg("-keyout")
        .arg(&ca_key)
        .arg("-out")
        .arg(&ca_crt));
    issue_server_cert(root);
}

/// Issues `server.crt` and `server.key` (EC P-256; SAN IP:127.0.0.1, DNS:localhost) from the
/// CA in `root` (`ca/ca.crt`, `ca.key`).
fn issue_server_cert(root: &Path) {
    let ca_crt = root.join("ca").join("ca.crt");
    let ca_key = root.join("ca.key");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let csr = root.join("server.csr");
    run(Command::new("openssl")
        .args(["req", "-new", "-subj", "/CN=localhost"])
        .args(ec)
        .arg("-keyout")
        .arg(root.join("server.key"))
        .arg("-out")
        .arg(&csr));
    let ext = root.join("server.ext");
    fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "3", "-set_serial", "2", "-in"])
        .arg(&csr)
        .arg("-CA")
        .arg(&ca_crt)
        .arg("-CAkey")
        .arg(&ca_key)
        .arg("-extfile")
        .arg(&ext)
        .arg("-out")
        .arg(root.join("server.crt")));
}

/// Copies `issuer_root`'s test CA (`ca/ca.crt`, `ca.key`) into `root` and issues `server.crt`
/// and `server.key` from it: two registries whose certificates one CA signed.
fn issue_from(root: &Path, issuer_root: &Path) {
    let ca_dir = root.join("ca");
    fs::create_dir_all(&ca_dir).unwrap();
    fs::copy(issuer_root.join("ca").join("ca.crt"), ca_dir.join("ca.crt")).unwrap();
    fs::copy(issuer_root.join("ca.key"), root.join("ca.key")).unwrap();
    issue_server_cert(root);
}

/// Writes `server.crt` and `server.key` (a self-signed certificate as `cert` describes) into
/// `root`, and the certificate again as `ca/ca.crt` (what clients trust).
fn make_self_signed_cert(root: &Path, cert: &SelfSigned) {
    let ca_dir = root.join("ca");
    fs::create_dir_all(&ca_dir).unwrap();
    let key = root.join("server.key");
    let crt = root.join("server.crt");
    let subj = format!("/CN={}", cert.cn);
    let san = format!("subjectAltName={}", cert.san);
    if !cert.expired {
        run(Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", &subj,
            ])
            .args(["-addext", &san, "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&crt));
    } else {
        // `openssl req` cannot backdate; `openssl ca -selfsign` can.
        let csr = root.join("server.csr");
        run(Command::new("openssl")
            .args([
                "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", &subj,
            ])
            .args(["-addext", &san])
            .args(["-addext", "basicConstraints=critical,CA:TRUE", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&csr));
        let db = root.join("ca-db");
        fs::create_dir_all(&db).unwrap();
        fs::write(db.join("index.txt"), "").unwrap();
        fs::write(db.join("serial"), "01\n").unwrap();
        let cnf = db.join("ca.cnf");
        fs::write(
            &cnf,
            format!(
                "[ca]\ndefault_ca = d\n[d]\ndatabase = {db}/index.txt\nserial = {db}/serial\n\
                 new_certs_dir = {db}\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\n\
                 unique_subject = no\n[p]\ncommonName = supplied\n",
                db = db.display()
            ),
        )
        .unwrap();
        run(Command::new("openssl")
            .args(["ca", "-batch", "-notext", "-selfsign", "-config"])
            .arg(&cnf)
            .arg("-keyfile")
            .arg(&key)
            .arg("-in")
            .arg(&csr)
            .args([
                "-startdate",
                "20200101000000Z",
                "-enddate",
                "20200102000000Z",
            ])
            .arg("-out")
            .arg(&crt));
    }
    fs::copy(&crt, ca_dir.join("ca.crt")).unwrap();
}
