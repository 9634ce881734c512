//! What gen writes besides the pair's PEM files, and how reports name each file: DER
//! copies, the Kubernetes Secret manifest, the PKCS#12 bundle (with its password rules).

use super::*;

/// DNS-1123 subdomain, as Kubernetes names objects.
pub(super) fn is_k8s_name(name: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    !name.is_empty()
        && name.len() <= 253
        && name.chars().all(ok_char)
        && alnum(name.chars().next())
        && alnum(name.chars().last())
}

pub(super) fn written_files(files: &[Planned], plan: &Plan) -> Vec<WrittenFile> {
    files
        .iter()
        .map(|f| WrittenFile {
            path: f.path.display().to_string(),
            kind: file_kind(&f.path, plan),
            mode: output::mode_text(f.mode),
        })
        .collect()
}

pub(super) fn files_to_write(
    plan: &Plan,
    key: &KeyPair,
    chain: &[CertificateDer<'static>],
    ca: Option<&LocalCa>,
) -> Vec<Planned> {
    let cert_pem: String = chain.iter().map(|c| pem::encode("CERTIFICATE", c)).collect();
    let key_pem = key.serialize_pem();
    let mut files = Vec::new();
    if let Some(path) = &plan.key_path {
        files.push(Planned { path: path.clone(), contents: key_pem.clone().into_bytes(), mode: plan.key_mode });
    }
    files.push(Planned { path: plan.cert_path.clone(), contents: cert_pem.clone().into_bytes(), mode: 0o644 });
    if plan.der {
        if let Some(path) = &plan.key_path {
            files.push(Planned {
                path: path.with_extension("der"),
                contents: key.serialize_der(),
                mode: plan.key_mode,
            });
        }
        let leaf = chain.first().map(|c| c.to_vec()).unwrap_or_default();
        files.push(Planned { path: plan.cert_path.with_extension("der"), contents: leaf, mode: 0o644 });
    }
    if let Some((name, path)) = &plan.k8s_secret {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let mut yaml = format!(
            "# Made by certsmith gen. Apply with: kubectl apply -f {}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {}\n  tls.key: {}\n",
            path.display(),
            b64(&cert_pem),
            b64(&key_pem)
        );
        if let Some(ca) = ca {
            yaml.push_str(&format!("  ca.crt: {}\n", b64(&pem::encode("CERTIFICATE", &ca.anchor))));
        }
        // The manifest holds the private key: same care as the key file.
        files.push(Planned { path: path.clone(), contents: yaml.into_bytes(), mode: 0o600 });
    }
    files
}

/// PKCS#12 as p12-keystore writes it by default: PBES2 with PBKDF2-HMAC-SHA256 and
/// AES-256-CBC for key and certificates, an HMAC-SHA256 MAC (OpenSSL 3 and Java 17 read it).
/// The password that protects `--p12`: read before anything is written, and never empty
/// unless asked for.
pub(super) fn p12_password(path: &Path, plan: &Plan) -> Result<Password, Failure> {
    let name = path.display().to_string();
    let password = plan.password.read_new(&name)?;
    if password.as_bytes().is_empty() && !plan.p12_empty_password {
        return Err(Failure::new(format!(
            "the password for {name} is empty: anyone who gets the file could read the private key in it; nothing was written"
        ))
        .hint("put the password in the --password-file or --password-env variable, or add --p12-empty-password if an empty one is what you need")
        .about(Subject::file(&name, None)));
    }
    Ok(password)
}

pub(super) fn pkcs12(
    path: &Path,
    key: &KeyPair,
    chain: &[CertificateDer<'static>],
    password: &Password,
) -> Result<Vec<u8>, Failure> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let name = path.display().to_string();
    let text = std::str::from_utf8(password.as_bytes())
        .map_err(|_| Failure::new(format!("the password for {name} is not UTF-8 text, which PKCS#12 needs")))?;
    let failed = |e: p12_keystore::error::Error| {
        Failure::new(format!("cannot make {name}: {e}"))
            .hint("leave --p12 out, or make the bundle with `openssl pkcs12 -export`; please report it")
    };
    let certs = chain.iter().map(|c| Certificate::from_der(c)).collect::<Result<Vec<_>, _>>().map_err(failed)?;
    let entry =
        PrivateKeyChain::new(b"certsmith".to_vec(), PrivateKey::from_der(key.serialized_der()).map_err(failed)?, certs);
    let mut store = KeyStore::new();
    store.add_entry("certsmith", KeyStoreEntry::PrivateKeyChain(entry));
    store.writer(text).write().map_err(failed)
}

pub(super) fn file_kind(path: &Path, plan: &Plan) -> &'static str {
    if plan.p12.as_deref() == Some(path) {
        return "pkcs12";
    }
    if Some(path) == plan.key_path.as_deref() {
        "private_key"
    } else if path == plan.cert_path {
        "certificate"
    } else if plan.k8s_secret.as_ref().is_some_and(|(_, p)| p == path) {
        "kubernetes_secret"
    } else if plan.key_path.as_ref().is_some_and(|k| k.with_extension("der") == path) {
        "private_key_der"
    } else {
        "certificate_der"
    }
}
