//! [`Extra`]: the properties of a response object that this version of the
//! spec does not describe.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// Properties of a response object that this version of the spec does not
/// describe, kept so that nothing the server sent is lost (re-encoding writes
/// them back beside the known fields).
///
/// Almost every object has none, so an empty `Extra` is one null pointer:
/// the map is allocated only when an unknown property actually arrives.
///
/// ```
/// use chat_api::Extra;
/// use serde_json::json;
///
/// let mut extra = Extra::new();
/// assert!(extra.is_empty());
/// extra.insert("reasoning_content".to_owned(), json!("thinking…"));
/// assert_eq!(extra["reasoning_content"], "thinking…");
/// assert_eq!(extra["absent"], json!(null)); // like indexing a `Value`
/// assert_eq!(extra.iter().count(), 1);
/// ```
#[derive(Clone, Default)]
pub struct Extra(Option<Box<Map<String, Value>>>);

/// What indexing with an absent key returns.
static NULL: Value = Value::Null;

impl Extra {
    /// No properties (allocates nothing).
    pub const fn new() -> Self {
        Extra(None)
    }

    /// The value of `key`, if the server sent it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.as_ref()?.get(key)
    }

    /// The value of `key` to change in place, if present.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0.as_mut()?.get_mut(key)
    }

    /// Whether the server sent `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, returning its previous value.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        self.0
            .get_or_insert_with(Default::default)
            .insert(key, value)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.0.as_mut()?.remove(key)
    }

    /// Keeps only the properties for which `keep` returns `true`.
    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut Value) -> bool) {
        if let Some(map) = self.0.as_mut() {
            map.retain(|key, value| keep(key, value));
        }
    }

    /// The property names, in key order (arrival order if your program
    /// enables serde_json's `preserve_order`).
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().flat_map(|map| map.keys())
    }

    /// The number of properties.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |map| map.len())
    }

    /// Whether there are no properties.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The properties, in key order (arrival order if your program enables
    /// serde_json's `preserve_order`).
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().flat_map(|map| map.iter())
    }

    /// The properties as a map, if there are any.
    pub fn as_map(&self) -> Option<&Map<String, Value>> {
        self.0.as_deref().filter(|map| !map.is_empty())
    }

    /// The properties as a map (empty if there are none).
    pub fn into_map(self) -> Map<String, Value> {
        self.0.map(|map| *map).unwrap_or_default()
    }
}

impl std::ops::Index<&str> for Extra {
    type Output = Value;

    /// The value of `key`, or `null` when absent (as indexing a `Value` does).
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::FlatMap<
        std::option::Iter<'a, Box<Map<String, Value>>>,
        serde_json::map::Iter<'a>,
        fn(&'a Box<Map<String, Value>>) -> serde_json::map::Iter<'a>,
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().flat_map(|map| map.iter())
    }
}

impl Extend<(String, Value)> for Extra {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, entries: I) {
        for (key, value) in entries {
            self.insert(key, value);
        }
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(entries: I) -> Self {
        let mut extra = Extra::new();
        extra.extend(entries);
        extra
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        Extra((!map.is_empty()).then(|| Box::new(map)))
    }
}

/// Equal when the properties are, however they came to be empty.
impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.as_map() == other.as_map()
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Written as a map; the generated structs flatten it beside their fields.
impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_empty_extra_is_one_pointer_and_equals_an_emptied_one() {
        assert_eq!(size_of::<Extra>(), size_of::<usize>());
        let mut emptied = Extra::new();
        emptied.insert("k".into(), json!(1));
        assert_eq!(emptied.remove("k"), Some(json!(1)));
        assert_eq!(emptied, Extra::new());
        assert_eq!(format!("{emptied:?}"), "{}");
    }

    #[test]
    fn accessors_behave_like_a_map() {
        let mut extra: Extra = [("a".to_owned(), json!(1)), ("b".to_owned(), json!(2))]
            .into_iter()
            .collect();
        *extra.get_mut("a").expect("present") = json!(3);
        assert_eq!(extra.len(), 2);
        assert!(extra.contains_key("b") && !extra.contains_key("c"));
        let keys: Vec<&String> = (&extra).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(
            serde_json::to_value(&extra).expect("encodes"),
            json!({"a": 3, "b": 2})
        );
        assert_eq!(extra.into_map().len(), 2);
    }
}
