//! Writes the widgets' stylesheets, minified, to `OUT_DIR` for
//! `src/style.rs`: every visitor downloads them inside the bundle, and the
//! comments and indentation people read in `style/` and `src/widgets/` are
//! a sixth of their size.

use std::path::Path;

include!("style/bundle.rs");

fn read(path: &str) -> String {
    println!("cargo:rerun-if-changed={path}");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn main() {
    println!("cargo:rerun-if-changed=style/bundle.rs");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let write = |name: &str, css: String| {
        let path = Path::new(&out).join(name);
        std::fs::write(&path, css)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    };
    write("tokens.css", minify_css(&read(TOKEN_SHEET)));
    let widgets: String = WIDGET_SHEETS.iter().map(|path| read(path) + "\n").collect();
    write("widgets.css", minify_css(&widgets));
}
