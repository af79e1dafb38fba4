//! The portal as a drop-in ES module for any page (`target/elements/`):
//! `portico.js` (the custom elements and the JS API), `portico.d.ts`, and
//! the wasm with its bindings. This is the artifact a host serves, and the
//! one the size budget is about.

use std::path::PathBuf;

use crate::process::{cargo, run};
use crate::{root, tools};

pub fn out_dir() -> PathBuf {
    root().join("target/elements")
}

/// Where the module's own release build goes: apart from `target/`'s, as
/// it builds the standard library with other flags.
fn target_dir() -> PathBuf {
    root().join("target/module")
}

/// The module's wasm as rustc wrote it (before wasm-bindgen).
pub fn release_wasm() -> PathBuf {
    target_dir().join("wasm32-unknown-unknown/release/portico.wasm")
}

/// How wasm-opt shrinks the module (and, with `-g` added, the copy the
/// bundle benchmark names functions in). `--converge` repeats -Oz until it
/// stops shrinking; the module owns its memory, which starts zeroed
/// (`--zero-filled-memory`), and Rust never addresses the first kilobyte
/// (`--low-memory-unused`, which lets small constant offsets fold into
/// loads and stores). Together 1.6 KB brotli (`cargo xtask size`).
pub const WASM_OPT_ARGS: &[&str] = &[
    "-Oz",
    "--converge",
    "--zero-filled-memory",
    "--low-memory-unused",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn build() -> Result<PathBuf, String> {
    crate::step("building the portal module (target/elements)");
    // Every byte here is downloaded by every visitor of every host, so the
    // module is built the way the Leptos book recommends for size: the
    // standard library rebuilt with `optimize_for_size`, and panics that
    // abort at once instead of formatting a message nobody sees (a panic
    // was already fatal: `panic = "abort"`). That saves about 13 KB of
    // 162 KB brotli (measured with `cargo xtask size`); leaving out the
    // source locations only those messages used (`-Zlocation-detail=none`)
    // 1.3 KB more. These are unstable
    // flags; the machine's only toolchain is stable, so RUSTC_BOOTSTRAP
    // allows them for this one build. Tests build normally and keep panic
    // messages. RUSTFLAGS replaces the config's, hence `erase_components`
    // again (see .cargo/config.toml).
    run(cargo()
        .env("RUSTC_BOOTSTRAP", "1")
        .env(
            "RUSTFLAGS",
            "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none",
        )
        .args([
            "build",
            "--release",
            "--package",
            "portico",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=optimize_for_size",
            "--target-dir",
        ])
        .arg(target_dir()))?;
    let out = out_dir();
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    // wasm-bindgen's glue and the JS API are written beside each other in
    // a scratch folder, then bundled into one `portico.js`.
    let bindgen = target_dir().join("bindgen");
    let _ = std::fs::remove_dir_all(&bindgen);
    run(tools::command("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            "portico_wasm",
            "--out-dir",
        ])
        .arg(&bindgen)
        .arg(release_wasm()))?;
    run(tools::command("wasm-opt")
        .args(WASM_OPT_ARGS)
        .arg("-o")
        .arg(out.join("portico_wasm_bg.wasm"))
        .arg(bindgen.join("portico_wasm_bg.wasm")))?;
    let api = bindgen.join("portico.js");
    std::fs::copy(root().join("js/portico.js"), &api)
        .map_err(|e| format!("cannot copy js/portico.js: {e}"))?;
    // One minified file for the JS API and the glue: a page fetches one
    // script before the wasm instead of two in a row, and 3.5 KB brotli
    // less (`cargo xtask size`). The source map is beside it, for hosts'
    // devtools; browsers fetch it only when those are open.
    run(tools::command("esbuild")
        .arg(&api)
        .args([
            "--bundle",
            "--minify",
            "--format=esm",
            "--sourcemap",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", out.join("portico.js").display())))?;
    std::fs::copy(root().join("js/portico.d.ts"), out.join("portico.d.ts"))
        .map_err(|e| format!("cannot copy js/portico.d.ts: {e}"))?;
    Ok(out)
}
