//! HTTPS on the gateway's one port: a local certificate authority, made on first start and kept
//! (`ca.pem`, `ca-key.pem` in the TLS directory), signs a server certificate for `localhost`,
//! `127.0.0.1`, `::1` and any other names given, at every start. The listener tells a TLS
//! handshake from plain HTTP by the first byte of each connection, so both are served on the same
//! port and plain-http clients see no difference.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The first byte of a TLS record carrying a handshake (a ClientHello opens every TLS connection).
/// No HTTP request starts with it: methods are letters.
pub const HANDSHAKE: u8 = 0x16;

/// The local CA and the acceptor of connections that open with a TLS handshake.
#[derive(Clone)]
pub struct LocalTls {
    pub ca_path: PathBuf,
    pub ca_pem: Arc<str>,
    pub acceptor: tokio_rustls::TlsAcceptor,
}

/// The CA's parameters: the same at every start, so that a CA reloaded from its key signs as the
/// one first made (same name, same key, same key identifier).
fn ca_params() -> Result<CertificateParams, String> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "cloud-images local CA");
    name.push(DnType::OrganizationName, "cloud-images (local use only)");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let now = chrono::Utc::now();
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(chrono::Datelike::year(&now) + 10, 1, 1);
    Ok(params)
}

/// Load the CA kept in `dir`, or make it (once); then issue this start's server certificate for
/// `names` besides the loopback ones.
pub fn local_tls(dir: &Path, names: &[String]) -> Result<LocalTls, String> {
    let ca_path = dir.join("ca.pem");
    let key_path = dir.join("ca-key.pem");
    let (ca_pem, ca_key) = if ca_path.exists() && key_path.exists() {
        let key_pem =
            std::fs::read_to_string(&key_path).map_err(|e| format!("{}: {e}", key_path.display()))?;
        let key = KeyPair::from_pem(&key_pem).map_err(|e| format!("{}: {e}", key_path.display()))?;
        let pem = std::fs::read_to_string(&ca_path).map_err(|e| format!("{}: {e}", ca_path.display()))?;
        (pem, key)
    } else {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let cert = ca_params()?.self_signed(&key).map_err(|e| e.to_string())?;
        write_private(&key_path, &key.serialize_pem())?;
        std::fs::write(&ca_path, cert.pem()).map_err(|e| format!("{}: {e}", ca_path.display()))?;
        (cert.pem(), key)
    };
    let issuer = Issuer::new(ca_params()?, ca_key);

    let mut sans = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    sans.extend(names.iter().filter(|n| !n.is_empty()).cloned());
    let mut params = CertificateParams::new(sans).map_err(|e| e.to_string())?;
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, "cloud-images gateway");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.use_authority_key_identifier_extension = true;
    let now = chrono::Utc::now();
    params.not_before = rcgen::date_time_ymd(chrono::Datelike::year(&now) - 1, 1, 1);
    params.not_after = rcgen::date_time_ymd(chrono::Datelike::year(&now) + 1, 12, 31);
    let server_key = KeyPair::generate().map_err(|e| e.to_string())?;
    let server = params.signed_by(&server_key, &issuer).map_err(|e| e.to_string())?;

    let ca_der = rustls_pemfile_der(&ca_pem)?;
    let chain = vec![server.der().clone(), ca_der];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(LocalTls {
        ca_path,
        ca_pem: ca_pem.into(),
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    })
}

/// The DER of the one certificate in `pem`.
fn rustls_pemfile_der(pem: &str) -> Result<CertificateDer<'static>, String> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| format!("the CA certificate: {e}"))
}

/// Write a private key readable by its owner only.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    #[cfg(unix)]
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
    };
    #[cfg(not(unix))]
    let file = std::fs::File::create(path);
    file.and_then(|mut f| f.write_all(text.as_bytes())).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_made_once_and_reloaded_after() {
        let dir = std::env::temp_dir().join(format!("tls-{}", uuid::Uuid::new_v4().simple()));
        let first = local_tls(&dir, &[]).unwrap();
        assert!(first.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let again = local_tls(&dir, &["gateway.test".into()]).unwrap();
        assert_eq!(first.ca_pem, again.ca_pem, "the CA a client trusts stays the same");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("ca-key.pem")).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the CA key is its owner's only");
        }
        std::fs::remove_dir_all(dir).ok();
    }
}
