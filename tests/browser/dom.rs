//! Views built by hand (`portico::widgets::dom`): a slot's content follows
//! its signals in place, and content taken down stops reacting; a
//! `State` notifies what reads it as a signal does.

use leptos::prelude::*;
use portico::state::State;
use portico::widgets::dom::{element, slot, text_element, Built, Live};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{mount, sleep};

/// A slot showing a `<p>` whose part is `shown`'s name, or nothing; its
/// text follows `count`, and each text it sets is logged in `updates`.
fn counting_slot(
    shown: RwSignal<Option<&'static str>>,
    count: RwSignal<u32>,
    updates: StoredValue<Vec<String>>,
) -> Built {
    slot(move || {
        let name = shown.get()?;
        let item = element("p", name);
        let mut live = Live::default();
        live.bind({
            let item = item.clone();
            move || {
                let text = format!("{name} {}", count.get());
                updates.update_value(|u| u.push(text.clone()));
                item.set_text_content(Some(&text));
            }
        });
        Some(Built::new(item, live))
    })
}

fn plain(part: &'static str) -> Built {
    Built::new(text_element("p", part, part), Live::default())
}

#[wasm_bindgen_test]
async fn a_slot_puts_new_content_in_place_and_stops_the_old() {
    let shown = RwSignal::new(Some("first"));
    let count = RwSignal::new(0);
    let updates = StoredValue::new(Vec::<String>::new());
    let view = mount(move || {
        view! {
            <div data-part="slot-test">
                {plain("before")}
                {counting_slot(shown, count, updates)}
                {plain("after")}
            </div>
        }
    });
    let parts = || {
        let children = view.find("[data-part=slot-test]").children();
        (0..children.length())
            .filter_map(|i| children.item(i))
            .map(|c| {
                format!(
                    "{}: {}",
                    c.get_attribute("data-part").unwrap_or_default(),
                    c.text_content().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        parts(),
        ["before: before", "first: first 0", "after: after"]
    );

    count.set(1);
    sleep(0).await;
    assert_eq!(
        parts(),
        ["before: before", "first: first 1", "after: after"]
    );

    // New content, in the old one's place.
    shown.set(Some("second"));
    sleep(0).await;
    assert_eq!(
        parts(),
        ["before: before", "second: second 1", "after: after"]
    );

    // The old content no longer follows the count.
    count.set(2);
    sleep(0).await;
    assert_eq!(
        parts(),
        ["before: before", "second: second 2", "after: after"]
    );
    assert_eq!(
        updates.get_value(),
        ["first 0", "first 1", "second 1", "second 2"]
    );

    // Nothing, then content again, still between its neighbours.
    shown.set(None);
    sleep(0).await;
    assert_eq!(parts(), ["before: before", "after: after"]);
    shown.set(Some("third"));
    sleep(0).await;
    assert_eq!(
        parts(),
        ["before: before", "third: third 2", "after: after"]
    );
}

#[wasm_bindgen_test]
async fn a_state_notifies_what_reads_it_until_its_owner_is_gone() {
    // Effects run on the executor (mounting starts it; nothing mounts here).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    let runs = StoredValue::new(Vec::<u32>::new());
    let (count, _live) = owner.with(|| {
        let count = State::new(0_u32);
        let mut live = Live::default();
        live.bind(move || {
            let seen = count.get();
            runs.update_value(|r| r.push(seen));
        });
        (count, live)
    });
    assert_eq!(runs.get_value(), [0]);

    count.set(1);
    sleep(0).await;
    count.update(|n| *n += 1);
    sleep(0).await;
    assert_eq!(runs.get_value(), [0, 1, 2]);

    // A quiet write is heard only once announced.
    count.set_untracked(5);
    sleep(0).await;
    assert_eq!(runs.get_value(), [0, 1, 2]);
    count.notify();
    sleep(0).await;
    assert_eq!(runs.get_value(), [0, 1, 2, 5]);

    // Gone with its owner: writes do nothing, and nothing runs.
    drop(owner);
    count.set(6);
    sleep(0).await;
    assert_eq!(count.try_get_untracked(), None);
    assert_eq!(runs.get_value(), [0, 1, 2, 5]);
}
