//! Views built by hand: elements created and set with plain DOM calls, and
//! one render effect for each value that follows a signal.
//!
//! The `view!` macro compiles every element of a view into code of its
//! own: its attribute list, its children's tuple and every reactive
//! attribute's effect are types of their own, each with its build, rebuild,
//! mount and unmount. For a dialog of many parts and states that is most of
//! the widget's code. Built here, a static element is one call with two
//! constant strings, and a value that follows a signal is one boxed
//! closure. Every widget is built this way (the README gives what each
//! step took off the module, from `cargo xtask bench bundle`).
//!
//! What a hand-built view keeps alive (its effects and listeners) lives in
//! a [`Live`]; dropping it stops them, so a part rebuilt whole drops the
//! old part's `Live` with it. A part that changes whole (a widget's
//! loading, error and ready faces) is a [`slot`].

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::{document, Effect, Owner};
use leptos::reactive::effect::RenderEffect;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, Node};

use crate::local::Local;

/// A `tag` element whose `data-part` is `part`.
pub fn element(tag: &str, part: &str) -> Element {
    let created = plain(tag);
    set(&created, "data-part", part);
    created
}

/// A `<tag>` with no part of its own (an input inside a labelled part, a
/// live region).
pub fn plain(tag: &str) -> Element {
    // Creating an element with a valid tag name does not fail.
    document()
        .create_element(tag)
        .unwrap_or_else(|_| unreachable!())
}

/// A `<tag>` with no part of its own, holding `text` as text (a label
/// inside a labelled part, a table's header cell).
pub fn plain_text(tag: &str, text: &str) -> Element {
    let created = plain(tag);
    created.set_text_content(Some(text));
    created
}

/// A `<section>` whose `data-part` is `part`, in `state` (`data-state`):
/// a widget, or a face or part of one.
pub fn section(part: &str, state: &str) -> Element {
    let created = element("section", part);
    set(&created, "data-state", state);
    created
}

/// A `tag` element whose `data-part` is `part`, holding `text` as text.
pub fn text_element(tag: &str, part: &str, text: &str) -> Element {
    let created = element(tag, part);
    created.set_text_content(Some(text));
    created
}

/// A button (`type="button"`) whose `data-part` is `part`, labelled `text`.
pub fn button(part: &str, text: &str) -> Element {
    let created = text_element("button", part, text);
    set(&created, "type", "button");
    created
}

/// Sets an attribute. Setting one with a valid name does not fail.
pub fn set(on: &Element, name: &str, value: &str) {
    let _ = on.set_attribute(name, value);
}

/// A custom property on the element's own style, through the CSSOM: a
/// strict `style-src` allows it where a `style` attribute is refused.
pub fn set_style(on: &Element, property: &str, value: &str) {
    if let Some(styled) = on.dyn_ref::<HtmlElement>() {
        let _ = styled.style().set_property(property, value);
    }
}

/// A boolean attribute (`disabled`, `hidden`): present or absent.
pub fn flag(on: &Element, name: &str, present: bool) {
    if present {
        set(on, name, "");
    } else {
        let _ = on.remove_attribute(name);
    }
}

/// Appends `children` to `parent`, in order.
pub fn append(parent: &Element, children: &[&Element]) {
    for child in children {
        let _ = parent.append_child(child);
    }
}

/// Appends text to `parent`, after its children.
pub fn append_text(parent: &Element, text: &str) {
    let _ = parent.append_with_str_1(text);
}

/// Marks `section` empty and says so, in an `empty-state` paragraph.
pub fn show_empty(section: &Element, text: &str) {
    set(section, "data-state", "empty");
    append(section, &[&text_element("p", "empty-state", text)]);
}

/// Runs `run` after rendering, and again whenever a signal it read
/// changes, while the current owner lives: a Leptos effect with the
/// closure boxed, so that every effect shares one compiled copy of the
/// effect's machinery (its task and its loop) instead of one per closure.
pub fn effect(run: impl Fn() + 'static) {
    boxed_effect(Box::new(run));
}

/// Not generic: a closure written inside `effect` would be a type of
/// each caller's own (it is generic over what `effect` is), and so would
/// `Effect::new`'s code for it.
#[inline(never)]
fn boxed_effect(run: Box<dyn Fn()>) {
    let run = Local::new(run);
    Effect::new_sync(move |_| (run.get())());
}

/// What keeps a hand-built view live: its render effects, its event
/// listeners, and what keeps the views placed inside it live. Dropping it
/// stops them.
#[derive(Default)]
pub struct Live {
    effects: Vec<RenderEffect<()>>,
    listeners: Vec<Listener>,
    inside: Vec<Live>,
}

/// A listener, and where it listens: removed when dropped, so an event
/// that still reaches the element (a dialog closed by its removal) finds
/// nothing rather than a freed closure.
struct Listener {
    target: Element,
    event: &'static str,
    handler: Closure<dyn FnMut(Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, self.handler.as_ref().unchecked_ref());
    }
}

impl Live {
    /// Runs `update` now and again whenever a signal it read changes.
    pub fn bind(&mut self, update: impl Fn() + 'static) {
        self.effects.push(RenderEffect::new(move |_| update()));
    }

    /// Calls `handler` for each `event` on `target` while this is alive.
    pub fn on(
        &mut self,
        target: &Element,
        event: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) {
        self.on_boxed(target, event, Box::new(handler));
    }

    /// Not generic, for the reason [`effect`]'s work is not.
    #[inline(never)]
    fn on_boxed(&mut self, target: &Element, event: &'static str, handler: Box<dyn FnMut(Event)>) {
        let handler = Closure::<dyn FnMut(Event)>::wrap(handler);
        let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        self.listeners.push(Listener {
            target: target.clone(),
            event,
            handler,
        });
    }

    /// Puts `view` (a [`slot`], say) under `parent`, before `next` or
    /// last, and keeps it live while this is.
    pub fn insert(&mut self, parent: &Element, next: Option<&Node>, view: Built) {
        let (place, live) = view.0.take();
        let _ = parent.insert_before(&place.borrow(), next);
        self.inside.push(live);
    }

    /// Puts `view`, if there is one, last under `parent` (a widget that
    /// shows nothing outside a provider gives none).
    pub fn insert_some(&mut self, parent: &Element, view: Option<Built>) {
        if let Some(view) = view {
            self.insert(parent, None, view);
        }
    }
}

/// Where a hand-built view is in the page: its node. A [`slot`] puts new
/// content there, so everything that mounts or moves the view reads it
/// here.
type Place = Rc<RefCell<Node>>;

/// A hand-built element as a view: mounted as it is, live while shown.
/// Wasm runs on one thread; the wrapper only satisfies views' `Send`.
pub struct Built(Local<(Place, Live)>);

impl Built {
    pub fn new(root: Element, live: Live) -> Self {
        Built(Local::new((Rc::new(RefCell::new(root.into())), live)))
    }
}

/// A place whose content is built again whenever a signal read while
/// building it changes: `build` gives what to show there, or `None` for
/// nothing (an empty comment holds the place). The new content takes the
/// old one's place, and the old content's effects and listeners stop.
/// Each content is built under an owner of its own (a child of the
/// slot's), disposed with it.
///
/// `build` must give elements, not other slots: a slot inside a slot
/// would be left behind when the inner one changes.
pub fn slot(build: impl Fn() -> Option<Built> + 'static) -> Built {
    boxed_slot(Box::new(build))
}

/// Not generic, for the reason [`effect`]'s work is not: the rebuild below
/// is compiled once for every slot.
#[inline(never)]
fn boxed_slot(build: Box<dyn Fn() -> Option<Built>>) -> Built {
    let place: Place = Rc::new(RefCell::new(document().create_comment("").into()));
    let content = RefCell::new(None::<(Live, Owner)>);
    // Content is built under the slot's own owner, so that it sees the
    // same context wherever the rebuild runs from.
    let parent = Owner::current();
    let mut live = Live::default();
    live.bind({
        let place = place.clone();
        move || {
            let owner = parent.as_ref().map_or_else(Owner::new, Owner::child);
            let built = owner.with(&build);
            let (node, kept) = match built {
                Some(built) => {
                    let (root, live) = built.0.take();
                    let node = root.borrow().clone();
                    (node, Some((live, owner)))
                }
                None => (document().create_comment("").into(), None),
            };
            let old = place.replace(node.clone());
            if let Some(parent) = old.parent_node() {
                let _ = parent.replace_child(&node, &old);
            }
            // Stops the old content's effects and listeners.
            *content.borrow_mut() = kept;
        }
    });
    Built(Local::new((place, live)))
}

/// A shown [`Built`] view: where it is, and what keeps it live.
pub struct BuiltState {
    place: Place,
    _live: Live,
}

impl Render for Built {
    type State = BuiltState;

    fn build(self) -> BuiltState {
        let (place, live) = self.0.take();
        BuiltState { place, _live: live }
    }

    fn rebuild(self, shown: &mut BuiltState) {
        let mut new = self.build();
        shown.insert_before_this(&mut new);
        shown.unmount();
        *shown = new;
    }
}

impl Mountable for BuiltState {
    fn unmount(&mut self) {
        let node = self.place.borrow();
        if let Some(parent) = node.parent_node() {
            let _ = parent.remove_child(&node);
        }
    }

    fn mount(&mut self, parent: &Element, marker: Option<&Node>) {
        let _ = parent.insert_before(&self.place.borrow(), marker);
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        let node = self.place.borrow();
        match node.parent_element() {
            Some(parent) => {
                child.mount(&parent, Some(&node));
                true
            }
            None => false,
        }
    }

    fn elements(&self) -> Vec<Element> {
        self.place
            .borrow()
            .dyn_ref::<Element>()
            .cloned()
            .into_iter()
            .collect()
    }
}

/// Attributes spread onto a hand-built view have no effect.
impl AddAnyAttr for Built {
    type Output<SomeNewAttr: Attribute> = Self;

    fn add_any_attr<NewAttr: Attribute>(self, _attr: NewAttr) -> Self::Output<NewAttr> {
        self
    }
}

impl RenderHtml for Built {
    type AsyncOutput = Self;
    type Owned = Self;

    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> Self {
        self
    }

    /// The element as the browser serializes it.
    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        _escape: bool,
        _mark_branches: bool,
        _extra_attrs: Vec<AnyAttribute>,
    ) {
        if let Some(element) = self.0.get().0.borrow().dyn_ref::<Element>() {
            buf.push_str(&element.outer_html());
        }
        *position = Position::NextChild;
    }

    /// Built in the browser, never sent from a server: hydrating mounts the
    /// built element in place of the one the cursor is at.
    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> BuiltState {
        match position.get() {
            Position::FirstChild => cursor.child(),
            Position::Current => {}
            _ => cursor.sibling(),
        }
        position.set(Position::NextChild);
        let at = cursor.current();
        let state = self.build();
        if let Some(parent) = at.parent_node() {
            let _ = parent.replace_child(&state.place.borrow(), &at);
        }
        state
    }

    fn into_owned(self) -> Self {
        self
    }
}
