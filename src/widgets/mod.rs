//! The widgets. Each lives in its own folder with its stylesheet; every
//! element a host may style carries `data-part`, and its state `data-state`.

pub mod built_row;
pub mod cancel_subscription;
pub mod checkout;
// Public for the browser tests, like `built_row`.
#[doc(hidden)]
pub mod dom;
pub mod entitlements;
pub mod invoices;
pub mod members;
pub mod plan_picker;
pub mod plan_view;
pub mod portal;
mod status;
pub mod upcoming_bill;

pub use cancel_subscription::CancelSubscription;
pub use checkout::Checkout;
pub use entitlements::Entitlements;
pub use invoices::Invoices;
pub use members::Members;
pub use plan_picker::PlanPicker;
pub use plan_view::PlanView;
pub use portal::Portal;
pub(crate) use status::{portal_view, portal_view_kept};
pub use upcoming_bill::UpcomingBill;
