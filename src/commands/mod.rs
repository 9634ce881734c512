//! One module per subcommand. Each turns its arguments into a plan, runs it against the
//! `pki` domain and returns a `Report`; none of them prints.

use time::OffsetDateTime;

pub mod ca;
pub mod connect;
pub mod doctor;
pub mod fix;
pub mod generate;
pub mod inputs;
pub mod inspect;
pub mod match_key;
pub mod trust;
pub mod verify;

/// What every command may know about the run: it is given this, never `app`.
#[derive(Debug, Clone)]
pub struct Context {
    /// "Now" for every time-dependent statement: the clock, or `--at`.
    pub now: OffsetDateTime,
}
