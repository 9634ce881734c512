//! The PKI domain: loading files, describing certificates and keys, checking them,
//! verifying chains.
//! Nothing in here prints or sees command-line types; commands turn its results into
//! reports.

pub mod build;
pub mod ca;
pub mod checks;
pub mod crl;
pub mod decrypt;
pub mod describe;
pub mod jks;
pub mod key;
pub mod keymatch;
pub mod load;
pub mod names;
pub mod password;
pub mod pem;
pub mod pkcs12;
pub mod public_roots;
pub mod renewal;
pub mod secret;
pub mod verify;
