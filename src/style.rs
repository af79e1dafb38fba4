//! The widgets' stylesheet: tokens, shared parts and each widget's CSS,
//! compiled into the bundle and added to the page once, so a host includes
//! one module and nothing else. Hosts restyle through the custom properties
//! in `style/tokens.css` and the `data-part` / `data-state` attributes.

/// The design tokens (`--portico-*` custom properties on `:root`). Always in
/// the page itself: custom properties inherit into shadow roots, so hosts
/// theme the custom elements exactly as they theme the Leptos widgets.
pub const TOKENS: &str = include_str!("../style/tokens.css");

/// The widgets' rules: in the page for the Leptos widgets, in each shadow
/// root for the custom elements.
pub const WIDGETS: &str = concat!(
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

fn add_to_head(marker: &str, css: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document
        .query_selector(&format!("style[{marker}]"))
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    let (Some(head), Ok(style)) = (document.head(), document.create_element("style")) else {
        return;
    };
    let _ = style.set_attribute(marker, "");
    style.set_text_content(Some(css));
    // First in <head>, so any host stylesheet that follows wins ties.
    let _ = head.insert_before(&style, head.first_child().as_ref());
}

/// Adds the tokens and the widget rules to the document, once.
pub fn inject() {
    add_to_head("data-portico-widgets", WIDGETS);
    inject_tokens();
}

/// Adds only the tokens to the document, once (custom elements keep their
/// rules in their shadow roots).
pub fn inject_tokens() {
    add_to_head("data-portico", TOKENS);
}
