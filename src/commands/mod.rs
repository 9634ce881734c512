//! One module per subcommand. Each turns its arguments into a plan, runs it against the
//! `pki` domain and returns a `Report`; none of them prints.

pub mod ca;
pub mod connect;
pub mod doctor;
pub mod fix;
pub mod generate;
pub mod inspect;
pub mod match_key;
pub mod trust;
pub mod verify;
