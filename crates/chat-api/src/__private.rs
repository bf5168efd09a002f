//! The paths generated code names (`crate::__private::…`), in one place so
//! the generator has a single prefix to emit. Not part of the public API:
//! names here may change in any release. The code itself lives in named
//! modules.

pub use http::Method;

pub use crate::deserialize::{StringEnumVisitor, null_as_default, tagged, unknown_tag, variant};
pub use crate::pagination::{CursorQuery, Page, paginate};
pub use crate::request::{Call, encode_path};
