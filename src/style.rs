//! The widgets' stylesheet: tokens, shared parts and each widget's CSS,
//! compiled into the bundle and added to the page once, so a host includes
//! one module and nothing else. Hosts restyle through the custom properties
//! in `style/tokens.css` and the `data-part` / `data-state` attributes.

/// The design tokens (`--portico-*` custom properties on `:root`). Always in
/// the page itself: custom properties inherit into shadow roots, so hosts
/// theme the custom elements exactly as they theme the Leptos widgets.
/// Minified by `build.rs` from `style/tokens.css`.
pub const TOKENS: &str = include_str!(concat!(env!("OUT_DIR"), "/tokens.css"));

/// The widgets' rules: in the page for the Leptos widgets, in each shadow
/// root for the custom elements. Minified by `build.rs` from
/// `style/base.css` and each widget's stylesheet, in that order.
pub const WIDGETS: &str = include_str!(concat!(env!("OUT_DIR"), "/widgets.css"));

fn add_to_head(marker: &str, css: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document
        .query_selector(&["style[", marker, "]"].concat())
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

#[cfg(test)]
mod tests {
    include!("../style/bundle.rs");

    #[test]
    fn minifying_drops_comments_and_spacing_only() {
        let source = "/* tokens */\n:root {\n  --a: 1px  2px; /* why */\n}\n\n[data-part=\"x\"] > [data-part=\"y\"],\n.b   .c:hover { color: red ; }\n";
        assert_eq!(
            minify_css(source),
            ":root{--a:1px 2px;}[data-part=\"x\"] > [data-part=\"y\"],.b .c:hover{color:red;}"
        );
        assert_eq!(minify_css("a /* unterminated"), "a");
        // A space before a colon is a descendant combinator: it stays.
        assert_eq!(
            minify_css("a :is(b, c) { x: rgb(0 0 0 / 0.5), 0 1px; }"),
            "a :is(b,c){x:rgb(0 0 0 / 0.5),0 1px;}"
        );
    }

    #[test]
    fn the_bundled_stylesheets_keep_every_rule() {
        // Same characters as the sources once comments and whitespace are
        // gone: nothing but those was removed.
        let squeeze = |css: &str| -> String {
            let mut text = String::new();
            for (i, part) in css.split("/*").enumerate() {
                text.push_str(if i == 0 {
                    part
                } else {
                    part.split_once("*/").map_or("", |(_, after)| after)
                });
            }
            text.split_whitespace().collect()
        };
        let read = |path: &str| {
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
                .unwrap()
        };
        assert_eq!(squeeze(super::TOKENS), squeeze(&read(TOKEN_SHEET)));
        let sources: String = WIDGET_SHEETS.iter().map(|path| read(path)).collect();
        assert_eq!(squeeze(super::WIDGETS), squeeze(&sources));
        assert!(super::WIDGETS.len() < sources.len());
        assert!(
            super::WIDGETS.contains("[data-portico-root] [data-part=\"skeleton\"]{display:grid;")
        );
    }
}
