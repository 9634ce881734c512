//! Each command's data, as plain serde structs the report owns: commands fill them, the
//! renderers read them, and neither knows the other.

pub mod ca;
pub mod connect;
pub mod doctor;
pub mod generate;
pub mod inspect;
pub mod trust;
pub mod verify;
