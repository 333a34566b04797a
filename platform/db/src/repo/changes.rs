//! Editing a record that others may be editing too: every editable row has a version, an edit
//! names the version it was made to, and the update only lands if that is still the stored
//! version. What the edit changed, field by field, goes to the audit log with it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One field an edit changed, as the record serialises it (what the API shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[schema(value_type = Object)]
    pub before: Value,
    #[schema(value_type = Object)]
    pub after: Value,
}

/// Fields that change with every edit or never change: not what a reader of the history wants.
const BOOKKEEPING: &[&str] = &["version", "created_at", "tenant_id", "id"];

/// The fields whose values differ between two versions of a record, by field name.
/// Framework fields (the `attributes` JSON object) are compared key by key, as `attributes.KEY`.
pub fn field_changes<T: Serialize>(before: &T, after: &T) -> Vec<FieldChange> {
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) = (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (field, old) in &b {
        if BOOKKEEPING.contains(&field.as_str()) {
            continue;
        }
        let new = a.get(field).cloned().unwrap_or(Value::Null);
        if *old == new {
            continue;
        }
        if field == "attributes" {
            out.extend(attribute_changes(old, &new));
        } else {
            out.push(FieldChange { field: field.clone(), before: old.clone(), after: new });
        }
    }
    out
}

fn attribute_changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let parse = |v: &Value| match v.as_str().map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(map))) => map,
        _ => serde_json::Map::new(),
    };
    let (b, a) = (parse(before), parse(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (old, new) = (b.get(k).cloned().unwrap_or(Value::Null), a.get(k).cloned().unwrap_or(Value::Null));
            (old != new).then(|| FieldChange { field: format!("attributes.{k}"), before: old, after: new })
        })
        .collect()
}

/// The audit detail of an edit: `{"changes": [...]}` plus anything the caller adds.
pub fn audit_detail(changes: &[FieldChange], extra: serde_json::Map<String, Value>) -> String {
    let mut detail = extra;
    detail.insert("changes".into(), serde_json::to_value(changes).unwrap_or(Value::Null));
    Value::Object(detail).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        id: &'static str,
        version: i32,
        title: &'static str,
        value: i64,
        attributes: &'static str,
    }

    #[test]
    fn only_the_fields_that_differ_are_listed_and_attributes_key_by_key() {
        let before = Row { id: "a", version: 1, title: "Parenting", value: 10, attributes: r#"{"x":"1","y":"2"}"# };
        let after = Row { id: "a", version: 2, title: "Parenting", value: 12, attributes: r#"{"x":"1","z":"3"}"# };
        let changes = field_changes(&before, &after);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["attributes.y", "attributes.z", "value"]);
        assert_eq!((&changes[2].before, &changes[2].after), (&serde_json::json!(10), &serde_json::json!(12)));
        assert_eq!(changes[0].after, Value::Null);
    }

    #[test]
    fn an_unchanged_record_has_no_changes() {
        let row = Row { id: "a", version: 1, title: "t", value: 1, attributes: "{}" };
        assert!(field_changes(&row, &row).is_empty());
    }
}
