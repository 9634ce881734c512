//! Making the local CA trusted: where the CA lives ([`home`]), which CA a run means
//! ([`anchor`]), the host's trust stores and the exact commands that add, remove and
//! check certsmith's entry in each ([`stores`]), and the PEM bundle of the system's roots
//! plus the CA ([`bundle`]), and the compose override that hands both to client
//! containers ([`compose`]).
//!
//! Domain code only: it runs store tools (std::process::Command with explicit arguments,
//! never a shell) and reads files, but never prints and knows nothing of clap; the
//! `trust` command turns its results into a report.

pub mod anchor;
pub mod bundle;
pub mod compose;
pub mod exec;
pub mod home;
pub mod java;
pub mod native;
pub mod nss;
pub mod stores;
pub mod system;
