//! wasm-bindgen's output, made smaller without changing what it does.
//!
//! - **Short names.** wasm-bindgen names each import after the Rust item
//!   and a hash (`__wbg_setAttribute_f75317b2b5cabfb4`) and some exports
//!   after whole type paths, and each name is written twice: in the wasm
//!   and in the glue. The hashes do not compress. Renamed to `a`, `b`, …
//!   in both files the module is 3.2 KB brotli smaller for the imports
//!   alone (`cargo xtask size`). Only a name the glue uses in one known way is
//!   renamed (an import as the key of the import object, an export as
//!   `wasm.name`, beside the glue's own function of that name); any other
//!   keeps its name.
//! - **Exports nobody calls.** Leptos brings the `wasm-streams` crate
//!   (through `server_fn`, for streaming server functions this client-side
//!   module never has), and its `#[wasm_bindgen]` classes are exported, so
//!   neither wasm-opt nor esbuild could drop them. Their exports and classes
//!   are removed before wasm-opt, which then drops their code (5 KB of
//!   wasm; with the exports' short names, 1.7 KB brotli).
//! - **Table entries nobody reaches.** Those classes' methods made boxed
//!   closures of stream futures, whose functions the linker put in the
//!   function table (a closure's vtable holds its functions' table
//!   indices). With the methods gone nothing makes those closures, but
//!   their table entries kept 8.7 KB of wasm alive, and wasm-opt cannot
//!   tell: any computed index may reach any entry. Those entries are set to
//!   null (calling one would trap), picked by the names the linked module
//!   still has, and wasm-opt then drops their code: 2.5 KB brotli.

use crate::function_table;

/// The wasm and glue with the glue module's imports renamed, and how many
/// were renamed.
pub fn shorten_imports(
    wasm: &[u8],
    glue: &str,
    glue_module: &str,
) -> Result<(Vec<u8>, String, usize), String> {
    shorten(
        wasm,
        glue,
        IMPORT_SECTION,
        parse_imports,
        encode_imports,
        |import, glue| {
            if import.module != glue_module {
                return None;
            }
            sole_object_key(glue, &import.field).map(|at| vec![at])
        },
    )
}

/// The wasm and glue with every export the glue uses only as `wasm.name`
/// (see [`property_uses`]) renamed, and how many were renamed.
pub fn shorten_exports(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String, usize), String> {
    shorten(
        wasm,
        glue,
        EXPORT_SECTION,
        parse_exports,
        encode_exports,
        |export, glue| property_uses(glue, &export.name),
    )
}

/// An import or an export: an entry of a section that has a name.
trait Named: Clone {
    fn name(&self) -> &str;
    fn with_name(&self, name: String) -> Self;
}

impl Named for Import {
    fn name(&self) -> &str {
        &self.field
    }
    fn with_name(&self, field: String) -> Self {
        Import {
            field,
            ..self.clone()
        }
    }
}

impl Named for Export {
    fn name(&self) -> &str {
        &self.name
    }
    fn with_name(&self, name: String) -> Self {
        Export {
            name,
            ..self.clone()
        }
    }
}

/// Renames each entry of section `id` that `places` finds in the glue (the
/// byte offsets of every use) to the next free short name, in both files.
fn shorten<E: Named>(
    wasm: &[u8],
    glue: &str,
    id: u8,
    parse: fn(&[u8]) -> Result<Vec<E>, String>,
    encode: fn(&[E]) -> Vec<u8>,
    places: impl Fn(&E, &str) -> Option<Vec<usize>>,
) -> Result<(Vec<u8>, String, usize), String> {
    let module = Module::parse(wasm)?;
    let Some(section) = module.sections.iter().find(|s| s.id == id) else {
        return Ok((wasm.to_vec(), glue.to_owned(), 0));
    };
    let entries = parse(&wasm[section.body.clone()])?;
    let taken: Vec<&str> = entries.iter().map(Named::name).collect();
    let mut names = ShortNames::default();
    let mut glue = glue.to_owned();
    let mut renamed = Vec::with_capacity(entries.len());
    let mut count = 0;
    for entry in &entries {
        match places(entry, &glue) {
            Some(uses) => {
                let short = names.next_free(&taken, &glue);
                // From the end, so the earlier places stay where they are.
                for at in uses.into_iter().rev() {
                    glue.replace_range(at..at + entry.name().len(), &short);
                }
                count += 1;
                renamed.push(entry.with_name(short));
            }
            None => renamed.push(entry.clone()),
        }
    }
    Ok((
        module.with_section(wasm, id, &encode(&renamed)),
        glue,
        count,
    ))
}

/// Where the glue uses `name` as a property of the wasm exports
/// (`wasm.name`), if it does at least once and uses it in no other way
/// that could reach the export. The glue names its wrapper of an export
/// after it (`function name(…) { wasm.name(…) }`): with such a function
/// declared, a bare `name` is that JS function, not the export, and is
/// left as it is.
fn property_uses(glue: &str, name: &str) -> Option<Vec<usize>> {
    let wrapped = glue.contains(&format!("function {name}("));
    let mut uses = Vec::new();
    for at in word_uses(glue, name) {
        let before = glue[..at].chars().next_back();
        let property_of_wasm = glue[..at].ends_with("wasm.")
            && !glue[..at - "wasm.".len()]
                .chars()
                .next_back()
                .is_some_and(is_identifier_char);
        if property_of_wasm {
            uses.push(at);
        } else if !(wrapped && before.is_none_or(|c| !matches!(c, '.' | '"' | '\'' | '`' | '['))) {
            return None;
        }
    }
    (!uses.is_empty()).then_some(uses)
}

/// The wasm without the exports `is_dropped` picks, and how many there were.
pub fn drop_exports(
    wasm: &[u8],
    is_dropped: impl Fn(&str) -> bool,
) -> Result<(Vec<u8>, usize), String> {
    let module = Module::parse(wasm)?;
    let Some(section) = module.sections.iter().find(|s| s.id == EXPORT_SECTION) else {
        return Ok((wasm.to_vec(), 0));
    };
    let exports = parse_exports(&wasm[section.body.clone()])?;
    let kept: Vec<Export> = exports
        .iter()
        .filter(|e| !is_dropped(&e.name))
        .cloned()
        .collect();
    let dropped = exports.len() - kept.len();
    Ok((
        module.with_section(wasm, EXPORT_SECTION, &encode_exports(&kept)),
        dropped,
    ))
}

/// The wasm with every function-table entry whose function's name
/// `is_dead` picks set to null, and how many were. Reads the names from the
/// module's name section; an error without one (see
/// [`function_table::null_entries`] for the table it expects).
pub fn null_table_entries(
    wasm: &[u8],
    is_dead: impl Fn(&str) -> bool,
) -> Result<(Vec<u8>, usize), String> {
    let names = Module::parse(wasm)?.function_names(wasm)?;
    function_table::null_entries(wasm, |entry| {
        names
            .get(&u64::from(entry.function))
            .is_some_and(|name| is_dead(name))
    })
}

/// The glue without the exported class `class` (its definition, its
/// `Symbol.dispose` line and its finalization registry). An error if any
/// of the three is not where wasm-bindgen writes it.
pub fn drop_class(glue: &str, class: &str) -> Result<String, String> {
    let missing = |what: &str| {
        format!("the glue has no {what} for class {class}: has wasm-bindgen's output changed?")
    };
    let mut glue = glue.to_owned();

    let head = format!("export class {class} {{\n");
    let start = glue.find(&head).ok_or_else(|| missing("definition"))?;
    let end = glue[start..]
        .find("\n}\n")
        .map(|at| start + at + "\n}\n".len())
        .ok_or_else(|| missing("end of the definition"))?;
    glue.replace_range(start..end, "");

    let dispose = format!(
        "if (Symbol.dispose) {class}.prototype[Symbol.dispose] = {class}.prototype.free;\n"
    );
    let start = glue
        .find(&dispose)
        .ok_or_else(|| missing("Symbol.dispose line"))?;
    glue.replace_range(start..start + dispose.len(), "");

    let registry = format!("const {class}Finalization = ");
    let start = glue
        .find(&registry)
        .ok_or_else(|| missing("finalization registry"))?;
    let end = glue[start..]
        .find(");\n")
        .map(|at| start + at + ");\n".len())
        .ok_or_else(|| missing("end of the finalization registry"))?;
    glue.replace_range(start..end, "");

    if holds_word(&glue, class) {
        return Err(format!(
            "the glue still uses class {class} after it was removed"
        ));
    }
    Ok(glue)
}

/// The glue exporting the two steps of its loading, the import object
/// (`imports`) and the instance's setup (`finish`), in place of its own
/// loader (`default`, `initSync`): the JS API loads the module itself,
/// in a few lines, and the bundler leaves wasm-bindgen's loader out, with
/// its handling of every kind of argument and its long messages. An error
/// if the glue does not read as wasm-bindgen writes it.
pub fn expose_loader(glue: &str) -> Result<String, String> {
    const EXPORT: &str = "export { initSync, __wbg_init as default };";
    for function in [
        "function __wbg_get_imports()",
        "function __wbg_finalize_init(",
    ] {
        if !glue.contains(function) {
            return Err(format!(
                "the glue has no {function}: has wasm-bindgen's output changed?"
            ));
        }
    }
    if glue.matches(EXPORT).count() != 1 {
        return Err(format!(
            "the glue does not end with {EXPORT}: has wasm-bindgen's output changed?"
        ));
    }
    Ok(glue.replacen(
        EXPORT,
        "export { __wbg_get_imports as imports, __wbg_finalize_init as finish };",
        1,
    ))
}

/// The wasm with section `id`'s body replaced by `body` (an error if it
/// has no such section).
pub fn replace_section(wasm: &[u8], id: u8, body: &[u8]) -> Result<Vec<u8>, String> {
    let module = Module::parse(wasm)?;
    if !module.sections.iter().any(|s| s.id == id) {
        return Err(format!("the module has no section {id}"));
    }
    Ok(module.with_section(wasm, id, body))
}

/// The wasm without its custom sections (the tools' `producers`, the
/// `target_features` and wasm-split's metadata: nothing a browser reads),
/// and how many there were.
pub fn drop_custom_sections(wasm: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let module = Module::parse(wasm)?;
    let mut out = wasm[..HEADER_LEN].to_vec();
    let mut dropped = 0;
    for section in &module.sections {
        if section.id == CUSTOM_SECTION {
            dropped += 1;
        } else {
            out.extend_from_slice(&wasm[section.whole.clone()]);
        }
    }
    Ok((out, dropped))
}

/// The glue without the entries of its import object (`const import0 =
/// {…}`) for functions the wasm no longer imports, and how many went.
/// wasm-bindgen writes one for every import of the linked code, including
/// code only the dropped exports reached; wasm-opt then removes the imports
/// nothing calls, but not their JavaScript. An entry starts on a line
/// indented eight spaces with its key (what is inside it is indented
/// deeper, and its closing line starts with `}`), as wasm-bindgen writes
/// them; an error if there is no such object.
pub fn drop_unimported(
    wasm: &[u8],
    glue: &str,
    glue_module: &str,
) -> Result<(String, usize), String> {
    let module = Module::parse(wasm)?;
    let imported: Vec<String> = match module.sections.iter().find(|s| s.id == IMPORT_SECTION) {
        Some(section) => parse_imports(&wasm[section.body.clone()])?
            .into_iter()
            .filter(|i| i.module == glue_module)
            .map(|i| i.field)
            .collect(),
        None => Vec::new(),
    };
    let open = "    const import0 = {\n";
    let start = glue
        .find(open)
        .map(|at| at + open.len())
        .ok_or("the glue has no import object: has wasm-bindgen's output changed?")?;
    let end = glue[start..]
        .find("\n    };\n")
        .map(|at| start + at + 1)
        .ok_or("the glue's import object has no end: has wasm-bindgen's output changed?")?;
    let entry_key = |line: &str| -> Option<String> {
        let key = line.strip_prefix("        ")?;
        let name: String = key.chars().take_while(|c| is_identifier_char(*c)).collect();
        (!name.is_empty() && key[name.len()..].starts_with(':')).then_some(name)
    };
    let mut kept = String::with_capacity(end - start);
    let mut dropping = false;
    let mut dropped = 0;
    for line in glue[start..end].split_inclusive('\n') {
        if let Some(key) = entry_key(line) {
            dropping = key != "__proto__" && !imported.contains(&key);
            dropped += usize::from(dropping);
        }
        if !dropping {
            kept.push_str(line);
        }
    }
    Ok((format!("{}{kept}{}", &glue[..start], &glue[end..]), dropped))
}

const HEADER_LEN: usize = 8;
const IMPORT_SECTION: u8 = 2;
const EXPORT_SECTION: u8 = 7;
const CUSTOM_SECTION: u8 = 0;

struct Section {
    id: u8,
    /// The whole section, id and size included.
    whole: std::ops::Range<usize>,
    body: std::ops::Range<usize>,
}

struct Module {
    sections: Vec<Section>,
}

impl Module {
    fn parse(wasm: &[u8]) -> Result<Module, String> {
        if wasm.len() < HEADER_LEN || &wasm[..4] != b"\0asm" {
            return Err("not a wasm module".to_owned());
        }
        let mut reader = Reader {
            bytes: wasm,
            at: HEADER_LEN,
        };
        let mut sections = Vec::new();
        while reader.at < wasm.len() {
            let start = reader.at;
            let id = reader.byte()?;
            let size = reader.leb()? as usize;
            let body = reader.at
                ..reader
                    .at
                    .checked_add(size)
                    .filter(|end| *end <= wasm.len())
                    .ok_or("a section runs past the end of the module")?;
            reader.at = body.end;
            sections.push(Section {
                id,
                whole: start..body.end,
                body,
            });
        }
        Ok(Module { sections })
    }
}

impl Module {
    /// Function index → name, from the `name` custom section.
    fn function_names(
        &self,
        wasm: &[u8],
    ) -> Result<std::collections::HashMap<u64, String>, String> {
        for section in self.sections.iter().filter(|s| s.id == CUSTOM_SECTION) {
            let mut reader = Reader {
                bytes: &wasm[..section.body.end],
                at: section.body.start,
            };
            if reader.name()? != "name" {
                continue;
            }
            while reader.at < section.body.end {
                let subsection = reader.byte()?;
                let size = reader.leb()? as usize;
                let end = reader.at + size;
                // Subsection 1: the functions' names.
                if subsection == 1 {
                    let mut names = std::collections::HashMap::new();
                    for _ in 0..reader.leb()? {
                        let index = reader.leb()?;
                        names.insert(index, reader.name()?);
                    }
                    return Ok(names);
                }
                reader.at = end;
            }
        }
        Err("the module has no function names (was it stripped?)".to_owned())
    }

    /// The module with section `id`'s body replaced by `body`.
    fn with_section(&self, wasm: &[u8], id: u8, body: &[u8]) -> Vec<u8> {
        let mut out = wasm[..HEADER_LEN].to_vec();
        for s in &self.sections {
            if s.id == id {
                out.push(id);
                write_leb(&mut out, body.len() as u64);
                out.extend_from_slice(body);
            } else {
                out.extend_from_slice(&wasm[s.whole.clone()]);
            }
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Export {
    name: String,
    /// The export's kind and index, as they were.
    description: Vec<u8>,
}

fn parse_exports(body: &[u8]) -> Result<Vec<Export>, String> {
    let mut reader = Reader { bytes: body, at: 0 };
    let count = reader.leb()?;
    let mut exports = Vec::new();
    for _ in 0..count {
        let name = reader.name()?;
        let start = reader.at;
        reader.byte()?;
        reader.leb()?;
        exports.push(Export {
            name,
            description: body[start..reader.at].to_vec(),
        });
    }
    if reader.at != body.len() {
        return Err("the export section has bytes after its exports".to_owned());
    }
    Ok(exports)
}

fn encode_exports(exports: &[Export]) -> Vec<u8> {
    let mut body = Vec::new();
    write_leb(&mut body, exports.len() as u64);
    for export in exports {
        write_name(&mut body, &export.name);
        body.extend_from_slice(&export.description);
    }
    body
}

#[derive(Clone, Debug, PartialEq)]
struct Import {
    module: String,
    field: String,
    /// The import's kind and type, as they were.
    description: Vec<u8>,
}

fn parse_imports(body: &[u8]) -> Result<Vec<Import>, String> {
    let mut reader = Reader { bytes: body, at: 0 };
    let count = reader.leb()?;
    let mut imports = Vec::new();
    for _ in 0..count {
        let module = reader.name()?;
        let field = reader.name()?;
        let start = reader.at;
        match reader.byte()? {
            // function: type index
            0x00 => {
                reader.leb()?;
            }
            // table: element type, limits
            0x01 => {
                reader.byte()?;
                reader.limits()?;
            }
            // memory: limits
            0x02 => reader.limits()?,
            // global: value type, mutability
            0x03 => {
                reader.byte()?;
                reader.byte()?;
            }
            // tag: attribute, type index
            0x04 => {
                reader.byte()?;
                reader.leb()?;
            }
            kind => return Err(format!("unknown import kind {kind:#x}")),
        }
        imports.push(Import {
            module,
            field,
            description: body[start..reader.at].to_vec(),
        });
    }
    if reader.at != body.len() {
        return Err("the import section has bytes after its imports".to_owned());
    }
    Ok(imports)
}

fn encode_imports(imports: &[Import]) -> Vec<u8> {
    let mut body = Vec::new();
    write_leb(&mut body, imports.len() as u64);
    for import in imports {
        write_name(&mut body, &import.module);
        write_name(&mut body, &import.field);
        body.extend_from_slice(&import.description);
    }
    body
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let byte = *self.bytes.get(self.at).ok_or("the module ends early")?;
        self.at += 1;
        Ok(byte)
    }

    fn leb(&mut self) -> Result<u64, String> {
        let mut value = 0_u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number in the module is too long".to_owned())
    }

    fn name(&mut self) -> Result<String, String> {
        let len = self.leb()? as usize;
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or("a name runs past the end of the module")?;
        let name =
            std::str::from_utf8(&self.bytes[self.at..end]).map_err(|_| "a name is not UTF-8")?;
        self.at = end;
        Ok(name.to_owned())
    }

    /// Limits: flags, minimum, and a maximum when flag bit 0 is set.
    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }
}

pub fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A name as [`Reader::name`] reads it: its length, then its bytes.
fn write_name(out: &mut Vec<u8>, name: &str) {
    write_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Where `name` is, if the glue holds it exactly once as a whole word and
/// that once is an object key (`name:`).
fn sole_object_key(glue: &str, name: &str) -> Option<usize> {
    let mut uses = word_uses(glue, name);
    let at = uses.next()?;
    if uses.next().is_some() {
        return None;
    }
    glue[at + name.len()..]
        .trim_start()
        .starts_with(':')
        .then_some(at)
}

/// `a` … `z`, `A` … `Z`, then two letters, leaving out JavaScript's
/// keywords (valid as keys, but confusing to read).
#[derive(Default)]
struct ShortNames {
    next: usize,
}

impl ShortNames {
    const LETTERS: &'static [u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    fn nth(mut n: usize) -> String {
        let base = Self::LETTERS.len();
        let mut name = Vec::new();
        loop {
            name.push(Self::LETTERS[n % base]);
            n /= base;
            if n == 0 {
                break;
            }
            n -= 1;
        }
        name.reverse();
        String::from_utf8(name).unwrap_or_default()
    }

    /// The next name not already an import's name and not a word of the glue.
    fn next_free(&mut self, taken: &[&str], glue: &str) -> String {
        loop {
            let name = Self::nth(self.next);
            self.next += 1;
            let keyword = matches!(name.as_str(), "do" | "if" | "in");
            if !keyword && !taken.contains(&name.as_str()) && !holds_word(glue, &name) {
                return name;
            }
        }
    }
}

/// Where `text` holds `word` as a whole identifier (not inside a longer
/// one), by byte offset.
fn word_uses<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(word)
        .map(|(at, _)| at)
        .filter(move |&at| {
            let before = text[..at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(is_identifier_char) && !after.is_some_and(is_identifier_char)
        })
}

/// Whether `text` holds `word` as a whole identifier.
pub fn holds_word(text: &str, word: &str) -> bool {
    word_uses(text, word).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ELEMENT_SECTION: u8 = 9;

    /// A module with one function type, three imports (two from the glue,
    /// one memory from elsewhere) and a custom section after them.
    fn module(imports: &[(&str, &str, &[u8])]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // type section: one type, () -> ()
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        let body = encode_imports(
            &imports
                .iter()
                .map(|(module, field, description)| Import {
                    module: (*module).to_owned(),
                    field: (*field).to_owned(),
                    description: description.to_vec(),
                })
                .collect::<Vec<_>>(),
        );
        wasm.push(IMPORT_SECTION);
        write_leb(&mut wasm, body.len() as u64);
        wasm.extend_from_slice(&body);
        // custom section "x" with one byte
        wasm.extend_from_slice(&[0, 3, 1, b'x', 7]);
        wasm
    }

    const FUNCTION: &[u8] = &[0x00, 0x00];
    const MEMORY: &[u8] = &[0x02, 0x01, 0x11, 0x80, 0x01];

    #[test]
    fn custom_sections_are_dropped_and_nothing_else() {
        let wasm = module(&[("./glue.js", "__wbg_kept_1", FUNCTION)]);
        let (stripped, dropped) = drop_custom_sections(&wasm).unwrap();
        assert_eq!(dropped, 1);
        // The module's own sections are as they were, in order.
        assert_eq!(stripped, wasm[..wasm.len() - 5]);
        assert_eq!(
            drop_custom_sections(&stripped).unwrap(),
            (stripped.clone(), 0)
        );
    }

    #[test]
    fn import_object_entries_the_wasm_no_longer_imports_are_dropped() {
        let wasm = module(&[
            ("./glue.js", "__wbg_kept_1", FUNCTION),
            ("env", "__wbg_gone_2", FUNCTION),
        ]);
        let glue = "function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n        __wbg_kept_1: function(arg0) {\n            return arg0;\n        },\n        __wbg_gone_2: function() { return handleError(function (arg0) {\n            arg0.close();\n        }, arguments); },\n        __wbg_gone_3: function(arg0) {\n            const ret = { a: 1 };\n            return ret;\n        },\n    };\n    return { import0 };\n}\n";
        let (kept, dropped) = drop_unimported(&wasm, glue, "./glue.js").unwrap();
        assert_eq!(dropped, 2);
        assert_eq!(
            kept,
            "function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n        __wbg_kept_1: function(arg0) {\n            return arg0;\n        },\n    };\n    return { import0 };\n}\n"
        );
        // Nothing to drop: the glue as it was.
        let wasm = module(&[("./glue.js", "__wbg_kept_1", FUNCTION)]);
        let (same, dropped) = drop_unimported(&wasm, &kept, "./glue.js").unwrap();
        assert_eq!((same.as_str(), dropped), (kept.as_str(), 0));
        assert!(drop_unimported(&wasm, "const x = {};", "./glue.js").is_err());
    }

    #[test]
    fn glue_imports_get_short_names_in_both_files() {
        let long = "__wbg_setAttribute_f75317b2b5cabfb4";
        let other = "__wbg_new_ba40181b3f24ac80";
        let wasm = module(&[
            ("./glue.js", long, FUNCTION),
            ("./glue.js", other, FUNCTION),
            ("env", "memory", MEMORY),
        ]);
        let glue = format!("const import0 = {{\n  {long}: function(a, b) {{ return a; }},\n  {other}: function() {{}},\n}};");
        let (short_wasm, short_glue, count) = shorten_imports(&wasm, &glue, "./glue.js").unwrap();
        assert_eq!(count, 2);
        assert_eq!(
            short_glue,
            "const import0 = {\n  c: function(a, b) { return a; },\n  d: function() {},\n};"
        );
        let module = Module::parse(&short_wasm).unwrap();
        let section = module
            .sections
            .iter()
            .find(|s| s.id == IMPORT_SECTION)
            .unwrap();
        let imports = parse_imports(&short_wasm[section.body.clone()]).unwrap();
        let names: Vec<(&str, &str, &[u8])> = imports
            .iter()
            .map(|i| {
                (
                    i.module.as_str(),
                    i.field.as_str(),
                    i.description.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("./glue.js", "c", FUNCTION),
                ("./glue.js", "d", FUNCTION),
                ("env", "memory", MEMORY)
            ]
        );
        // Everything else is as it was.
        assert!(short_wasm.starts_with(b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0"));
        assert!(short_wasm.ends_with(&[0, 3, 1, b'x', 7]));
        assert_eq!(
            short_wasm.len(),
            wasm.len() - (long.len() - 1) - (other.len() - 1)
        );
    }

    #[test]
    fn a_name_the_glue_uses_elsewhere_or_lacks_keeps_its_name() {
        let used_twice = "__wbg_free_0123456789abcdef";
        let missing = "__wbg_gone_0123456789abcdef";
        let wasm = module(&[
            ("./glue.js", used_twice, FUNCTION),
            ("./glue.js", missing, FUNCTION),
        ]);
        let glue = format!("const i = {{ {used_twice}: f }}; i.{used_twice}();");
        let (short_wasm, short_glue, count) = shorten_imports(&wasm, &glue, "./glue.js").unwrap();
        assert_eq!(count, 0);
        assert_eq!(short_glue, glue);
        assert_eq!(short_wasm, wasm);
    }

    #[test]
    fn short_names_skip_words_the_glue_or_the_imports_already_use() {
        let mut names = ShortNames::default();
        let taken = ["a"];
        assert_eq!(names.next_free(&taken, "let b = 1;"), "c");
        assert_eq!(ShortNames::nth(51), "Z");
        assert_eq!(ShortNames::nth(52), "aa");
        assert_eq!(ShortNames::nth(52 + 52), "ba");
    }

    #[test]
    fn a_broken_module_is_an_error_not_a_panic() {
        assert!(shorten_imports(b"nope", "", "./glue.js").is_err());
        let mut wasm = module(&[("./glue.js", "__wbg_x_0123456789abcdef", FUNCTION)]);
        wasm.truncate(wasm.len() - 9);
        assert!(shorten_imports(&wasm, "", "./glue.js").is_err());
    }

    /// A module whose export section holds `exports` (each a function,
    /// index 0), after a one-byte custom section.
    fn module_with_exports(exports: &[&str]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[0, 3, 1, b'x', 7]);
        let body = encode_exports(
            &exports
                .iter()
                .map(|name| Export {
                    name: (*name).to_owned(),
                    description: vec![0x00, 0x00],
                })
                .collect::<Vec<_>>(),
        );
        wasm.push(EXPORT_SECTION);
        write_leb(&mut wasm, body.len() as u64);
        wasm.extend_from_slice(&body);
        wasm
    }

    fn export_names(wasm: &[u8]) -> Vec<String> {
        let module = Module::parse(wasm).unwrap();
        let section = module
            .sections
            .iter()
            .find(|s| s.id == EXPORT_SECTION)
            .unwrap();
        parse_exports(&wasm[section.body.clone()])
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect()
    }

    #[test]
    fn exports_used_only_as_wasm_properties_get_short_names() {
        let long = "wasm_bindgen_12a3___convert__closures_____invoke_______true_";
        let wasm = module_with_exports(&[
            "memory",
            long,
            "createSession",
            "portalsession_mount",
            "stylesheet",
        ]);
        let glue = format!(
            "function {long}(a) {{ wasm.{long}(a); }}\n\
             function f(a) {{ return makeClosure(a, {long}); }}\n\
             export function createSession() {{ return wasm.createSession(); }}\n\
             const m = () => wasm.memory.buffer;\nlet portalsession_mount = wasm.portalsession_mount;\n\
             function stylesheet() {{ return wasm.stylesheet(); }}\nconst s = exports[\"stylesheet\"];\n"
        );
        let (short_wasm, short_glue, count) = shorten_exports(&wasm, &glue).unwrap();
        // A bare `{long}` or `createSession` is the glue's own function of
        // that name; `portalsession_mount` is a variable and `stylesheet` is
        // also read by its name as a string: those two keep their names.
        assert_eq!(count, 3);
        assert_eq!(
            export_names(&short_wasm),
            ["b", "c", "d", "portalsession_mount", "stylesheet"]
        );
        assert_eq!(
            short_glue,
            format!(
                "function {long}(a) {{ wasm.c(a); }}\n\
                 function f(a) {{ return makeClosure(a, {long}); }}\n\
                 export function createSession() {{ return wasm.d(); }}\n\
                 const m = () => wasm.b.buffer;\nlet portalsession_mount = wasm.portalsession_mount;\n\
                 function stylesheet() {{ return wasm.stylesheet(); }}\nconst s = exports[\"stylesheet\"];\n"
            )
        );
        assert!(short_wasm.starts_with(b"\0asm\x01\0\0\0\0\x03\x01x\x07"));
    }

    #[test]
    fn dropped_exports_leave_the_rest_as_they_were() {
        let wasm = module_with_exports(&[
            "__wbg_intounderlyingsink_free",
            "createSession",
            "intounderlyingsink_write",
        ]);
        let (kept, dropped) = drop_exports(&wasm, |name| name.contains("intounderlying")).unwrap();
        assert_eq!(dropped, 2);
        assert_eq!(export_names(&kept), ["createSession"]);
        assert_eq!(drop_exports(&kept, |_| false).unwrap(), (kept.clone(), 0));
    }

    #[test]
    fn the_loader_steps_are_exported_instead_of_the_loader() {
        let glue = "function __wbg_get_imports() {}\nfunction __wbg_finalize_init(i, m) {}\n\
                    export { initSync, __wbg_init as default };\n";
        let exposed = expose_loader(glue).unwrap();
        assert!(exposed.ends_with(
            "export { __wbg_get_imports as imports, __wbg_finalize_init as finish };\n"
        ));
        assert!(!exposed.contains("default"));
        // Anything else is an error, not a guess.
        assert!(expose_loader("export { initSync, __wbg_init as default };").is_err());
        assert!(expose_loader(&glue.replace("initSync, ", "")).is_err());
    }

    #[test]
    fn a_class_leaves_the_glue_whole_or_the_build_says_why() {
        let glue = "\
export class Sink {
    free() {
        wasm.sink_free(this.__wbg_ptr);
    }
}
if (Symbol.dispose) Sink.prototype[Symbol.dispose] = Sink.prototype.free;

export class Session {
    mount() {}
}
const SinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_sink_free(ptr, 1));
const SessionFinalization = 1;
";
        assert_eq!(
            drop_class(glue, "Sink").unwrap(),
            "\nexport class Session {\n    mount() {}\n}\nconst SessionFinalization = 1;\n"
        );
        let error = drop_class(glue, "Source").unwrap_err();
        assert!(error.contains("no definition for class Source"), "{error}");
        let used_elsewhere = format!("{glue}new Sink();\n");
        assert!(drop_class(&used_elsewhere, "Sink")
            .unwrap_err()
            .contains("still uses"));
    }

    /// A module of an element section and a name section only (enough for
    /// [`null_table_entries`], which reads nothing else).
    fn module_with_table(entries: &[u64], names: &[(u64, &str)]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        let mut elements = vec![1, 0, 0x41, 1, 0x0b];
        write_leb(&mut elements, entries.len() as u64);
        for entry in entries {
            write_leb(&mut elements, *entry);
        }
        wasm.push(ELEMENT_SECTION);
        write_leb(&mut wasm, elements.len() as u64);
        wasm.extend_from_slice(&elements);
        let mut function_names = Vec::new();
        write_leb(&mut function_names, names.len() as u64);
        for (index, name) in names {
            write_leb(&mut function_names, *index);
            write_name(&mut function_names, name);
        }
        let mut custom = Vec::new();
        write_name(&mut custom, "name");
        custom.push(1);
        write_leb(&mut custom, function_names.len() as u64);
        custom.extend_from_slice(&function_names);
        wasm.push(CUSTOM_SECTION);
        write_leb(&mut wasm, custom.len() as u64);
        wasm.extend_from_slice(&custom);
        wasm
    }

    #[test]
    fn table_entries_of_dead_functions_become_null_and_the_rest_stay() {
        let wasm = module_with_table(
            &[3, 7, 9, 7],
            &[
                (3, "app::live"),
                (7, "wasm_streams::pull"),
                (9, "app::other"),
            ],
        );
        let (nulled_wasm, nulled) =
            null_table_entries(&wasm, |name| name.contains("wasm_streams")).unwrap();
        assert_eq!(nulled, 2);
        let module = Module::parse(&nulled_wasm).unwrap();
        let section = module
            .sections
            .iter()
            .find(|s| s.id == ELEMENT_SECTION)
            .unwrap();
        // One segment, as expressions, at the same offset (i32.const 1).
        let expected = [
            1, 4, 0x41, 1, 0x0b, 4, //
            0xd2, 3, 0x0b, //
            0xd0, 0x70, 0x0b, //
            0xd2, 9, 0x0b, //
            0xd0, 0x70, 0x0b,
        ];
        assert_eq!(&nulled_wasm[section.body.clone()], &expected[..]);
        // The name section is untouched.
        assert!(nulled_wasm.ends_with(&wasm[wasm.len() - 20..]));
        // Nothing picked: the same entries, still written as expressions.
        let (_, none) = null_table_entries(&wasm, |_| false).unwrap();
        assert_eq!(none, 0);
    }

    #[test]
    fn a_module_without_names_is_an_error() {
        let mut wasm = module_with_table(&[1], &[]);
        // Header, then the element section alone (id, size, 7 bytes).
        wasm.truncate(8 + 2 + 7);
        assert!(Module::parse(&wasm).is_ok());
        assert!(null_table_entries(&wasm, |_| true).is_err());
    }
}
