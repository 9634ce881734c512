//! The deployment side: what a Granian deployment's processes get and how certsmith
//! judges it. [`granian`] holds Granian's TLS options as data, [`env`] reads `.env` and
//! compose files as compose does, and [`doctor`] judges a deployment as a whole.

pub mod doctor;
pub mod env;
pub mod granian;
