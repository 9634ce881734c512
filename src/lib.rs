//! certsmith: TLS certificates for rustls and Granian, in one binary.
//!
//! Data flows one way:
//! `argv → cli (clap) → commands::<cmd> (args → plan → Report) → report::{human,json} → stdout`,
//! with the exit status derived from the report.
//!
//! - [`cli`]: clap types and help text only.
//! - [`app`]: the run's context, dispatch, rendering choice; the only module that prints.
//! - [`commands`]: one module per subcommand; returns a [`report::Report`], never prints.
//! - [`pki`]: the domain: loading files, describing and checking certificates and keys,
//!   and where an encrypted key's password comes from.
//! - [`finding`]: findings, codes, remedies and failures: the bottom layer.
//! - [`report`]: the report model (each command's data) and its two renderers.
//! - [`clock`]: "now", and how times are written.
//! - [`fsutil`]: writing files atomically, with their modes, never over existing ones.
//! - [`probe`]: connect's network side: resolve, connect, a rustls handshake that records.
//! - [`env`]: the configuration a deployment's processes get: `.env` and compose files.
//! - [`granian`]: Granian's TLS options, as data.
//! - [`doctor`]: judging a deployment's TLS configuration as a whole.
//! - [`trust`]: the CA home, the host's trust stores, and the roots-plus-CA bundle.

pub mod app;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod docs;
pub mod doctor;
pub mod env;
pub mod finding;
pub mod fsutil;
pub mod granian;
pub mod pki;
pub mod probe;
pub mod report;
pub mod trust;
