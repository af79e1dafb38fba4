//! Security headers: on the static files served with `--serve-dir` (the
//! built portal), and on API responses.
//!
//! Served pages get a Content-Security-Policy that lets the wasm bundle run
//! and little else, `X-Content-Type-Options: nosniff`, a `Referrer-Policy`,
//! and `X-Frame-Options` matching the policy's `frame-ancestors`.
//!
//! The inline start-up script. `trunk build` writes the app's loader into
//! `index.html` as an inline `<script type="module">` (import the JS glue,
//! instantiate the wasm). `script-src 'self'` alone would block it, and
//! `'unsafe-inline'` would let any injected script run too. Instead, when
//! the server starts it reads the served `index.html`, hashes each inline
//! script in it, and adds those `'sha256-…'` sources to `script-src`: exactly
//! the scripts the operator shipped may run, nothing injected later can.
//! The trade-off: the hashes are taken at start-up, so replacing
//! `index.html` under a running server needs a restart (its new loader
//! would be blocked until then). `'wasm-unsafe-eval'` is what compiling
//! WebAssembly needs; it allows no JavaScript `eval`.
//!
//! Styles: the widgets inject their stylesheet as a `<style>` element at
//! run time, so the default allows inline styles (`style-src 'self'
//! 'unsafe-inline'`); CSS cannot run script. Tighten it with
//! `--content-security-policy` if your page loads the CSS as a file.
//!
//! API responses get `nosniff`, `Cache-Control: no-store` unless the handler
//! set its own (they carry billing data and tokens), and a policy that
//! forbids rendering them as a page.

use std::path::Path;

use axum::http::{header, HeaderValue};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::layer::util::{Identity, Stack};
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

/// The default policy for served pages; `--content-security-policy`
/// replaces it. Inline scripts found in `index.html` are added to
/// `script-src` by hash either way.
pub const DEFAULT_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; \
    font-src 'self'; \
    connect-src 'self'; \
    object-src 'none'; \
    base-uri 'none'; \
    form-action 'self'; \
    frame-ancestors 'none'";

/// API responses are data, never a page.
const API_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The `'sha256-…'` CSP source of every inline `<script>` (one without a
/// `src` attribute) in an HTML document, in document order.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<script") {
        let tag_start = at + found;
        let Some(tag_len) = lower[tag_start..].find('>') else {
            break;
        };
        let tag = &lower[tag_start..tag_start + tag_len];
        let body_start = tag_start + tag_len + 1;
        let Some(body_len) = lower[body_start..].find("</script") else {
            break;
        };
        // `<scripts>` or `<script-foo>` are not script elements.
        let is_script =
            tag[7..].starts_with(|c: char| c.is_ascii_whitespace() || c == '/') || tag.len() == 7;
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attribute| attribute == "src" || attribute.starts_with("src="));
        if is_script && !has_src {
            // Lower-casing ASCII keeps byte offsets, so they index `html`.
            let body = &html[body_start..body_start + body_len];
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!("'sha256-{}'", STANDARD.encode(digest)));
        }
        at = body_start + body_len;
    }
    hashes
}

/// `policy` with `sources` added to its `script-src` directive (or to
/// `default-src` if it has no `script-src`, keeping that directive's
/// sources for scripts).
pub fn with_script_sources(policy: &str, sources: &[String]) -> String {
    if sources.is_empty() {
        return policy.trim().to_owned();
    }
    let directives: Vec<&str> = policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let name = |d: &str| {
        d.split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let extra = sources.join(" ");
    let mut out: Vec<String> = Vec::with_capacity(directives.len() + 1);
    if directives.iter().any(|d| name(d) == "script-src") {
        for d in directives {
            if name(d) == "script-src" {
                out.push(format!("{d} {extra}"));
            } else {
                out.push(d.to_owned());
            }
        }
    } else {
        out.extend(directives.iter().map(|d| d.to_string()));
        if let Some(default) = directives.iter().find(|d| name(d) == "default-src") {
            let sources = default
                .split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" ");
            out.push(format!("script-src {sources} {extra}"));
        }
        // Without either directive scripts are unrestricted: nothing to add.
    }
    out.join("; ")
}

/// The policy for the pages in `serve_dir`: `policy` plus the hashes of the
/// inline scripts of its `index.html`, read now.
pub fn page_policy(policy: &str, serve_dir: &Path) -> String {
    let index = serve_dir.join("index.html");
    let hashes = match std::fs::read_to_string(&index) {
        Ok(html) => inline_script_hashes(&html),
        Err(e) => {
            tracing::warn!(path = %index.display(), error = %e, "cannot read index.html to hash its inline scripts");
            Vec::new()
        }
    };
    with_script_sources(policy, &hashes)
}

/// `X-Frame-Options` for browsers that predate `frame-ancestors`, matching
/// the policy: `DENY` for `'none'`, `SAMEORIGIN` for `'self'`, and nothing
/// when the policy allows other framers (X-Frame-Options cannot say that).
fn frame_options(policy: &str) -> Option<HeaderValue> {
    let directive = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.to_ascii_lowercase().starts_with("frame-ancestors"))?;
    let sources: Vec<String> = directive
        .split_whitespace()
        .skip(1)
        .map(str::to_ascii_lowercase)
        .collect();
    match sources.as_slice() {
        [only] if only == "'none'" => Some(HeaderValue::from_static("DENY")),
        [only] if only == "'self'" => Some(HeaderValue::from_static("SAMEORIGIN")),
        _ => None,
    }
}

type Set = SetResponseHeaderLayer<HeaderValue>;
type SetOptional = SetResponseHeaderLayer<Option<HeaderValue>>;
/// The four header layers of [`page_layers`].
pub type PageHeaders =
    ServiceBuilder<Stack<SetOptional, Stack<Set, Stack<Set, Stack<Set, Identity>>>>>;
/// The three header layers of [`api_layers`].
pub type ApiHeaders = ServiceBuilder<Stack<Set, Stack<Set, Stack<Set, Identity>>>>;

/// Headers for served pages, as a layer for the static file service.
/// `policy` must be a valid header value (config checks it).
pub fn page_layers(policy: &str) -> PageHeaders {
    let csp = HeaderValue::from_str(policy)
        .unwrap_or_else(|_| HeaderValue::from_static(DEFAULT_CONTENT_SECURITY_POLICY));
    let frame = frame_options(policy);
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            frame,
        ))
}

/// Headers for every API response.
pub fn api_layers() -> ApiHeaders {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CONTENT_SECURITY_POLICY),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    // What trunk 0.21 writes to start the app (shape, not byte-exact).
    const TRUNK_INDEX: &str = r#"<!DOCTYPE html><html><head>
<link rel="modulepreload" href="/portico-1a2b.js" crossorigin="anonymous" integrity="sha384-x">
<script src="/other.js"></script>
<script type="module">
import init, * as bindings from '/portico-1a2b.js';
const wasm = await init({ module_or_path: '/portico-1a2b_bg.wasm' });
window.wasmBindings = bindings;
</script>
<SCRIPT>console.log(1)</SCRIPT>
</head><body></body></html>"#;

    #[test]
    fn hashes_inline_scripts_only() {
        let hashes = inline_script_hashes(TRUNK_INDEX);
        assert_eq!(hashes.len(), 2, "{hashes:?}");
        let body = "\nimport init, * as bindings from '/portico-1a2b.js';\nconst wasm = await init({ module_or_path: '/portico-1a2b_bg.wasm' });\nwindow.wasmBindings = bindings;\n";
        let expected = format!("'sha256-{}'", STANDARD.encode(Sha256::digest(body)));
        assert_eq!(hashes[0], expected);
        let upper = format!(
            "'sha256-{}'",
            STANDARD.encode(Sha256::digest("console.log(1)"))
        );
        assert_eq!(hashes[1], upper);
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
        assert!(inline_script_hashes("<script>unterminated").is_empty());
    }

    #[test]
    fn hashes_join_script_src() {
        let sources = vec!["'sha256-abc'".to_owned()];
        assert_eq!(
            with_script_sources("default-src 'self'; script-src 'self'", &sources),
            "default-src 'self'; script-src 'self' 'sha256-abc'"
        );
        assert_eq!(
            with_script_sources("default-src 'self' ; img-src *", &sources),
            "default-src 'self'; img-src *; script-src 'self' 'sha256-abc'"
        );
        assert_eq!(with_script_sources("img-src *", &sources), "img-src *");
        let policy = with_script_sources(DEFAULT_CONTENT_SECURITY_POLICY, &sources);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"));
        assert!(!policy.contains("unsafe-inline' 'sha256"), "{policy}");
    }

    #[test]
    fn frame_options_follow_frame_ancestors() {
        assert_eq!(
            frame_options(DEFAULT_CONTENT_SECURITY_POLICY),
            Some(HeaderValue::from_static("DENY"))
        );
        assert_eq!(
            frame_options("frame-ancestors 'self'"),
            Some(HeaderValue::from_static("SAMEORIGIN"))
        );
        assert_eq!(frame_options("frame-ancestors https://a.test"), None);
        assert_eq!(frame_options("default-src 'self'"), None);
    }
}
