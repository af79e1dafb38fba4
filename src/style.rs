//! The widgets' stylesheet: tokens, shared parts and each widget's CSS,
//! compiled into the bundle and added to the page once, so a host includes
//! one module and nothing else. Hosts restyle through the custom properties
//! in `style/tokens.css` and the `data-part` / `data-state` attributes.

/// All of Portico's CSS, in cascade order.
pub const STYLESHEET: &str = concat!(
    include_str!("../style/tokens.css"),
    include_str!("../style/base.css"),
    include_str!("widgets/plan_view/plan_view.css"),
    include_str!("widgets/entitlements/entitlements.css"),
    include_str!("widgets/members/members.css"),
    include_str!("widgets/plan_picker/plan_picker.css"),
    include_str!("widgets/checkout/checkout.css"),
    include_str!("widgets/cancel_subscription/cancel_subscription.css"),
    include_str!("widgets/upcoming_bill/upcoming_bill.css"),
    include_str!("widgets/invoices/invoices.css"),
);

/// Adds the stylesheet to the document's `<head>` unless it is already there.
/// Injected first in `<head>` so any host stylesheet that follows wins ties.
pub fn inject() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document
        .query_selector("style[data-portico]")
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    let (Some(head), Ok(style)) = (document.head(), document.create_element("style")) else {
        return;
    };
    let _ = style.set_attribute("data-portico", "");
    style.set_text_content(Some(STYLESHEET));
    let _ = head.insert_before(&style, head.first_child().as_ref());
}
