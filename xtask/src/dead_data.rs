//! Data nothing reads any more, zeroed so that wasm-opt drops it.
//!
//! The linker lays out every constant the linked code uses. Some of that
//! code is gone by the time wasm-opt has run: the `wasm-streams` classes
//! Leptos brings are exported, so they are linked, and only dropped after
//! wasm-bindgen (see `bindgen_output`). Their strings and tables stay in
//! the data segments (the standard library's I/O error texts, among
//! others), since wasm-opt cannot know where one constant ends and the
//! next begins.
//!
//! The linker's map does know: it lists every input section of `.rodata`
//! and `.data` with its address and size. A section is live if the code
//! (after a first wasm-opt run removed what nothing calls) or a global
//! names an address in it, or a live section holds a pointer into it.
//! Everything else is zeroed, and wasm-opt's memory packing then leaves
//! those bytes out of the module.
//!
//! The reading errs on the side of keeping: any 32-bit constant that
//! happens to fall in a section keeps it, and so does one up to
//! [`SLACK`] bytes before it (a loop may start its pointer one element
//! before a table).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use wasmparser::{Operator, Parser, Payload};

use crate::function_table;

/// How far before a section a constant still keeps it.
pub const SLACK: u32 = 64;

/// The input sections of `.rodata` and `.data` in wasm-ld's map
/// (`--Map=<file>`): their address ranges, in address order.
pub fn data_sections(map: &str) -> Result<Vec<Range<u32>>, String> {
    // Output sections, input sections and symbols are told apart by the
    // column their name starts in: the header's `Out`, `In` and `Symbol`.
    let header = map
        .lines()
        .next()
        .filter(|h| h.contains(" Out ") && h.contains(" In "))
        .ok_or("the linker's map has no header")?;
    let column = |name: &str| header.find(name).unwrap_or(usize::MAX);
    let (output_column, input_column) = (column(" Out ") + 1, column(" In ") + 1);
    let mut sections = Vec::new();
    let mut in_data = false;
    for line in map.lines().skip(1) {
        let mut fields = line.split_whitespace();
        let (Some(address), Some(_offset), Some(size), Some(name)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let name_column = fourth_field_start(line);
        if name_column == output_column {
            in_data = name == ".rodata" || name == ".data";
        } else if name_column == input_column && in_data {
            let (Ok(address), Ok(size)) = (
                u32::from_str_radix(address, 16),
                u32::from_str_radix(size, 16),
            ) else {
                return Err(format!("unexpected line in the linker's map: {line}"));
            };
            sections.push(address..address + size);
        }
    }
    if sections.is_empty() {
        return Err("the linker's map lists no .rodata or .data sections".to_owned());
    }
    sections.sort_by_key(|s| s.start);
    Ok(sections)
}

/// Where a line's fourth whitespace-separated field starts.
fn fourth_field_start(line: &str) -> usize {
    let mut at = 0;
    for _ in 0..3 {
        at += line[at..].len() - line[at..].trim_start().len();
        at += line[at..]
            .find(char::is_whitespace)
            .unwrap_or(line.len() - at);
    }
    at + line[at..].len() - line[at..].trim_start().len()
}

/// What this module reads of a wasm: the values and addresses its code
/// and globals name and its active data segments.
struct Contents {
    /// Every 32-bit constant (and both halves of every 64-bit one).
    values: Vec<u32>,
    /// The values, each as often as it is not an offset into a stack
    /// frame (see [`FrameOffsets`]): those that may be a table slot.
    slots: HashMap<u32, usize>,
    /// The values, and the constant offsets of loads and stores.
    addresses: Vec<u32>,
    /// Each active data segment: its address, and where its bytes are in
    /// the wasm.
    segments: Vec<(u32, Range<usize>)>,
}

impl Contents {
    fn read(wasm: &[u8]) -> Result<Contents, String> {
        let invalid = |e: wasmparser::BinaryReaderError| format!("cannot read the wasm: {e}");
        let mut contents = Contents {
            values: Vec::new(),
            slots: HashMap::new(),
            addresses: Vec::new(),
            segments: Vec::new(),
        };
        // rustc's stack pointer is the first global, a mutable i32.
        let mut stack_pointer = None;
        let mut note = |mut operators: wasmparser::OperatorsReader<'_>,
                        stack_pointer: Option<u32>|
         -> Result<(), String> {
            let mut frames = FrameOffsets::default();
            while !operators.eof() {
                let operator = operators.read().map_err(invalid)?;
                let noted = contents.values.len();
                note_value(&operator, &mut contents.values);
                for value in &contents.values[noted..] {
                    *contents.slots.entry(*value).or_default() += 1;
                }
                if let Some(offset) = frames.note(&operator, stack_pointer) {
                    contents.slots.entry(offset).and_modify(|count| *count -= 1);
                }
                note_address(&operator, &mut contents.addresses);
            }
            Ok(())
        };
        let mut segments = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(invalid)? {
                Payload::CodeSectionEntry(body) => {
                    note(body.get_operators_reader().map_err(invalid)?, stack_pointer)?;
                }
                Payload::GlobalSection(globals) => {
                    for (index, global) in globals.into_iter().enumerate() {
                        let global = global.map_err(invalid)?;
                        if index == 0
                            && global.ty.mutable
                            && global.ty.content_type == wasmparser::ValType::I32
                        {
                            stack_pointer = Some(0);
                        }
                        note(global.init_expr.get_operators_reader(), None)?;
                    }
                }
                Payload::DataSection(data) => {
                    for segment in data {
                        let segment = segment.map_err(invalid)?;
                        let wasmparser::DataKind::Active { offset_expr, .. } = segment.kind else {
                            continue;
                        };
                        let Ok(Operator::I32Const { value }) =
                            offset_expr.get_operators_reader().read()
                        else {
                            return Err("a data segment's offset is not a constant".to_owned());
                        };
                        // The bytes are a slice of `wasm` itself: where they are.
                        let start = segment.data.as_ptr() as usize - wasm.as_ptr() as usize;
                        segments.push((value as u32, start..start + segment.data.len()));
                    }
                }
                _ => {}
            }
        }
        contents.addresses.extend_from_slice(&contents.values);
        contents.segments = segments;
        Ok(contents)
    }

    /// The byte at `address` as the module starts: a segment's, or zero
    /// (memory starts zeroed, and wasm-opt leaves runs of zeros out).
    fn byte_at(&self, wasm: &[u8], address: u32) -> u8 {
        self.segments
            .iter()
            .find_map(|(at, bytes)| {
                let index = address.checked_sub(*at)? as usize;
                (index < bytes.len()).then(|| wasm[bytes.start + index])
            })
            .unwrap_or(0)
    }

    /// The 4-byte word at `address`.
    fn word_at(&self, wasm: &[u8], address: u32) -> u32 {
        u32::from_le_bytes([0, 1, 2, 3].map(|i| self.byte_at(wasm, address + i)))
    }
}

/// The wasm with every byte of the dead `sections` zeroed, and how many
/// bytes that was (see the module's notes).
pub fn zero_dead_data(wasm: &[u8], sections: &[Range<u32>]) -> Result<(Vec<u8>, usize), String> {
    let contents = Contents::read(wasm)?;
    let mut live = vec![false; sections.len()];
    let mut work = Vec::new();
    let mark = |address: u32, live: &mut Vec<bool>, work: &mut Vec<usize>| {
        // Every section holding `address`, or starting within SLACK after.
        let last = sections.partition_point(|s| s.start <= address.saturating_add(SLACK));
        for index in (0..last).rev() {
            if sections[index].end <= address {
                // Sections do not overlap: none before this one reaches it.
                break;
            }
            if !live[index] {
                live[index] = true;
                work.push(index);
            }
        }
    };
    for address in &contents.addresses {
        mark(*address, &mut live, &mut work);
    }
    while let Some(index) = work.pop() {
        let section = &sections[index];
        let mut word = section.start.next_multiple_of(4);
        while word + 4 <= section.end {
            mark(contents.word_at(wasm, word), &mut live, &mut work);
            word += 4;
        }
    }

    let mut zeroed_wasm = wasm.to_vec();
    let mut zeroed = 0;
    for (section, _) in sections.iter().zip(&live).filter(|(_, live)| !**live) {
        for (at, bytes) in &contents.segments {
            let from = section.start.max(*at);
            let to = section.end.min(*at + bytes.len() as u32);
            for address in from..to {
                zeroed_wasm[bytes.start + (address - at) as usize] = 0;
                zeroed += 1;
            }
        }
    }
    Ok((zeroed_wasm, zeroed))
}

/// The wasm with every function-table entry nothing names set to null,
/// and how many were: an entry is named by its index, as a constant in
/// the code or a global (other than an offset into a stack frame, see
/// [`FrameOffsets`]), or as an aligned word in the data (a vtable).
/// Run after [`zero_dead_data`]: the vtables of the dropped code are gone
/// by then, and with the entries they named, wasm-opt can drop those
/// functions too. The table must be rustc's: one table, filled by active
/// segments at constant offsets.
pub fn null_unnamed_table_entries(wasm: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let contents = Contents::read(wasm)?;
    let mut named: HashSet<u32> = contents
        .slots
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(value, _)| *value)
        .collect();
    // A function pointer in the data is a 4-byte word at a 4-byte-aligned
    // address.
    for (at, bytes) in &contents.segments {
        let mut word = at - at % 4;
        while word < at + bytes.len() as u32 {
            named.insert(contents.word_at(wasm, word));
            word += 4;
        }
    }
    function_table::null_entries(wasm, |entry| !named.contains(&entry.slot))
}

/// Offsets into a function's stack frame, which the code computes as
/// `local.get frame; i32.const offset; i32.add`, `frame` having been set
/// to the stack pointer minus the frame's size. An offset is a value like
/// any other, but not a table slot: a function's frame offsets can be any
/// small number, and would otherwise keep the entry at that slot.
#[derive(Default)]
struct FrameOffsets {
    /// The locals that hold the frame now.
    frames: HashSet<u32>,
    /// The last three operators, as far as the two patterns need them.
    recent: [Recent; 3],
}

#[derive(Clone, Copy, Default)]
enum Recent {
    #[default]
    Other,
    StackPointer,
    Const(u32),
    Sub,
    Frame,
}

impl FrameOffsets {
    /// Notes `operator`, and returns the constant it showed to be a frame
    /// offset, if it did.
    fn note(&mut self, operator: &Operator<'_>, stack_pointer: Option<u32>) -> Option<u32> {
        let mut offset = None;
        let current = match *operator {
            Operator::GlobalGet { global_index } if Some(global_index) == stack_pointer => {
                Recent::StackPointer
            }
            Operator::I32Const { value } => Recent::Const(value as u32),
            Operator::I32Sub => Recent::Sub,
            Operator::LocalGet { local_index } if self.frames.contains(&local_index) => {
                Recent::Frame
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                if matches!(
                    self.recent,
                    [Recent::StackPointer, Recent::Const(_), Recent::Sub]
                ) {
                    self.frames.insert(local_index);
                } else {
                    self.frames.remove(&local_index);
                }
                Recent::Other
            }
            Operator::I32Add => {
                if let [_, Recent::Frame, Recent::Const(value)] = self.recent {
                    offset = Some(value);
                }
                Recent::Other
            }
            _ => Recent::Other,
        };
        self.recent = [self.recent[1], self.recent[2], current];
        offset
    }
}

/// A value the code or a global may hold (an address, a function's table
/// index): a 32-bit constant, or either half of a 64-bit one (two 32-bit
/// stores merged into one write both halves).
fn note_value(operator: &Operator<'_>, values: &mut Vec<u32>) {
    match operator {
        Operator::I32Const { value } => values.push(*value as u32),
        Operator::I64Const { value } => {
            values.push(*value as u32);
            values.push((*value >> 32) as u32);
        }
        _ => {}
    }
}

/// The constant offset of a load or a store: an address the code may use
/// (besides its values, see [`note_value`]).
fn note_address(operator: &Operator<'_>, addresses: &mut Vec<u32>) {
    use Operator::*;
    match operator {
        I32Load { memarg }
        | I64Load { memarg }
        | F32Load { memarg }
        | F64Load { memarg }
        | I32Load8S { memarg }
        | I32Load8U { memarg }
        | I32Load16S { memarg }
        | I32Load16U { memarg }
        | I64Load8S { memarg }
        | I64Load8U { memarg }
        | I64Load16S { memarg }
        | I64Load16U { memarg }
        | I64Load32S { memarg }
        | I64Load32U { memarg }
        | I32Store { memarg }
        | I64Store { memarg }
        | F32Store { memarg }
        | F64Store { memarg }
        | I32Store8 { memarg }
        | I32Store16 { memarg }
        | I64Store8 { memarg }
        | I64Store16 { memarg }
        | I64Store32 { memarg } => {
            if let Ok(offset) = u32::try_from(memarg.offset) {
                addresses.push(offset);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindgen_output::write_leb;
    use crate::function_table::write_sleb;

    const MAP: &str = "    Addr      Off     Size Out     In      Symbol
       -        8       10 TYPE
       -     1000      100 CODE
       -     1002       20         /x/lib.o:(f)
       -     1002       20                 f
  100000     2000       40 .rodata
  100000     2000        8         /x/lib.o:(.rodata..Lanon.1)
  100000     2000        8                 .Lanon.1
  100008     2008        8         /x/lib.o:(.rodata..Lanon.2)
  100010     2010       10         <internal>:(.rodata)
  100020     2020       20         /x/lib.o:(.rodata..Lanon.3)
  100040     2040        8 .data
  100040     2040        8         /x/lib.o:(.data.counter)
  100048     2048      100 .bss
  100048     2048      100         /x/lib.o:(.bss.buffer)
";

    #[test]
    fn the_map_gives_the_data_sections_not_code_bss_or_symbols() {
        assert_eq!(
            data_sections(MAP).unwrap(),
            [
                0x100000..0x100008,
                0x100008..0x100010,
                0x100010..0x100020,
                0x100020..0x100040,
                0x100040..0x100048,
            ]
        );
        assert!(data_sections("nothing here").is_err());
    }

    fn section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
        out.push(id);
        write_leb(out, body.len() as u64);
        out.extend_from_slice(body);
    }

    /// A module whose one function loads from `load_offset` and pushes
    /// `constant`, with one memory and one data segment at `at`, and a
    /// table of three entries from index 1, all that function.
    fn module(constant: i32, load_offset: u32, at: i32, data: &[u8]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        section(&mut wasm, 1, &[1, 0x60, 0, 0]); // type: () -> ()
        section(&mut wasm, 3, &[1, 0]); // one function of type 0
        section(&mut wasm, 4, &[1, 0x70, 0, 4]); // table: funcref, min 4
        section(&mut wasm, 5, &[1, 0, 17]); // memory: 17 pages
                                            // elements: flag 0, offset i32.const 1, three times function 0
        section(&mut wasm, 9, &[1, 0, 0x41, 1, 0x0b, 3, 0, 0, 0]);
        let mut code = vec![0]; // no locals
        code.push(0x41); // i32.const constant
        write_sleb(&mut code, constant);
        code.push(0x1a); // drop
        code.extend_from_slice(&[0x41, 0]); // i32.const 0
        code.extend_from_slice(&[0x28, 2]); // i32.load align=4 offset=…
        write_leb(&mut code, load_offset.into());
        code.extend_from_slice(&[0x1a, 0x0b]); // drop, end
        let mut body = vec![1];
        write_leb(&mut body, code.len() as u64);
        body.extend_from_slice(&code);
        section(&mut wasm, 10, &body);
        let mut segment = vec![1, 0, 0x41];
        write_sleb(&mut segment, at);
        segment.push(0x0b);
        write_leb(&mut segment, data.len() as u64);
        segment.extend_from_slice(data);
        section(&mut wasm, 11, &segment);
        wasm
    }

    fn data_of(wasm: &[u8], len: usize) -> &[u8] {
        &wasm[wasm.len() - len..]
    }

    #[test]
    fn only_what_the_code_or_live_data_reaches_is_kept() {
        // Four sections of 16 bytes: the code names the first (by a
        // constant) and the third (by a load's offset); the first holds a
        // pointer to the second; nothing reaches the fourth.
        let sections = [
            0x1000..0x1010,
            0x1010..0x1100,
            0x1100..0x1110,
            0x1200..0x1210,
        ];
        let mut data = vec![0xaa; 0x210];
        data[4..8].copy_from_slice(&0x1014_u32.to_le_bytes());
        let wasm = module(0x1000, 0x1104, 0x1000, &data);
        let (zeroed, count) = zero_dead_data(&wasm, &sections).unwrap();
        assert_eq!(count, 16);
        let after = data_of(&zeroed, data.len());
        assert!(after[..0x1f0]
            .iter()
            .enumerate()
            .all(|(i, b)| *b == data[i]));
        assert!(after[0x200..0x210].iter().all(|b| *b == 0));
        // Nothing else in the module changed.
        assert_eq!(
            zeroed[..zeroed.len() - data.len()],
            wasm[..wasm.len() - data.len()]
        );
    }

    #[test]
    fn table_entries_nothing_names_are_nulled() {
        // The code names entry 1 (a constant); the data names entry 2 (an
        // aligned word); nothing names entry 3 (its bytes in the data are
        // not an aligned word).
        let data = [2, 0, 0, 0, 0, 3, 0, 0];
        let wasm = module(1, 0x2000, 0x1000, &data);
        let (nulled, count) = null_unnamed_table_entries(&wasm).unwrap();
        assert_eq!(count, 1);
        let mut items = Vec::new();
        for payload in Parser::new(0).parse_all(&nulled) {
            if let Payload::ElementSection(elements) = payload.unwrap() {
                for element in elements {
                    let wasmparser::ElementItems::Expressions(_, expressions) =
                        element.unwrap().items
                    else {
                        panic!("expected expressions");
                    };
                    for expression in expressions {
                        items.push(match expression.unwrap().get_operators_reader().read() {
                            Ok(Operator::RefFunc { function_index }) => Some(function_index),
                            _ => None,
                        });
                    }
                }
            }
        }
        assert_eq!(items, [Some(0), Some(0), None]);
        // Each named by the data, the last by a word whose zero bytes the
        // segment leaves out (memory starts zeroed): none nulled.
        let wasm = module(0x7777, 0x2000, 0x1000, &[1, 0, 0, 0, 2, 0, 0, 0, 3]);
        let (_, count) = null_unnamed_table_entries(&wasm).unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn only_offsets_from_the_stack_frame_are_frame_offsets() {
        use Operator::*;
        let stack_pointer = Some(0);
        let mut frames = FrameOffsets::default();
        let mut offsets = Vec::new();
        let mut run = |operators: &[Operator<'static>]| {
            for operator in operators {
                offsets.extend(frames.note(operator, stack_pointer));
            }
        };
        // Local 2 is the frame; local 3 is not.
        run(&[
            GlobalGet { global_index: 0 },
            I32Const { value: 624 },
            I32Sub,
            LocalTee { local_index: 2 },
            LocalGet { local_index: 2 },
            I32Const { value: 380 },
            I32Add,
            LocalGet { local_index: 3 },
            I32Const { value: 381 },
            I32Add,
        ]);
        // Another global's value minus a constant is no frame; and once
        // local 2 holds something else, it is no frame either.
        run(&[
            GlobalGet { global_index: 1 },
            I32Const { value: 16 },
            I32Sub,
            LocalSet { local_index: 3 },
            LocalGet { local_index: 3 },
            I32Const { value: 382 },
            I32Add,
            I32Const { value: 7 },
            LocalSet { local_index: 2 },
            LocalGet { local_index: 2 },
            I32Const { value: 383 },
            I32Add,
        ]);
        assert_eq!(offsets, [380]);
    }

    #[test]
    fn a_constant_just_before_a_section_keeps_it() {
        let sections = [0x1000..0x1010, 0x1040..0x1050, 0x1100..0x1110];
        let data = vec![0xaa; 0x110];
        // 0x1008 is in the first; the second starts within SLACK of it.
        let wasm = module(0x1008, 0x1008, 0x1000, &data);
        let (zeroed, count) = zero_dead_data(&wasm, &sections).unwrap();
        assert_eq!(count, 16);
        let after = data_of(&zeroed, data.len());
        assert!(after[..0x50].iter().all(|b| *b == 0xaa));
        assert!(after[0x100..].iter().all(|b| *b == 0));
    }
}
