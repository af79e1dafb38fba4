// What the bundle carries of the stylesheets, and how it is minified:
// shared by `build.rs` (which writes them) and `src/style.rs`'s tests.

/// The design tokens.
pub const TOKEN_SHEET: &str = "style/tokens.css";

/// The widgets' rules, in cascade order.
pub const WIDGET_SHEETS: &[&str] = &[
    "style/base.css",
    "src/widgets/plan_view/plan_view.css",
    "src/widgets/entitlements/entitlements.css",
    "src/widgets/members/members.css",
    "src/widgets/plan_picker/plan_picker.css",
    "src/widgets/checkout/checkout.css",
    "src/widgets/cancel_subscription/cancel_subscription.css",
    "src/widgets/upcoming_bill/upcoming_bill.css",
    "src/widgets/invoices/invoices.css",
];

/// The stylesheet as the bundle carries it: comments dropped, every run of
/// whitespace made one space, none around `{`, `}` and `;`, and none after
/// `:` and `,` (where CSS never needs one; a space before `:` stays, as in
/// `a :hover`). Nothing else changes, so a space that separates selectors
/// (`a b`) or values stays.
/// (No rule here puts whitespace or comment markers inside a quoted string.)
pub fn minify_css(source: &str) -> String {
    let mut without_comments = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        without_comments.push(' ');
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
    }
    without_comments.push_str(rest);

    let mut out = String::with_capacity(without_comments.len());
    let mut pending_space = false;
    for c in without_comments.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        let tight = matches!(c, '{' | '}' | ';');
        let after_tight = matches!(out.chars().last(), Some('{' | '}' | ';' | ':' | ',') | None);
        if pending_space && !tight && !after_tight {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}
