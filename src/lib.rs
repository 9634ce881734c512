//! certsmith: TLS certificates for rustls and Granian, in one binary.
//!
//! Data flows one way:
//! `argv → cli (clap) → commands::<cmd> (args → plan → Report) → report::{human,json} → stdout`,
//! with the exit status derived from the report. Each module uses only the layers below
//! it (docs/architecture.md; tests/integration/architecture.rs checks it), from the top:
//!
//! - [`app`]: dispatch, rendering choice, exit status; the only module that prints.
//! - [`commands`]: one module per subcommand (args → plan → report), [`commands::fix`]
//!   (remedies into commands to paste) and [`commands::inputs`] (shared argument parsing).
//! - [`cli`]: clap types and help text only; [`docs`]: man pages and completions from them.
//! - [`trust`]: the CA home, the host's trust stores, the bundle and the compose override.
//! - [`deploy`]: Granian's options, `.env` and compose files, and doctor's judgement.
//! - [`report`]: the report model (each command's data) and its two renderers;
//!   [`probe`]: connect's network side (resolve, connect, a recording rustls handshake).
//! - [`pki`]: the domain: loading files, describing and checking certificates and keys,
//!   verifying chains, matching keys, passwords.
//! - [`clock`]: "now", and how times are written; [`output`]: files written atomically,
//!   with their modes, never over existing ones, whole across a kill.
//! - [`finding`]: findings, codes, remedies, failures and places: the bottom layer.

pub mod app;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod deploy;
pub mod docs;
pub mod finding;
pub mod output;
pub mod pki;
pub mod probe;
pub mod report;
pub mod trust;
