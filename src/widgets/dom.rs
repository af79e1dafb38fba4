//! Views built by hand: elements created and set with plain DOM calls, and
//! one render effect for each value that follows a signal.
//!
//! The `view!` macro compiles every element of a view into code of its
//! own: its attribute list, its children's tuple and every reactive
//! attribute's effect are types of their own, each with its build, rebuild,
//! mount and unmount. For a dialog of many parts and states that is most of
//! the widget's code. Built here, a static element is one call with two
//! constant strings, and a value that follows a signal is one boxed
//! closure. Checkout is built this way (`cargo xtask bench bundle` gives
//! the bytes it saved; see the README).
//!
//! What a hand-built view keeps alive (its effects and listeners) lives in
//! a [`Live`]; dropping it stops them, so a part rebuilt whole drops the
//! old part's `Live` with it.

use leptos::prelude::{document, Effect};
use leptos::reactive::effect::RenderEffect;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, Node};

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

/// Puts `new` where `shown` is (or before `next` under `parent` when
/// nothing is shown yet), and keeps it as the shown one. `None` removes
/// what is shown.
pub fn replace(
    parent: &Element,
    next: Option<&Node>,
    shown: &mut Option<Element>,
    new: Option<Element>,
) {
    if let Some(old) = shown.take() {
        old.remove();
    }
    if let Some(new) = new {
        let _ = parent.insert_before(&new, next);
        *shown = Some(new);
    }
}

/// Runs `run` after rendering, and again whenever a signal it read
/// changes, while the current owner lives: [`Effect::new`] with the
/// closure boxed, so that every effect shares one compiled copy of the
/// effect's machinery (its task and its loop) instead of one per closure.
pub fn effect(run: impl Fn() + 'static) {
    let run: Box<dyn Fn()> = Box::new(run);
    Effect::new(move |_| run());
}

/// What keeps a hand-built view live: its render effects and event
/// listeners. Dropping it stops them.
#[derive(Default)]
pub struct Live {
    effects: Vec<RenderEffect<()>>,
    listeners: Vec<Listener>,
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
        let handler = Closure::<dyn FnMut(Event)>::wrap(Box::new(handler));
        let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        self.listeners.push(Listener {
            target: target.clone(),
            event,
            handler,
        });
    }
}

/// A hand-built element as a view: mounted as it is, live while shown.
/// Wasm runs on one thread; the wrapper only satisfies views' `Send`.
pub struct Built(SendWrapper<(Element, Live)>);

impl Built {
    pub fn new(root: Element, live: Live) -> Self {
        Built(SendWrapper::new((root, live)))
    }
}

/// A shown [`Built`] view: its element, and what keeps it live.
pub struct BuiltState {
    root: Element,
    _live: Live,
}

impl Render for Built {
    type State = BuiltState;

    fn build(self) -> BuiltState {
        let (root, live) = self.0.take();
        BuiltState { root, _live: live }
    }

    fn rebuild(self, shown: &mut BuiltState) {
        let mut new = self.build();
        shown.root.insert_before_this(&mut new.root);
        shown.root.unmount();
        *shown = new;
    }
}

impl Mountable for BuiltState {
    fn unmount(&mut self) {
        self.root.unmount();
    }

    fn mount(&mut self, parent: &Element, marker: Option<&Node>) {
        self.root.mount(parent, marker);
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        self.root.insert_before_this(child)
    }

    fn elements(&self) -> Vec<Element> {
        vec![self.root.clone()]
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
        buf.push_str(&self.0 .0.outer_html());
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
        let at: Element = cursor.current().unchecked_into();
        let state = self.build();
        let _ = at.replace_with_with_node_1(&state.root);
        state
    }

    fn into_owned(self) -> Self {
        self
    }
}
