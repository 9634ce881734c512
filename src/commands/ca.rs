//! `certsmith ca create`: a local CA for development (ca.pem, ca-key.pem), written with
//! the same care as gen's files, by default in the CA home (`trust::home`), outside the
//! project; `certsmith ca path`: where that is; `certsmith ca crl`: a CRL signed by the
//! CA, with the record of revoked serials (`revoked.json`) kept next to it.

use std::path::PathBuf;

use crate::cli::{CaCommand, CaCreateArgs, CaCrlArgs};
use crate::commands::Context;
use crate::finding::Failure;
use crate::output::{self, Planned, Replace};
use crate::pki::build::{self, CaSpec, KeyType};
use crate::pki::crl;
use crate::pki::describe::{self};
use crate::pki::load::Input;
use crate::pki::names::{self, SubjectName};
use crate::report::data::ca::{CaData, CaPathData, CrlData};
use crate::report::data::generate::WrittenFile;
use crate::report::{Data, Report};
use crate::trust::home;

pub fn run(command: &CaCommand, ctx: &Context) -> Result<Report, Failure> {
    match command {
        CaCommand::Create(args) => create(args, ctx),
        CaCommand::Crl(args) => crl(args, ctx),
        CaCommand::Path => {
            let dir = home::current()?;
            let data = CaPathData {
                path: dir.display().to_string(),
                exists: dir.is_dir(),
                ca_pem_exists: dir.join("ca.pem").is_file(),
            };
            Ok(Report {
                command: "ca path",
                data: Data::CaPath(data),
                findings: Vec::new(),
                errors: Vec::new(),
                strict: false,
            })
        }
    }
}

/// What `ca create` will make and where, decided before anything is touched.
struct Plan {
    spec: CaSpec,
    key_type: KeyType,
    out_dir: PathBuf,
    /// The folder is certsmith's CA home (made private before anything goes in).
    in_home: bool,
    force: bool,
    if_needed: bool,
}

impl Plan {
    fn from_args(args: &CaCreateArgs, ctx: &Context) -> Result<Self, Failure> {
        let permitted_dns = args
            .permit_dns
            .iter()
            .map(|suffix| match names::parse(suffix.trim_start_matches('.')) {
                Ok(SubjectName::Dns(name)) if !name.starts_with('*') => Ok(name),
                _ => Err(Failure::new(format!("--permit-dns {suffix:?} is not a DNS name suffix"))
                    .hint("give a domain such as test, localhost or dev.example.com; it permits that name and every name under it")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let spec = CaSpec {
            common_name: args.cn.clone().unwrap_or_else(default_common_name),
            organization: "certsmith development CA".to_owned(),
            not_before: crate::clock::backdated(ctx.now),
            not_after: crate::clock::days_after(ctx.now, args.days)?,
            permitted_dns,
        };
        let out_dir = match &args.out_dir {
            Some(dir) => dir.clone(),
            None => home::current()?,
        };
        Ok(Self {
            spec,
            key_type: args.key_type.into(),
            out_dir,
            in_home: args.out_dir.is_none(),
            force: args.force,
            if_needed: args.if_needed,
        })
    }
}

fn create(args: &CaCreateArgs, ctx: &Context) -> Result<Report, Failure> {
    let Plan { spec, key_type, out_dir, in_home, force, if_needed } = Plan::from_args(args, ctx)?;
    if in_home {
        // 0700 whatever the umask, before anything is written into it.
        home::ensure_private_dir(&out_dir)?;
    }
    let cert_path = out_dir.join("ca.pem");
    let key_path = out_dir.join("ca-key.pem");
    // Held to the end of the run: a second `ca create` on this folder waits its turn.
    let _lock = output::lock::lock_folders(&[&key_path, &cert_path], output::lock::CA_FOLDER_MODE)?;
    if if_needed && (cert_path.exists() || key_path.exists()) {
        return keep_existing(&cert_path, &key_path, ctx);
    }
    output::check_targets(
        &[&key_path, &cert_path],
        force,
        "use --if-needed to keep a usable CA, or --force to replace it (every client must then trust the new ca.pem)",
    )?;
    let replacing = cert_path.exists() || key_path.exists();

    let key = build::generate_key(key_type)?;
    let params = build::ca_params(&spec)?;
    let der = build::self_signed(&params, &key)?;
    let files = vec![
        Planned { path: key_path.clone(), contents: key.serialize_pem().into_bytes(), mode: 0o600 },
        Planned {
            path: cert_path.clone(),
            contents: crate::pki::pem::encode("CERTIFICATE", &der).into_bytes(),
            mode: 0o644,
        },
    ];
    output::write_files(&files, if force { Replace::Existing } else { Replace::Never })?;

    let summary = describe::certificate(&der)
        .map_err(|e| Failure::new(format!("certsmith could not read the CA it made: {e}")))?;
    let word = |p: &std::path::Path| crate::finding::place::shell_word(&p.display().to_string());
    let dir = word(&out_dir);
    // A name the CA may vouch for: localhost unless --permit-dns rules it out, else one
    // under the first permitted domain (which curl must be told resolves to this machine).
    let localhost_ok = spec.permitted_dns.is_empty() || spec.permitted_dns.iter().any(|d| d == "localhost");
    let (host, resolve) = match spec.permitted_dns.first() {
        Some(domain) if !localhost_ok => (format!("app.{domain}"), format!("--resolve app.{domain}:8443:127.0.0.1 ")),
        _ => ("localhost".to_owned(), String::new()),
    };
    let data = CaData {
        action: if replacing { "replaced" } else { "created" },
        certificate: Box::new(summary),
        files: vec![
            WrittenFile { path: key_path.display().to_string(), kind: "private_key", mode: output::mode_text(0o600) },
            WrittenFile { path: cert_path.display().to_string(), kind: "certificate", mode: output::mode_text(0o644) },
        ],
        next: if in_home {
            vec![
                format!("certsmith gen {host} 127.0.0.1 --ca"),
                "certsmith trust install".to_owned(),
                format!("curl {resolve}https://{host}:8443/"),
            ]
        } else {
            vec![
                format!("certsmith gen --ca {dir} {host} 127.0.0.1"),
                format!("curl {resolve}--cacert {} https://{host}:8443/", word(&cert_path)),
            ]
        },
    };
    Ok(Report { command: "ca create", data: Data::Ca(data), findings: Vec::new(), errors: Vec::new(), strict: false })
}

/// `--if-needed` with a CA in place: it must be a usable CA with its key (checked as gen
/// checks it), or nothing is done and the run fails. A CA is never replaced silently:
/// every client that trusts the old one would stop trusting what the new one issues.
fn keep_existing(cert_path: &std::path::Path, key_path: &std::path::Path, ctx: &Context) -> Result<Report, Failure> {
    let ca = crate::pki::ca::load(&Input::File(cert_path.to_path_buf()), &Input::File(key_path.to_path_buf()), ctx.now, || {
        Err(Failure::new(format!("{} is encrypted", key_path.display())))
    })
    .map_err(|f| {
        let hint = "fix or remove the CA files; `certsmith ca create --force` replaces the CA, and every client must then trust the new ca.pem";
        Failure::new(format!("--if-needed found a CA in {} that cannot be used: {}", cert_path.display(), f.message))
            .hint(hint)
            .about(*f.subject)
    })?;
    let data = CaData {
        action: "kept",
        certificate: Box::new(ca.summary),
        files: Vec::new(),
        next: vec![format!(
            "certsmith gen --ca {} localhost 127.0.0.1",
            cert_path.parent().map(|d| d.display().to_string()).unwrap_or_default()
        )],
    };
    Ok(Report { command: "ca create", data: Data::Ca(data), findings: Vec::new(), errors: Vec::new(), strict: false })
}

/// Unique per CA, so two developers' CAs are told apart in a trust store.
fn default_common_name() -> String {
    let mut tag = [0u8; 3];
    let _ = aws_lc_rs::rand::fill(&mut tag);
    format!("certsmith development CA {}", describe::hex(&tag))
}

/// The record of revoked serials, in the CA folder.
pub const REVOKED_RECORD: &str = "revoked.json";

/// `ca crl`: reads the CA and every `--revoke` first, then writes the record and the CRL
/// together (all or nothing), under the CA folder's lock so two runs cannot both take the
/// same CRL number.
fn crl(args: &CaCrlArgs, ctx: &Context) -> Result<Report, Failure> {
    let dir = match &args.ca {
        Some(dir) => dir.clone(),
        None => home::current()?,
    };
    let cert_path = dir.join("ca.pem");
    let key_path = dir.join("ca-key.pem");
    let record_path = dir.join(REVOKED_RECORD);
    let out = args.out.clone().unwrap_or_else(|| dir.join("crl.pem"));
    if !cert_path.is_file() {
        return Err(Failure::new(format!("{} holds no CA: {} is missing", dir.display(), cert_path.display()))
            .hint("create one with `certsmith ca create` (or pass its folder with --ca DIR)"));
    }
    let ca = crate::pki::ca::load(&Input::File(cert_path.clone()), &Input::File(key_path.clone()), ctx.now, || {
        Err(Failure::new(format!("{} is encrypted; ca crl signs only with an unencrypted CA key", key_path.display()))
            .hint(format!(
                "write the key decrypted into the CA folder, private: `(umask 077; openssl pkey -in {key} -out {key}.plain) && mv {key}.plain {key}` (openssl asks for the password)",
                key = crate::finding::place::shell_word(&key_path.display().to_string())
            )))
    })?;
    let serials = args.revoke.iter().map(|arg| revoke_target(arg, &ca)).collect::<Result<Vec<_>, _>>()?;

    // The CA folder exists (ca.pem is in it); a missing --out folder is made for servers
    // to read (0755), not private like the CA's.
    let out_dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    output::lock::create_folder(out_dir, output::lock::CERT_FOLDER_MODE).map_err(|e| {
        Failure::new(format!("cannot create the folder {}: {e}", out_dir.display())).hint("choose another --out file")
    })?;
    let _lock = output::lock::lock_folders(&[&record_path, &out], output::lock::CA_FOLDER_MODE)?;
    let mut record = read_record(&record_path)?;
    refuse_non_crl(&out)?;
    let added: Vec<String> =
        serials.iter().filter(|serial| record.revoke(serial, ctx.now)).map(|s| describe::hex(s)).collect();
    record.crl_number = record.crl_number.checked_add(1).ok_or_else(|| {
        Failure::new(format!("{}: the CRL number cannot grow past {}", record_path.display(), u64::MAX))
            .hint("create a new CA with `certsmith ca create --force`")
    })?;
    let this_update = ctx.now;
    let next_update = crate::clock::days_after(this_update, args.days)?;
    let der = crl::sign(&ca, &record, this_update, next_update).map_err(|e| {
        Failure::new(format!("{}: cannot sign a CRL: {e}", cert_path.display()))
            .hint("create a CA with `certsmith ca create` (its keyUsage includes cRLSign)")
            .about(crate::finding::Subject::file(&cert_path.display().to_string(), None))
    })?;
    let mut record_json = serde_json::to_vec_pretty(&record)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", record_path.display())))?;
    record_json.push(b'\n');
    let files = vec![
        Planned { path: record_path.clone(), contents: record_json, mode: 0o644 },
        Planned {
            path: out.clone(),
            contents: crate::pki::pem::encode(crl::PEM_LABEL, &der).into_bytes(),
            mode: 0o644,
        },
    ];
    output::write_files(&files, Replace::Existing)?;
    let data = CrlData {
        path: out.display().to_string(),
        record: record_path.display().to_string(),
        ca: cert_path.display().to_string(),
        crl_number: record.crl_number,
        this_update,
        next_update,
        revoked: record.revoked.iter().map(|r| r.serial.clone()).collect(),
        added,
    };
    Ok(Report { command: "ca crl", data: Data::Crl(data), findings: Vec::new(), errors: Vec::new(), strict: false })
}

/// The serial a `--revoke` names: a certificate file this CA issued, or a hex serial.
fn revoke_target(arg: &str, ca: &crate::pki::ca::LocalCa) -> Result<Vec<u8>, Failure> {
    let path = std::path::Path::new(arg);
    if !path.exists() {
        return crl::parse_serial(arg).ok_or_else(|| {
            Failure::new(format!("--revoke {arg:?}: no such file, and not a serial number in hex"))
                .hint("pass the certificate file to revoke, or its serial (`certsmith inspect CERT` shows it), e.g. --revoke 4a:1f:09")
        });
    }
    let file = crate::pki::load::load(&Input::File(path.to_path_buf()))?;
    let subject = file.subject(None);
    let (_, der) = file.certificates().next().ok_or_else(|| {
        Failure::new(format!("--revoke {}: the file holds no certificate", file.name))
            .hint("pass the certificate to revoke (certificate.pem), not its key")
            .about(subject.clone())
    })?;
    if !crl::issued_by(der, &ca.cert) {
        return Err(Failure::new(format!(
            "--revoke {}: the certificate was not issued by the CA {} (its issuer is another name), so this CA's CRL cannot revoke it",
            file.name, ca.cert_path
        ))
        .hint("pass the CA that issued it with --ca DIR (`certsmith inspect` shows the certificate's issuer)")
        .about(subject));
    }
    crl::certificate_serial(der).ok_or_else(|| {
        Failure::new(format!("--revoke {}: cannot read the certificate's serial number", file.name))
            .hint("`certsmith inspect` shows what is in the file")
            .about(subject)
    })
}

/// The record of revoked serials; none yet when the file is missing.
fn read_record(path: &std::path::Path) -> Result<crl::Record, Failure> {
    let subject = crate::finding::Subject::file(&path.display().to_string(), None);
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(crl::Record::default()),
        Err(e) => {
            return Err(Failure::new(format!("cannot read {}: {e}", path.display()))
                .hint("check the CA folder's permissions")
                .about(subject));
        }
    };
    let record: crl::Record = serde_json::from_slice(&text).map_err(|e| {
        Failure::new(format!(
            "{}: expected the record of revoked serials ({{\"crl_number\": N, \"revoked\": [{{\"serial\": HEX, \"revoked_at\": TIME}}]}}), found {e}",
            path.display()
        ))
        .hint("restore the file from a backup, or fix it by hand; nothing was written")
        .about(subject.clone())
    })?;
    record.normalised().map_err(|bad| {
        Failure::new(format!("{}: {bad:?} is not a serial number (expected hex, such as 4a1f)", path.display()))
            .hint("correct or remove that entry by hand; nothing was written")
            .about(subject)
    })
}

/// A CRL is replaced in place, but only a CRL: `--out ca.pem` must not destroy the CA.
fn refuse_non_crl(path: &std::path::Path) -> Result<(), Failure> {
    let Ok(meta) = path.symlink_metadata() else { return Ok(()) };
    let is_crl = meta.is_file()
        && std::fs::read(path).is_ok_and(|b| b.starts_with(format!("-----BEGIN {}-----", crl::PEM_LABEL).as_bytes()));
    if is_crl {
        return Ok(());
    }
    Err(Failure::new(format!(
        "{} exists and is not a PEM CRL (expected \"-----BEGIN {}-----\"); nothing was written",
        path.display(),
        crl::PEM_LABEL
    ))
    .hint("choose another --out file; ca crl replaces only a CRL")
    .about(crate::finding::Subject::file(&path.display().to_string(), None)))
}
