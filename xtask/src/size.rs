//! Bytes of the release bundle, raw, gzip -9 and brotli (quality 11): what
//! a browser downloads.

use std::io::Write;
use std::path::Path;

pub struct FileSize {
    pub name: String,
    pub kind: &'static str,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

pub struct SizeReport {
    pub files: Vec<FileSize>,
}

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = encoder.write_all(bytes);
    encoder.finish().map(|v| v.len()).unwrap_or(0)
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out.len()
}

pub fn measure(dist: &Path) -> Result<SizeReport, String> {
    let mut files = Vec::new();
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => "wasm",
            Some("js") => "js",
            Some("css") => "css",
            Some("html") => "html",
            // Type declarations are for editors; browsers never load them.
            _ => continue,
        };
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        files.push(FileSize {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            kind,
            raw: bytes.len(),
            gzip: gzip(&bytes),
            brotli: brotli(&bytes),
        });
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.raw));
    if !files.iter().any(|f| f.kind == "wasm") {
        return Err(format!(
            "no .wasm in {}: build the bundle first",
            dist.display()
        ));
    }
    Ok(SizeReport { files })
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

impl SizeReport {
    /// The portal: wasm, its JS glue and CSS (the demo's html is the host's).
    pub fn portal_brotli(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.kind != "html")
            .map(|f| f.brotli)
            .sum()
    }

    pub fn print(&self) {
        println!(
            "\n{:<44} {:>12} {:>12} {:>12}",
            "bundle file", "raw", "gzip -9", "brotli 11"
        );
        for f in &self.files {
            println!(
                "{:<44} {:>12} {:>12} {:>12}",
                f.name,
                kb(f.raw),
                kb(f.gzip),
                kb(f.brotli)
            );
        }
        let sum = |pick: fn(&FileSize) -> usize| {
            self.files
                .iter()
                .filter(|f| f.kind != "html")
                .map(pick)
                .sum::<usize>()
        };
        println!(
            "{:<44} {:>12} {:>12} {:>12}",
            "portal total (wasm + js + css)",
            kb(sum(|f| f.raw)),
            kb(sum(|f| f.gzip)),
            kb(sum(|f| f.brotli))
        );
    }

    pub fn write_json(&self, path: &Path) -> Result<(), String> {
        let files: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|f| serde_json::json!({ "file": f.name, "kind": f.kind, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli }))
            .collect();
        let json =
            serde_json::json!({ "files": files, "portal_brotli_bytes": self.portal_brotli() });
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(
            path,
            serde_json::to_string_pretty(&json).unwrap_or_default(),
        )
        .map_err(|e| e.to_string())
    }
}
