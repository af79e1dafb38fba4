//! Bundle: the portal module a host serves (`target/elements`: every
//! widget, the custom elements and JS API, the wasm-bindgen glue and the
//! CSS, which is inside the wasm), in bytes raw, gzip -9 and brotli 11, and
//! what the shipped wasm is made of according to `twiggy`: its ten largest
//! contributors (Portico widgets and modules, crates) and items.

use std::path::Path;

use serde_json::{json, Value};

use super::report::{format_kb, write_json, Status, Table};
use crate::size::SizeReport;
use crate::{size, tools};

/// The budget for the whole portal, brotli, and the bundle figure
/// that fails the build (in `cargo xtask bench` and in `cargo xtask
/// test`): bytes do not depend on the machine, only on the toolchain and
/// the lockfile. Met since 2026-12-08, at 91,212 bytes (every widget built
/// by hand, the widgets' values in type-erased states, boxed wire errors,
/// no `core::fmt`, talc as the allocator, dead data and the table entries
/// only it named left out, built with `build-std`, the glue's own loader
/// left out and the rest bundled by esbuild). Raise it only on purpose.
pub const BUDGET_BROTLI_BYTES: usize = 90 * 1024;

fn within_budget(brotli_bytes: usize) -> bool {
    brotli_bytes <= BUDGET_BROTLI_BYTES
}

/// Fails when the portal module's brotli total is over
/// [`BUDGET_BROTLI_BYTES`].
pub fn check_budget(report: &SizeReport) -> Result<(), String> {
    let total = report.portal_brotli();
    if within_budget(total) {
        println!(
            "portal module: {} brotli ({total} bytes), within its budget of {}",
            format_kb(total),
            format_kb(BUDGET_BROTLI_BYTES)
        );
        Ok(())
    } else {
        Err(format!(
            "the portal module is {} brotli ({total} bytes), over its budget of {} \
             (xtask/src/bench/bundle.rs): find what grew with `cargo xtask bench bundle`",
            format_kb(total),
            format_kb(BUDGET_BROTLI_BYTES)
        ))
    }
}

pub fn run_bundle(out: &Path, table: &mut Table) -> Result<(), String> {
    let module = crate::elements::build()?;
    let report = size::measure(&module)?;
    report.print();
    let total = report.portal_brotli();
    let breakdown = match wasm_breakdown(10) {
        Ok(breakdown) => {
            breakdown.print();
            breakdown
        }
        Err(e) => {
            println!("\n  twiggy: {e}");
            WasmBreakdown::default()
        }
    };

    table.row(
        "bundle: portal, brotli (wasm + js + css)",
        format_kb(total),
        format!("<= {}", format_kb(BUDGET_BROTLI_BYTES)),
        if within_budget(total) {
            Status::Ok
        } else {
            Status::Fail
        },
    );
    write_json(out, "bundle", &bundle_json(&report, &breakdown))
}

fn bundle_json(report: &SizeReport, breakdown: &WasmBreakdown) -> Value {
    let files: Vec<Value> = report
        .files
        .iter()
        .map(|f| json!({ "file": f.name, "kind": f.kind, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli }))
        .collect();
    let sum = |pick: fn(&size::FileSize) -> usize| -> usize {
        report
            .files
            .iter()
            .filter(|f| f.kind != "html")
            .map(pick)
            .sum()
    };
    let lines = |lines: &[TopItem]| -> Vec<Value> {
        lines
            .iter()
            .map(|t| json!({ "item": t.name, "bytes": t.bytes, "percent": t.percent }))
            .collect()
    };
    json!({
        "files": files,
        "portal_total": { "raw": sum(|f| f.raw), "gzip": sum(|f| f.gzip), "brotli": sum(|f| f.brotli) },
        "budget_brotli_bytes": BUDGET_BROTLI_BYTES,
        "wasm_contributors": lines(&breakdown.contributors),
        "wasm_top": lines(&breakdown.items),
        "wasm_note": "twiggy top on the module as shipped (wasm-bindgen, then wasm-opt with the module's flags and -g to keep names), without the name section: raw bytes and percent of that module; contributors sum every item by the Portico widget (the last named) or module (the first named) in its name, else by the crate its path starts with",
    })
}

/// One line of the breakdown: an item of the wasm, or a contributor's sum.
#[derive(Clone, Debug, PartialEq)]
pub struct TopItem {
    pub name: String,
    pub bytes: u64,
    /// Of the module without its name section.
    pub percent: f64,
}

/// What the shipped wasm's bytes are: its largest items, and every item
/// summed by where it comes from.
#[derive(Default)]
struct WasmBreakdown {
    contributors: Vec<TopItem>,
    items: Vec<TopItem>,
}

impl WasmBreakdown {
    fn print(&self) {
        println!(
            "\nwhat the wasm is made of, as shipped (twiggy after wasm-opt, names kept; raw bytes)"
        );
        println!(
            "  largest contributors (the Portico widget or module whose code an item holds, else its crate)"
        );
        print_lines(&self.contributors);
        println!("  largest items");
        print_lines(&self.items);
    }
}

/// The shipped module's items, by shallow size: the module's wasm built
/// by the module's own steps (`elements::bind_and_optimize`) with `-g`,
/// so that the sizes are the shipped ones and twiggy can still name
/// functions (wasm-opt's inlining moves bytes into callers, so the same
/// build before wasm-opt tells a different story).
fn wasm_breakdown(count: usize) -> Result<WasmBreakdown, String> {
    let scratch = std::env::temp_dir().join(format!("portico-bench-twiggy-{}", std::process::id()));
    let result = (|| {
        let named = scratch.join("portico-named.wasm");
        crate::elements::bind_and_optimize(&scratch.join("bindgen"), &named, true)?;
        let output = tools::command("twiggy")
            .args(["top", "--format", "json", "-n", "1000000"])
            .arg(&named)
            .output()
            .map_err(|e| format!("cannot run twiggy: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "twiggy failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let items: Vec<Value> = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("unexpected twiggy output: {e}"))?;
        Ok(items
            .iter()
            .filter_map(|v| Some((v["name"].as_str()?.to_owned(), v["shallow_size"].as_u64()?)))
            .collect::<Vec<_>>())
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(breakdown(&result?, count))
}

/// The breakdown of twiggy's items (name, shallow bytes), the name
/// section and other custom sections left out.
fn breakdown(items: &[(String, u64)], count: usize) -> WasmBreakdown {
    let is_code_or_data =
        |name: &str| !name.starts_with("custom section") && !name.contains("names\" subsection");
    let kept: Vec<(String, u64)> = items
        .iter()
        .filter(|(name, _)| is_code_or_data(name))
        .map(|(name, bytes)| (without_hashes(name), *bytes))
        .collect();
    let module_bytes = kept.iter().map(|(_, b)| b).sum::<u64>().max(1);
    let line = |name: &str, bytes: u64| TopItem {
        name: name.to_owned(),
        bytes,
        percent: bytes as f64 * 100.0 / module_bytes as f64,
    };
    let mut sums: Vec<(String, u64)> = Vec::new();
    for (name, bytes) in &kept {
        let group = contributor(name);
        match sums.iter_mut().find(|(g, _)| *g == group) {
            Some((_, sum)) => *sum += bytes,
            None => sums.push((group, *bytes)),
        }
    }
    sums.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut largest = kept.clone();
    largest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    WasmBreakdown {
        contributors: sums.iter().take(count).map(|(n, b)| line(n, *b)).collect(),
        items: largest
            .iter()
            .take(count)
            .map(|(n, b)| line(n, *b))
            .collect(),
    }
}

/// Where an item of the wasm comes from. Portico's own code by module, and
/// by widget for the widgets: the last widget named, as a generic
/// function instantiated for a widget's view (`portal_view::<checkout
/// view>`, `For<entitlement rows>`) holds that widget's code once inlined.
/// Otherwise the crate the item's path starts with.
fn contributor(name: &str) -> String {
    const GLUE: &str = "JS API exports and wasm-bindgen glue";
    if name.starts_with("data segment") {
        return "data (text, CSS, tables)".to_owned();
    }
    let segment = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    if let Some(at) = name.rfind("portico::widgets::") {
        return format!(
            "portico::widgets::{}",
            segment(&name[at + "portico::widgets::".len()..])
        );
    }
    if let Some(at) = name.find("portico::") {
        return format!("portico::{}", segment(&name[at + "portico::".len()..]));
    }
    // wasm-bindgen's shims of exported functions, and its own exports.
    if name.contains(" externref shim")
        || name.starts_with("export ")
        || (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return GLUE.to_owned();
    }
    let mut path = name.trim_start_matches(['<', '&', '*']);
    for prefix in ["mut ", "const ", "dyn "] {
        path = path.strip_prefix(prefix).unwrap_or(path);
    }
    // `<str as core::fmt::Debug>::fmt`, `<() as tachys::…>`: the trait's crate.
    if let Some((self_type, rest)) = path.split_once(" as ") {
        if !self_type.contains("::") {
            path = rest.trim_start_matches(['<', '&', '*']);
        }
    }
    // `<str>::find`: a primitive's inherent method, from core.
    if let Some((self_type, _)) = path.split_once(">::") {
        if !self_type.contains("::") && !self_type.contains('<') {
            return "core".to_owned();
        }
    }
    match path.split_once("::") {
        Some((krate, _)) if !krate.is_empty() && segment(krate) == krate => krate.to_owned(),
        _ => "unnamed functions and tables".to_owned(),
    }
}

/// `foo[0123456789abcdef]::bar::h0123456789abcdef` as `foo::bar`.
fn without_hashes(name: &str) -> String {
    let name = match name.rsplit_once("::h") {
        Some((path, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            path
        }
        _ => name,
    };
    // Crate disambiguators, `core[27cd0353e63fa9bc]`.
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let hash = rest.get(open + 1..open + 17);
        let is_crate_hash = hash.is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            && rest.as_bytes().get(open + 17) == Some(&b']');
        if is_crate_hash {
            out.push_str(&rest[..open]);
            rest = &rest[open + 18..];
        } else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
        }
    }
    out.push_str(rest);
    out
}

fn print_lines(lines: &[TopItem]) {
    for (i, item) in lines.iter().enumerate() {
        let mut name = item.name.clone();
        if name.chars().count() > 96 {
            name = name.chars().take(95).collect::<String>() + "…";
        }
        println!(
            "  {:>2}. {:>9} B  {:>5.1}%  {name}",
            i + 1,
            item.bytes,
            item.percent
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{breakdown, contributor, without_hashes};

    #[test]
    fn symbol_and_crate_hashes_are_dropped() {
        assert_eq!(
            without_hashes("portico::widgets::portal::__component_portal::hfb420c29f3a798b2"),
            "portico::widgets::portal::__component_portal"
        );
        assert_eq!(
            without_hashes("<core[27cd0353e63fa9bc]::ptr::drop_in_place::<alloc[2505b2eafb3ee1e2]::string::String>"),
            "<core::ptr::drop_in_place::<alloc::string::String>"
        );
        assert_eq!(
            without_hashes("data segment \".rodata\""),
            "data segment \".rodata\""
        );
        assert_eq!(without_hashes("code[2603]"), "code[2603]");
    }

    #[test]
    fn items_count_for_the_portico_code_they_hold_else_their_crate() {
        let cases = [
            ("<portico::widgets::checkout::__component_checkout::{closure#4} as tachys::view::Render>::build", "portico::widgets::checkout"),
            ("<reactive_graph::computed::memo::Memo<portico::widgets::status::Phase> as reactive_graph::traits::Get>::get", "portico::widgets::status"),
            ("<portico_types::portal::SubscriptionSummary as portico::wire::FromJs>::from_js", "portico::wire"),
            ("<portico::provider::PortalContext>::refresh::{closure#0}", "portico::provider"),
            ("portico::i18n::fill", "portico::i18n"),
            ("<_ as tachys::view::Render>::build", "tachys"),
            ("core::ptr::drop_in_place::<alloc::string::String>", "core"),
            ("<&mut dyn core::fmt::Write>::write_str", "core"),
            ("<dlmalloc::dlmalloc::Dlmalloc<dlmalloc::sys::System>>::malloc", "dlmalloc"),
            ("<portico::widgets::status::portal_view<portico::widgets::plan_picker::__component_plan_picker::{closure#0}, ()>::{closure#0} as tachys::view::Render>::build", "portico::widgets::plan_picker"),
            ("<str as core::fmt::Debug>::fmt", "core"),
            ("<str>::find::<char>", "core"),
            ("<() as tachys::html::attribute::NextAttribute>::add_any_attr", "tachys"),
            ("createSession externref shim multivalue shim", "JS API exports and wasm-bindgen glue"),
            ("portalsession_dispose", "JS API exports and wasm-bindgen glue"),
            ("data segment \".rodata.1\"", "data (text, CSS, tables)"),
            ("code[2603]", "unnamed functions and tables"),
            ("elem[0]", "unnamed functions and tables"),
        ];
        for (name, expected) in cases {
            assert_eq!(contributor(name), expected, "{name}");
        }
    }

    #[test]
    fn the_breakdown_sums_by_contributor_without_the_name_section() {
        let items = [
            ("\"function names\" subsection".to_owned(), 9_000),
            ("core::ptr::drop_in_place::<u8>".to_owned(), 10),
            ("core::fmt::write".to_owned(), 30),
            ("portico::wire::field::<u8>".to_owned(), 35),
            ("data segment \".rodata\"".to_owned(), 25),
        ];
        let result = breakdown(&items, 2);
        let names: Vec<(&str, u64)> = result
            .contributors
            .iter()
            .map(|l| (l.name.as_str(), l.bytes))
            .collect();
        assert_eq!(names, [("core", 40), ("portico::wire", 35)]);
        assert!((result.contributors[0].percent - 40.0).abs() < 1e-9);
        let items: Vec<&str> = result.items.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(items, ["portico::wire::field::<u8>", "core::fmt::write"]);
    }
}
