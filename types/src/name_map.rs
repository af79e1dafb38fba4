//! [`NameMap`]: the map by name that keys and traits are.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A map from names to values, written as a JSON object: each name once
/// (a later value replaces an earlier one, as in a `BTreeMap`), in name
/// order. What [`Keys`](crate::Keys) and [`Traits`](crate::Traits) are.
///
/// A sorted list rather than a `BTreeMap`: the browser module builds keys
/// and traits for every identify, and a `BTreeMap` brings its own node
/// code for insertion, search and removal for each value type (5 KB of
/// wasm for traits alone); a record has a handful of keys and a few dozen
/// traits at most.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NameMap<V>(Vec<(String, V)>);

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap(Vec::new())
    }
}

impl<V> NameMap<V> {
    pub fn new() -> Self {
        NameMap(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(held, _)| held.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.position(name).ok().map(|at| &self.0[at].1)
    }

    /// Sets `name` to `value`, and returns the value it replaced.
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        match self.position(&name) {
            Ok(at) => Some(std::mem::replace(&mut self.0[at].1, value)),
            Err(at) => {
                self.0.insert(at, (name, value));
                None
            }
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(name, _)| name)
    }

    /// Names and values, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(name, value)| (name, value))
    }
}

/// Sorts `entries` by name once, a later entry of a name replacing an
/// earlier one: O(n log n), where inserting one by one is O(n²), so a
/// request body of a hundred thousand traits is read as fast as a
/// `BTreeMap` would read it.
fn sorted<V>(mut entries: Vec<(String, V)>) -> Vec<(String, V)> {
    // Reversed, then sorted stably: of the entries of one name, the last
    // given comes first, and is the one `dedup_by` keeps.
    entries.reverse();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|next, kept| next.0 == kept.0);
    entries
}

impl<V> Extend<(String, V)> for NameMap<V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, items: I) {
        let mut entries = std::mem::take(&mut self.0);
        entries.extend(items);
        self.0 = sorted(entries);
    }
}

impl<V> FromIterator<(String, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(items: I) -> Self {
        NameMap(sorted(items.into_iter().collect()))
    }
}

impl<V, const N: usize> From<[(String, V); N]> for NameMap<V> {
    fn from(items: [(String, V); N]) -> Self {
        items.into_iter().collect()
    }
}

impl<'a, V> IntoIterator for &'a NameMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(name, value)| (name, value))
    }
}

impl<V: Serialize> Serialize for NameMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for NameMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameMapVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for NameMapVisitor<V> {
            type Value = NameMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<NameMap<V>, A::Error> {
                let mut read = Vec::new();
                while let Some(entry) = entries.next_entry::<String, V>()? {
                    read.push(entry);
                }
                Ok(NameMap(sorted(read)))
            }
        }

        deserializer.deserialize_map(NameMapVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::{TraitValue, Traits};

    #[test]
    fn traits_are_a_map_by_name() {
        let mut traits = Traits::from([
            ("tier".to_owned(), TraitValue::from("gold")),
            ("active".to_owned(), TraitValue::from(true)),
        ]);
        assert_eq!(traits.len(), 2);
        assert_eq!(traits.get("tier"), Some(&TraitValue::from("gold")));
        assert_eq!(traits.get("nope"), None);
        assert_eq!(
            traits.insert("tier".to_owned(), TraitValue::from("platinum")),
            Some(TraitValue::from("gold"))
        );
        assert_eq!(traits.insert("seats".to_owned(), 12.into()), None);
        assert_eq!(traits.len(), 3);
        assert_eq!(
            traits.keys().map(String::as_str).collect::<Vec<_>>(),
            ["active", "seats", "tier"],
            "in name order, whatever the order of insertion"
        );
    }

    #[test]
    fn traits_are_written_and_read_as_a_btree_map_would_be() {
        let pairs = [
            ("zeta".to_owned(), TraitValue::Number(0.5)),
            ("alpha".to_owned(), TraitValue::Integer(-3)),
            ("mid".to_owned(), TraitValue::from("x")),
        ];
        let traits = Traits::from(pairs.clone());
        let map: BTreeMap<String, TraitValue> = BTreeMap::from(pairs);
        let written = serde_json::to_string(&traits).unwrap();
        assert_eq!(written, serde_json::to_string(&map).unwrap());
        assert_eq!(serde_json::from_str::<Traits>(&written).unwrap(), traits);
        // A name given twice: the later value, as a map reads it.
        let twice = r#"{"b": 1, "a": true, "b": "two"}"#;
        let read: Traits = serde_json::from_str(twice).unwrap();
        let as_map: BTreeMap<String, TraitValue> = serde_json::from_str(twice).unwrap();
        assert_eq!(
            read.iter().collect::<Vec<_>>(),
            as_map.iter().collect::<Vec<_>>()
        );
        let collected: Traits = [
            ("b".to_owned(), TraitValue::from(1)),
            ("a".to_owned(), TraitValue::from(true)),
            ("b".to_owned(), TraitValue::from("two")),
        ]
        .into_iter()
        .collect();
        assert_eq!(collected, read);
        let mut extended = Traits::from([("b".to_owned(), TraitValue::from(1))]);
        extended.extend([
            ("a".to_owned(), TraitValue::from(true)),
            ("b".to_owned(), TraitValue::from("two")),
        ]);
        assert_eq!(extended, read, "extending replaces a name's value");
        assert!(serde_json::from_str::<Traits>("[1, 2]").is_err());
        assert!(serde_json::from_str::<Traits>(r#"{"a": [1]}"#).is_err());
    }

    #[test]
    fn many_names_in_reverse_order_are_read_whole() {
        // Worst case for inserting one by one (each at the front); read
        // here by sorting once.
        let body = (0..50_000)
            .rev()
            .map(|i| format!("\"k{i:05}\": {i}"))
            .collect::<Vec<_>>()
            .join(",");
        let read: Traits = serde_json::from_str(&format!("{{{body}}}")).unwrap();
        assert_eq!(read.len(), 50_000);
        assert_eq!(read.keys().next().map(String::as_str), Some("k00000"));
        assert_eq!(read.get("k49999"), Some(&TraitValue::Integer(49_999)));
    }
}
