//! The widgets. Each lives in its own folder with its stylesheet; every
//! element a host may style carries `data-part`, and its state `data-state`.

pub mod entitlements;
pub mod plan_view;
pub mod portal;
mod status;

pub use entitlements::Entitlements;
pub use plan_view::PlanView;
pub use portal::Portal;
pub(crate) use status::portal_view;
