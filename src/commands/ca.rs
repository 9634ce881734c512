//! `certsmith ca create`: a local CA for development (ca.pem, ca-key.pem), written with
//! the same care as gen's files, by default in the CA home (`trust::home`), outside the
//! project; `certsmith ca path`: where that is.

use std::path::PathBuf;

use crate::cli::{CaCommand, CaCreateArgs};
use crate::commands::Context;
use crate::finding::Failure;
use crate::output::{self, Planned, Replace};
use crate::pki::build::{self, CaSpec, KeyType};
use crate::pki::describe::{self};
use crate::pki::load::Input;
use crate::pki::names::{self, SubjectName};
use crate::report::data::ca::{CaData, CaPathData};
use crate::report::data::generate::WrittenFile;
use crate::report::{Data, Report};
use crate::trust::home;

pub fn run(command: &CaCommand, ctx: &Context) -> Result<Report, Failure> {
    match command {
        CaCommand::Create(args) => create(args, ctx),
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
