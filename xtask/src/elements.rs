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

pub fn build() -> Result<PathBuf, String> {
    crate::step("building the portal module (target/elements)");
    run(cargo().args([
        "build",
        "--release",
        "--package",
        "portico",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let out = out_dir();
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let wasm = root().join("target/wasm32-unknown-unknown/release/portico.wasm");
    run(tools::command("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            "portico_wasm",
            "--out-dir",
        ])
        .arg(&out)
        .arg(&wasm))?;
    let bound = out.join("portico_wasm_bg.wasm");
    run(tools::command("wasm-opt")
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-reference-types",
            "--enable-multivalue",
            "-o",
        ])
        .arg(&bound)
        .arg(&bound))?;
    for file in ["portico.js", "portico.d.ts"] {
        std::fs::copy(root().join("js").join(file), out.join(file))
            .map_err(|e| format!("cannot copy js/{file}: {e}"))?;
    }
    Ok(out)
}
