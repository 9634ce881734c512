//! Integration tests: the real binary against fixtures made by other tools and against
//! independent implementations (the openssl CLI). One module per command.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, unreachable_pub)]

mod architecture;
mod cli;
mod connect;
mod crl;
mod docs;
mod doctor;
mod formats;
mod generate;
mod granian;
mod hardening;
mod hostile;
mod inspect;
mod limbo;
mod match_key;
mod monitor;
mod remedies;
mod tls;
mod trust;
mod util;
mod verify;
