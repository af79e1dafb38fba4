//! Writes the widgets' stylesheets, minified, to `OUT_DIR` for
//! `src/style.rs`: every visitor downloads them inside the bundle, and the
//! comments and indentation people read in `style/` and `src/widgets/` are
//! a sixth of their size.

use std::path::Path;

include!("style/minify.rs");

const TOKENS: &str = "style/tokens.css";
const WIDGETS: &[&str] = &[
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

fn read(path: &str) -> String {
    println!("cargo:rerun-if-changed={path}");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn main() {
    println!("cargo:rerun-if-changed=style/minify.rs");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let write = |name: &str, css: String| {
        let path = Path::new(&out).join(name);
        std::fs::write(&path, css)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    };
    write("tokens.css", minify_css(&read(TOKENS)));
    let widgets: String = WIDGETS.iter().map(|path| read(path) + "\n").collect();
    write("widgets.css", minify_css(&widgets));
}
