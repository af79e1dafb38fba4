//! [`State`]: the widgets' reactive values, with one compiled copy of the
//! reactive machinery for all of them.
//!
//! A Leptos `RwSignal<T>` compiles its reads, writes, guards and arena
//! look-ups once for every `T` it holds: some 1.5 KB of wasm for each of
//! the dozen types the widgets keep (`cargo xtask bench bundle` names them
//! `try_read_untracked`, `try_update`, `get`, …). A [`State`] keeps its
//! value boxed as `dyn Any` beside a trigger, in one kind of stored value,
//! so all that code exists once and only the value's own clone and drop
//! are per type.
//!
//! It behaves as an `RwSignal` does: it belongs to the owner it was made
//! under and is disposed with it (after which reads give `None` and writes
//! do nothing), reading it in an effect subscribes the effect, and writing
//! it notifies every subscriber. It is `Copy`, so closures take it by
//! value.

use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;

use leptos::prelude::{ArcTrigger, GetValue, Notify, StoredValue, Track};

use crate::local::Local;

/// A reactive value of type `T` (see the module's notes).
pub struct State<T> {
    slot: StoredValue<Local<Rc<Slot>>>,
    value: PhantomData<fn() -> T>,
}

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for State<T> {}

/// What a [`State`] keeps, whatever its type.
struct Slot {
    trigger: ArcTrigger,
    value: RefCell<Box<dyn Any>>,
}

/// The slot, unless its owner has been disposed. Not generic, and never
/// inlined: every state's every access shares it.
#[inline(never)]
fn slot_of(slot: StoredValue<Local<Rc<Slot>>>) -> Option<Rc<Slot>> {
    slot.try_get_value().map(Local::take)
}

#[inline(never)]
fn new_slot(value: Box<dyn Any>) -> StoredValue<Local<Rc<Slot>>> {
    StoredValue::new(Local::new(Rc::new(Slot {
        trigger: ArcTrigger::new(),
        value: RefCell::new(value),
    })))
}

/// Subscribes the running effect to a slot. Not generic: shared by the
/// states of every type, as is [`notify_slot`].
#[inline(never)]
fn track_slot(slot: StoredValue<Local<Rc<Slot>>>) {
    if let Some(slot) = slot_of(slot) {
        slot.trigger.track();
    }
}

/// Puts `value` in a slot in place of the one it held, and notifies the
/// subscribers if `notify` (the value no longer borrowed). Not generic: a
/// state of any type is set by this one function, the new value boxed.
#[inline(never)]
fn replace_slot(slot: StoredValue<Local<Rc<Slot>>>, value: Box<dyn Any>, notify: bool) {
    if let Some(slot) = slot_of(slot) {
        let old = slot.value.replace(value);
        if notify {
            slot.trigger.notify();
        }
        drop(old);
    }
}

#[inline(never)]
fn notify_slot(slot: StoredValue<Local<Rc<Slot>>>) {
    if let Some(slot) = slot_of(slot) {
        slot.trigger.notify();
    }
}

impl<T: 'static> State<T> {
    pub fn new(value: T) -> Self {
        State {
            slot: new_slot(Box::new(value)),
            value: PhantomData,
        }
    }

    /// Reads the value without subscribing to it; `None` once disposed.
    pub fn try_with_untracked<R>(self, read: impl FnOnce(&T) -> R) -> Option<R> {
        let slot = slot_of(self.slot)?;
        let value = slot.value.borrow();
        value.downcast_ref::<T>().map(read)
    }

    /// Reads the value and subscribes the running effect to it; `None`
    /// once disposed.
    pub fn try_with<R>(self, read: impl FnOnce(&T) -> R) -> Option<R> {
        track_slot(self.slot);
        self.try_with_untracked(read)
    }

    /// Changes the value in place and notifies its subscribers; `None`
    /// (and nothing changed) once disposed.
    pub fn try_update<R>(self, change: impl FnOnce(&mut T) -> R) -> Option<R> {
        let changed = self.try_update_untracked(change);
        if changed.is_some() {
            self.notify();
        }
        changed
    }

    /// Changes the value in place without notifying anyone (a value
    /// nothing renders, or a change [`notify`](Self::notify) announces).
    pub fn try_update_untracked<R>(self, change: impl FnOnce(&mut T) -> R) -> Option<R> {
        let slot = slot_of(self.slot)?;
        let mut value = slot.value.borrow_mut();
        value.downcast_mut::<T>().map(change)
    }

    /// Subscribes the running effect to the value without reading it.
    pub fn track(self) {
        track_slot(self.slot);
    }

    /// Tells the subscribers that the value changed.
    pub fn notify(self) {
        notify_slot(self.slot);
    }

    /// Reads the value and subscribes the running effect to it.
    pub fn with<R>(self, read: impl FnOnce(&T) -> R) -> R {
        self.try_with(read).unwrap_or_else(|| disposed())
    }

    /// Reads the value without subscribing to it.
    pub fn with_untracked<R>(self, read: impl FnOnce(&T) -> R) -> R {
        self.try_with_untracked(read).unwrap_or_else(|| disposed())
    }

    pub fn update(self, change: impl FnOnce(&mut T)) {
        self.try_update(change);
    }

    /// Sets the value and notifies its subscribers (nothing, once
    /// disposed: an answer that arrives after its widget is gone is
    /// dropped).
    pub fn set(self, value: T) {
        replace_slot(self.slot, Box::new(value), true);
    }

    /// Sets the value without notifying anyone.
    pub fn set_untracked(self, value: T) {
        replace_slot(self.slot, Box::new(value), false);
    }
}

impl<T: Clone + 'static> State<T> {
    /// The value, without subscribing; `None` once disposed.
    pub fn try_get_untracked(self) -> Option<T> {
        self.try_with_untracked(T::clone)
    }

    /// The value, subscribing the running effect to it.
    pub fn get(self) -> T {
        self.with(T::clone)
    }

    /// The value, without subscribing.
    pub fn get_untracked(self) -> T {
        self.with_untracked(T::clone)
    }
}

/// A state read after its owner was disposed: a bug in the widget that
/// read it (callbacks that may outlive their widget use the `try_` reads),
/// as it is for a Leptos signal.
#[cold]
#[inline(never)]
fn disposed() -> ! {
    panic!("a Portico state was read after the widget that owns it was disposed")
}

#[cfg(test)]
mod tests {
    use leptos::prelude::Owner;

    use super::State;

    #[test]
    fn reads_what_was_written() {
        let owner = Owner::new();
        owner.with(|| {
            let count = State::new(1_u32);
            assert_eq!(count.get_untracked(), 1);
            count.set(2);
            assert_eq!(count.get(), 2);
            count.update(|n| *n += 3);
            assert_eq!(count.with(|n| n * 10), 50);
            count.set_untracked(7);
            assert_eq!(count.try_update_untracked(|n| *n + 1), Some(8));
            // Two states of one type are two values.
            let other = State::new(0_u32);
            other.set(9);
            assert_eq!((count.get_untracked(), other.get_untracked()), (7, 9));
            let words = State::new(vec![String::from("a")]);
            words.update(|w| w.push("b".into()));
            assert_eq!(words.get_untracked(), ["a", "b"]);
        });
    }

    #[test]
    fn a_disposed_state_reads_as_none_and_ignores_writes() {
        let owner = Owner::new();
        let count = owner.with(|| State::new(1_u32));
        assert_eq!(count.try_get_untracked(), Some(1));
        drop(owner);
        assert_eq!(count.try_get_untracked(), None);
        assert_eq!(count.try_with(|n| *n), None);
        assert_eq!(count.try_update(|n| *n += 1), None);
        // Writes and notifications after disposal do nothing, and do not
        // panic (late network answers write to states of widgets gone).
        count.set(5);
        count.notify();
        count.track();
        assert_eq!(count.try_get_untracked(), None);
    }
}
