//! The module's function table, rewritten with some entries null.
//!
//! Two passes of the build drop code through its table entries: the
//! closures only the dropped stream classes reached, picked by function
//! name (`bindgen_output`), and the functions only dead data pointed at,
//! picked by table slot (`dead_data`). A null entry is one wasm-opt need
//! not keep a function for. Both passes write the element section here.

use wasmparser::{ElementItems, ElementKind, Operator, Parser, Payload};

use crate::bindgen_output::{replace_section, write_leb};

/// The element section's id.
const ELEMENT_SECTION: u8 = 9;

/// One entry of the table: its slot (the index code calls it by) and the
/// function there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    pub slot: u32,
    pub function: u32,
}

/// The wasm with every table entry `is_dead` picks set to null, and how
/// many were. The table must be rustc's: one table, filled by active
/// segments at constant offsets; anything else is an error, not a guess.
pub fn null_entries(
    wasm: &[u8],
    is_dead: impl Fn(Entry) -> bool,
) -> Result<(Vec<u8>, usize), String> {
    let invalid = |e: wasmparser::BinaryReaderError| format!("cannot read the wasm: {e}");
    let unexpected = || "an element segment rustc does not write: has the toolchain changed?";
    let mut elements = None;
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ElementSection(section) = payload.map_err(invalid)? {
            elements = Some(section);
        }
    }
    let Some(elements) = elements else {
        return Ok((wasm.to_vec(), 0));
    };
    let mut body = Vec::new();
    let mut nulled = 0;
    write_leb(&mut body, elements.count().into());
    for element in elements {
        let element = element.map_err(invalid)?;
        let ElementKind::Active {
            table_index: None | Some(0),
            offset_expr,
        } = element.kind
        else {
            return Err(unexpected().to_owned());
        };
        let Ok(Operator::I32Const { value: offset }) = offset_expr.get_operators_reader().read()
        else {
            return Err(unexpected().to_owned());
        };
        // Flag 4: table 0, the offset, then one expression per entry, so
        // that an entry can be null.
        body.push(4);
        body.push(0x41); // i32.const
        write_sleb(&mut body, offset);
        body.push(0x0b); // end
        let functions: Vec<Option<u32>> = match element.items {
            ElementItems::Functions(functions) => functions
                .into_iter()
                .map(|f| f.map(Some).map_err(invalid))
                .collect::<Result<_, _>>()?,
            ElementItems::Expressions(_, expressions) => {
                let mut functions = Vec::new();
                for expression in expressions {
                    let expression = expression.map_err(invalid)?;
                    functions.push(match expression.get_operators_reader().read() {
                        Ok(Operator::RefFunc { function_index }) => Some(function_index),
                        Ok(Operator::RefNull { .. }) => None,
                        _ => return Err(unexpected().to_owned()),
                    });
                }
                functions
            }
        };
        write_leb(&mut body, functions.len() as u64);
        for (at, function) in functions.into_iter().enumerate() {
            let slot = (offset as u32).wrapping_add(at as u32);
            match function.filter(|function| {
                !is_dead(Entry {
                    slot,
                    function: *function,
                })
            }) {
                Some(function) => {
                    body.push(0xd2); // ref.func
                    write_leb(&mut body, function.into());
                    body.push(0x0b);
                }
                None => {
                    nulled += usize::from(function.is_some());
                    body.extend_from_slice(&[0xd0, 0x70, 0x0b]); // ref.null func
                }
            }
        }
    }
    Ok((replace_section(wasm, ELEMENT_SECTION, &body)?, nulled))
}

pub fn write_sleb(out: &mut Vec<u8>, mut value: i32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module of one element section: a segment at `offset` (flag 0,
    /// function indices) and nothing else.
    fn module(offset: u8, functions: &[u8]) -> Vec<u8> {
        let mut body = vec![1, 0, 0x41, offset, 0x0b, functions.len() as u8];
        body.extend_from_slice(functions);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.push(ELEMENT_SECTION);
        write_leb(&mut wasm, body.len() as u64);
        wasm.extend_from_slice(&body);
        wasm
    }

    fn element_body(wasm: &[u8]) -> &[u8] {
        // Header, id, a one-byte size.
        &wasm[10..]
    }

    #[test]
    fn picked_entries_become_null_by_slot_or_by_function() {
        let wasm = module(2, &[5, 6, 7]);
        // By slot: the entry at slot 3 (the second).
        let (by_slot, count) = null_entries(&wasm, |entry| entry.slot == 3).unwrap();
        assert_eq!(count, 1);
        let expected = [
            1, 4, 0x41, 2, 0x0b, 3, //
            0xd2, 5, 0x0b, //
            0xd0, 0x70, 0x0b, //
            0xd2, 7, 0x0b,
        ];
        assert_eq!(element_body(&by_slot), &expected[..]);
        // By function, on the rewritten module: a null stays null and is
        // not counted again.
        let (both, count) = null_entries(&by_slot, |entry| entry.function == 7).unwrap();
        assert_eq!(count, 1);
        assert_eq!(
            &element_body(&both)[6..],
            &[0xd2, 5, 0x0b, 0xd0, 0x70, 0x0b, 0xd0, 0x70, 0x0b]
        );
    }

    #[test]
    fn a_large_or_negative_offset_is_written_as_signed_leb() {
        let mut out = Vec::new();
        write_sleb(&mut out, 64);
        assert_eq!(out, [0xc0, 0]);
        out.clear();
        write_sleb(&mut out, -1);
        assert_eq!(out, [0x7f]);
    }

    #[test]
    fn a_segment_of_another_form_is_an_error() {
        let mut wasm = module(1, &[1]);
        // Flag 2: an explicit table index, which rustc does not write.
        wasm[11] = 2;
        assert!(null_entries(&wasm, |_| true).is_err());
    }
}
