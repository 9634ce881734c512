//! An in-memory TLS handshake between a rustls server (as Granian runs it) and a rustls
//! client that trusts a given file: the independent check that generated files work.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Loads the pair as Granian does (`with_single_cert`); `Err` carries rustls's error.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| e.to_string())?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("{e:?}"))?;
    Ok(Arc::new(config))
}

/// A handshake for `name` with a client trusting the certificates in `trust`.
pub fn handshake(cert: &Path, key: &Path, trust: &Path, name: &str) -> Result<(), String> {
    let server_config = server_config(cert, key)?;
    let mut roots = RootCertStore::empty();
    for der in CertificateDer::pem_file_iter(trust).map_err(|e| e.to_string())? {
        roots.add(der.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    let client_config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let server_name = ServerName::try_from(name.to_owned()).map_err(|e| e.to_string())?;
    let mut client = ClientConnection::new(Arc::new(client_config), server_name).map_err(|e| e.to_string())?;
    let mut server = ServerConnection::new(server_config).map_err(|e| e.to_string())?;
    for _ in 0..20 {
        pump(&mut client, &mut server)?;
        if !client.is_handshaking() && !server.is_handshaking() {
            return Ok(());
        }
    }
    Err("handshake did not finish".into())
}

fn pump(client: &mut ClientConnection, server: &mut ServerConnection) -> Result<(), String> {
    let mut buf = Vec::new();
    client.write_tls(&mut buf).map_err(|e| e.to_string())?;
    server.read_tls(&mut Cursor::new(&buf)).map_err(|e| e.to_string())?;
    server.process_new_packets().map_err(|e| format!("server: {e:?}"))?;
    buf.clear();
    server.write_tls(&mut buf).map_err(|e| e.to_string())?;
    client.read_tls(&mut Cursor::new(&buf)).map_err(|e| e.to_string())?;
    client.process_new_packets().map_err(|e| format!("client: {e:?}"))?;
    Ok(())
}
