//! The portal as a drop-in ES module for any page (`target/elements/`):
//! `portico.js` (the custom elements and the JS API), `portico.d.ts`, and
//! the wasm with its bindings. This is the artifact a host serves, and the
//! one the size budget is about.

use std::path::{Path, PathBuf};

use crate::process::{cargo, run};
use crate::{bindgen_output, dead_data, root, tools};

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
/// Between the -Oz runs, the control flow is flattened and rebuilt
/// (`--flatten --rereloop`), twice: -Oz then finds shorter code for it,
/// 0.9 KB brotli less (0.7 KB after the first round) for about 25 s more.
pub const WASM_OPT_ARGS: &[&str] = &[
    "-Oz",
    "--flatten",
    "--rereloop",
    "-Oz",
    "--flatten",
    "--rereloop",
    "-Oz",
    "--converge",
];

/// What wasm-opt may assume of the module, in every run (see above).
const WASM_OPT_FEATURES: &[&str] = &[
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
    // messages. These flags replace the config's, hence `erase_components`
    // again (see .cargo/config.toml).
    // The linker also writes its map, which `dead_data` reads.
    let map = format!("-Clink-arg=--Map={}", link_map().display());
    let flags = [
        "--cfg",
        "erase_components",
        "-Zunstable-options",
        "-Cpanic=immediate-abort",
        "-Zlocation-detail=none",
        &map,
    ];
    run(cargo()
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTFLAGS")
        // Encoded (one flag per separator), so that a path with spaces in
        // it stays one flag.
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"))
        .args([
            "build",
            "--release",
            "--package",
            "portico",
            "--lib",
            "--features",
            "module",
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
    let wasm = out.join("portico_wasm_bg.wasm");
    let glue = bind_and_optimize(&bindgen, &wasm, false)?;
    shorten_names(&wasm, &glue)?;
    write(&glue, bindgen_output::expose_loader(&glue_text(&glue)?)?)?;
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

/// The release wasm through wasm-bindgen (into `scratch`) and wasm-opt
/// (into `wasm`), without the exports nothing uses: the module's wasm
/// before its names are shortened. `keep_names` adds `-g`, for tools that
/// name functions (the bundle benchmark). Returns the glue's path.
pub fn bind_and_optimize(scratch: &Path, wasm: &Path, keep_names: bool) -> Result<PathBuf, String> {
    let _ = std::fs::remove_dir_all(scratch);
    run(tools::command("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            // Every browser the module runs in has `TextEncoder.encodeInto`.
            "--encode-into",
            "always",
            "--out-name",
            "portico_wasm",
            "--out-dir",
        ])
        .arg(scratch)
        .arg(release_wasm()))?;
    let glue = scratch.join("portico_wasm.js");
    let bound = scratch.join("portico_wasm_bg.wasm");
    drop_unused_exports(&bound, &glue)?;
    let wasm_opt = |args: &[&str]| {
        let mut command = tools::command("wasm-opt");
        if keep_names {
            command.arg("-g");
        }
        command.args(args).args(WASM_OPT_FEATURES);
        command
    };
    // A first -Oz removes the code nothing calls; the data only that code
    // used is then zeroed (see `dead_data`), and the whole run leaves it
    // out. (-Oz then the whole run gives the same code as the whole run
    // alone, to a few bytes.)
    let trimmed = scratch.join("portico_trimmed.wasm");
    run(wasm_opt(&["-Oz"]).arg("-o").arg(&trimmed).arg(&bound))?;
    let map = std::fs::read_to_string(link_map())
        .map_err(|e| format!("cannot read the linker's map {}: {e}", link_map().display()))?;
    let sections = dead_data::data_sections(&map)?;
    let (zeroed, count) = dead_data::zero_dead_data(&read(&trimmed)?, &sections)?;
    if count == 0 {
        return Err(
            "no dead data was found: has the toolchain changed what the module links?".to_owned(),
        );
    }
    // The function-table entries only that data named (the dropped
    // code's vtables) go too, so wasm-opt can drop their functions.
    let (nulled_wasm, entries) = dead_data::null_unnamed_table_entries(&zeroed)?;
    if !keep_names {
        println!(
            "    left out: {count} bytes of data nothing reads any more, and {entries} \
             function-table entries only that data named"
        );
    }
    write(&trimmed, nulled_wasm)?;
    run(wasm_opt(WASM_OPT_ARGS).arg("-o").arg(wasm).arg(&trimmed))?;
    Ok(glue)
}

/// The linker's map of the module's release build.
fn link_map() -> PathBuf {
    target_dir().join("portico.map")
}

/// The classes of `wasm-streams` (see `bindgen_output`): exported by
/// wasm-bindgen, used by nothing in the module.
const STREAM_CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn glue_text(path: &Path) -> Result<String, String> {
    String::from_utf8(read(path)?).map_err(|_| format!("{} is not UTF-8", path.display()))
}

/// Before wasm-opt: the stream classes out of the glue, then every export
/// the glue does not name out of the wasm, and the table entries only
/// those exports reached, so that wasm-opt drops their code. Nothing else reaches the wasm's exports: `portico.js` talks to
/// the glue only. Besides the classes' methods, this drops a few globals
/// Rust's toolchain exports for tools this module is never run under.
fn drop_unused_exports(wasm_path: &Path, glue_path: &Path) -> Result<(), String> {
    let mut glue = glue_text(glue_path)?;
    let mut dropped_classes = 0;
    for class in STREAM_CLASSES {
        if glue.contains(&format!("export class {class} ")) {
            glue = bindgen_output::drop_class(&glue, class)?;
            dropped_classes += 1;
        }
    }
    let (wasm, _) = bindgen_output::drop_exports(&read(wasm_path)?, |name| {
        !bindgen_output::holds_word(&glue, name)
    })?;
    // What only those classes reached: the closures of their futures.
    let (wasm, nulled) =
        bindgen_output::null_table_entries(&wasm, |name| name.contains("wasm_streams"))?;
    if nulled == 0 && dropped_classes > 0 {
        return Err(
            "no table entry of the stream classes' closures was found: has the toolchain changed?"
                .to_owned(),
        );
    }
    write(wasm_path, wasm)?;
    write(glue_path, glue)
}

/// After wasm-opt: short names for the imports and exports, in both files,
/// and no custom sections.
fn shorten_names(wasm_path: &Path, glue_path: &Path) -> Result<(), String> {
    let wasm = read(wasm_path)?;
    // The JavaScript of imports wasm-opt found nothing calls (those of the
    // dropped exports' code) goes first, so it is not renamed for nothing.
    let (glue, _) =
        bindgen_output::drop_unimported(&wasm, &glue_text(glue_path)?, "./portico_wasm_bg.js")?;
    let (wasm, glue, imports) =
        bindgen_output::shorten_imports(&wasm, &glue, "./portico_wasm_bg.js")?;
    let (wasm, glue, exports) = bindgen_output::shorten_exports(&wasm, &glue)?;
    let (wasm, _) = bindgen_output::drop_custom_sections(&wasm)?;
    if imports == 0 || exports == 0 {
        return Err(
            "no import or export was renamed: has wasm-bindgen's output changed?".to_owned(),
        );
    }
    write(wasm_path, wasm)?;
    write(glue_path, glue)
}
