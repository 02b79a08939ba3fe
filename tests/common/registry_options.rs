//! Less common ways to start a harness [`Registry`]: deletion disabled, a token realm that
//! points somewhere else (e.g. a fault proxy in front of the token server), a TLS registry
//! serving a self-signed certificate, one whose certificate another registry's CA issued, or
//! one that requires client certificates (mutual TLS).

use std::path::PathBuf;
use std::process::Command;

use super::registry::{Mode, Registry};
use super::token::TokenConfig;

/// Maps the token server's realm URL to the realm a registry advertises.
pub type RealmMap<'a> = Box<dyn FnOnce(&str) -> String + 'a>;

/// Extra start options for [`Registry::start_with`]; the default is what [`Registry::start`]
/// does.
#[derive(Default)]
pub struct StartOptions<'a> {
    /// Writes `storage.delete.enabled: false`: DELETE answers 405 UNSUPPORTED.
    pub delete_disabled: bool,
    /// Token mode only: maps the token server's realm URL (`http://127.0.0.1:PORT/…`) to the
    /// realm the registry advertises in its `WWW-Authenticate` challenge.
    pub realm: Option<RealmMap<'a>>,
    /// TlsHtpasswd mode only: serve this self-signed certificate instead of one issued by the
    /// test CA; [`Registry::ca_cert`] is then the server's certificate itself.
    pub server_cert: Option<SelfSigned>,
    /// TlsHtpasswd mode only: the server certificate is issued by this registry's test CA
    /// (same CA, same [`Registry::ca_cert`] contents) instead of a new one.
    pub issuer: Option<&'a Registry>,
    /// TlsHtpasswd mode only: distribution's `http.tls.clientcas`, a PEM file of the CAs
    /// whose client certificates it requires and accepts.
    pub client_ca: Option<PathBuf>,
    /// Certificate + key PEM the readiness check presents (needed with `client_ca`).
    pub ready_identity: Option<Vec<u8>>,
}

/// A self-signed server certificate made as docker's "insecure registry with a self-signed
/// certificate" recipe does: `openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=<cn>
/// -addext subjectAltName=<san>`, whose openssl defaults add `basicConstraints critical,
/// CA:TRUE` and 30 days of validity.
#[derive(Clone, Debug)]
pub struct SelfSigned {
    /// The subject CN, e.g. `127.0.0.1`.
    pub cn: String,
    /// The subjectAltName value, e.g. `IP:127.0.0.1` or `DNS:other.example`.
    pub san: String,
    /// Valid only from 2020-01-01 to 2020-01-02 (made with `openssl ca -selfsign`, still with
    /// CA:TRUE) instead of the next 30 days.
    pub expired: bool,
}

impl SelfSigned {
    /// A valid self-signed certificate for `cn` with subjectAltName `san`.
    pub fn new(cn: &str, san: &str) -> SelfSigned {
        SelfSigned {
            cn: cn.to_string(),
            san: san.to_string(),
            expired: false,
        }
    }
}

impl Registry {
    /// Starts a registry in `mode` (Token mode with [`TokenConfig::default`]) with `opts`.
    pub fn start_with(mode: Mode, opts: StartOptions<'_>) -> Registry {
        Registry::start_opts(mode, TokenConfig::default(), opts)
    }

    /// Starts a TlsHtpasswd registry serving the self-signed certificate `cert`.
    pub fn start_self_signed(cert: SelfSigned) -> Registry {
        Registry::start_with(
            Mode::TlsHtpasswd,
            StartOptions {
                server_cert: Some(cert),
                ..StartOptions::default()
            },
        )
    }

    /// Starts a Token-mode registry whose challenge names the realm `realm(token_realm)`
    /// returns, given the real token server's realm URL.
    pub fn start_token_with_realm<'a>(realm: impl FnOnce(&str) -> String + 'a) -> Registry {
        Registry::start_with(
            Mode::Token,
            StartOptions {
                realm: Some(Box::new(realm)),
                ..StartOptions::default()
            },
        )
    }
}

impl Registry {
    /// Starts a TlsHtpasswd registry whose server certificate `issuer`'s test CA signs.
    pub fn start_issued_by(issuer: &Registry) -> Registry {
        Registry::start_with(
            Mode::TlsHtpasswd,
            StartOptions {
                issuer: Some(issuer),
                ..StartOptions::default()
            },
        )
    }

    /// Starts a TlsHtpasswd registry that requires client certificates issued by `clients`.
    pub fn start_mtls(clients: &ClientCa) -> Registry {
        let probe = clients.issue("readiness-probe");
        let mut pem = std::fs::read(&probe.cert).unwrap();
        pem.extend(std::fs::read(&probe.key).unwrap());
        Registry::start_with(
            Mode::TlsHtpasswd,
            StartOptions {
                client_ca: Some(clients.cert()),
                ready_identity: Some(pem),
                ..StartOptions::default()
            },
        )
    }
}

/// A CA for client certificates (EC P-256, made with openssl in its own temp dir).
pub struct ClientCa {
    dir: tempfile::TempDir,
    serial: std::cell::Cell<u32>,
}

/// A client certificate and its key, PEM files.
#[derive(Clone, Debug)]
pub struct ClientCert {
    /// The certificate (`NAME.cert`).
    pub cert: PathBuf,
    /// Its private key (`NAME.key`, PKCS#8).
    pub key: PathBuf,
}

fn run_openssl(cmd: &mut Command) {
    let out = cmd.output().expect("run openssl");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl ClientCa {
    /// A new CA named `CN=<cn>`.
    pub fn new(cn: &str) -> ClientCa {
        let dir = tempfile::Builder::new()
            .prefix("imgctl-client-ca-")
            .tempdir()
            .unwrap();
        let subj = format!("/CN={cn}");
        let mut cmd = Command::new("openssl");
        cmd.args(["req", "-x509", "-days", "3", "-subj", &subj])
            .args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
            .args(["-nodes", "-addext", "basicConstraints=critical,CA:TRUE"])
            .args([
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout",
            ])
            .arg(dir.path().join("ca.key"))
            .arg("-out")
            .arg(dir.path().join("ca.crt"));
        run_openssl(&mut cmd);
        ClientCa {
            dir,
            serial: std::cell::Cell::new(10),
        }
    }

    /// The CA certificate (PEM).
    pub fn cert(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// Issues a client certificate `CN=<name>` (extendedKeyUsage clientAuth) as
    /// `<name>.cert` + `<name>.key` in the CA's directory.
    pub fn issue(&self, name: &str) -> ClientCert {
        let d = self.dir.path();
        let (cert, key, csr, ext) = (
            d.join(format!("{name}.cert")),
            d.join(format!("{name}.key")),
            d.join(format!("{name}.csr")),
            d.join(format!("{name}.ext")),
        );
        let subj = format!("/CN={name}");
        let mut cmd = Command::new("openssl");
        cmd.args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-subj", &subj, "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&csr);
        run_openssl(&mut cmd);
        std::fs::write(
            &ext,
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        let serial = self.serial.get();
        self.serial.set(serial + 1);
        let serial = serial.to_string();
        let mut cmd = Command::new("openssl");
        cmd.args(["x509", "-req", "-days", "3", "-set_serial", &serial, "-in"])
            .arg(&csr)
            .arg("-CA")
            .arg(self.cert())
            .arg("-CAkey")
            .arg(d.join("ca.key"))
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(&cert);
        run_openssl(&mut cmd);
        ClientCert { cert, key }
    }
}
