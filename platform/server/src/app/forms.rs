//! The cycle's forms: a form is a list of [`Field`]s; what a person submits is read into the same
//! JSON body the API takes (dates from day, month and year; money from pounds), so the area's
//! service reads a form and an API call alike and they cannot disagree. The same fields render
//! the form again with what was typed, the error summary linking to the field at fault and the
//! findings of the trust's framework with where each rule comes from.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value, json};

use crate::error::ApiError;

use platform_plugins::types::{AttributeDefinition, AttributeKind};

/// One choice of a select, radios or checkboxes.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Opt {
        Opt { value: value.into(), label: label.into() }
    }
}

#[derive(Debug, Clone)]
pub enum Kind {
    Text,
    Area,
    /// A whole number, sent as a JSON number.
    Whole,
    /// A number that may have a fraction, sent as a JSON number.
    Decimal,
    /// Pounds and pence typed as `1,250.00`, sent as pence.
    Money,
    /// Day, month and year, sent as `YYYY-MM-DD`.
    Date,
    Select(Vec<Opt>),
    Radios(Vec<Opt>),
    /// Several of the choices, sent as a list.
    Checks(Vec<Opt>),
}

/// A field of a form: `name` is its name in the API's body (`attributes.KEY` for the framework's
/// own fields, which are always sent as text).
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub kind: Kind,
    pub required: bool,
    pub as_text: bool,
}

impl Field {
    pub fn new(name: impl Into<String>, label: impl Into<String>, kind: Kind) -> Field {
        Field { name: name.into(), label: label.into(), hint: None, kind, required: true, as_text: false }
    }
    pub fn text(name: &str, label: &str) -> Field {
        Field::new(name, label, Kind::Text)
    }
    pub fn area(name: &str, label: &str) -> Field {
        Field::new(name, label, Kind::Area)
    }
    pub fn whole(name: &str, label: &str) -> Field {
        Field::new(name, label, Kind::Whole)
    }
    pub fn decimal(name: &str, label: &str) -> Field {
        Field::new(name, label, Kind::Decimal)
    }
    pub fn money(name: &str, label: &str) -> Field {
        Field::new(name, label, Kind::Money)
    }
    pub fn date(name: &str, label: &str) -> Field {
        Field::new(name, label, Kind::Date)
    }
    pub fn select(name: &str, label: &str, options: Vec<Opt>) -> Field {
        Field::new(name, label, Kind::Select(options))
    }
    pub fn radios(name: &str, label: &str, options: Vec<Opt>) -> Field {
        Field::new(name, label, Kind::Radios(options))
    }
    pub fn checks(name: &str, label: &str, options: Vec<Opt>) -> Field {
        Field::new(name, label, Kind::Checks(options))
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = Some(hint.into());
        self
    }
    pub fn optional(mut self) -> Field {
        self.required = false;
        self
    }

    /// The field's element id: its name with dots as dashes (a date's first box is `ID-day`).
    pub fn id(&self) -> String {
        id_of(&self.name)
    }

    /// Where the error summary links for this field.
    fn anchor(&self) -> String {
        match self.kind {
            Kind::Date => format!("{}-day", self.id()),
            Kind::Radios(_) | Kind::Checks(_) => format!("{}-0", self.id()),
            _ => self.id(),
        }
    }

    fn lower_label(&self) -> String {
        let mut chars = self.label.chars();
        match chars.next() {
            Some(first) if !self.label.chars().nth(1).is_some_and(char::is_uppercase) => {
                first.to_lowercase().chain(chars).collect()
            }
            _ => self.label.clone(),
        }
    }
}

pub fn id_of(name: &str) -> String {
    name.replace('.', "-")
}

/// The framework's own fields of a kind of record, as form fields named `attributes.KEY`.
pub fn framework_fields(defs: &[&AttributeDefinition]) -> Vec<Field> {
    defs.iter()
        .map(|d| {
            let name = format!("attributes.{}", d.key);
            let kind = match d.kind {
                AttributeKind::Choice => {
                    Kind::Select(d.choices.iter().map(|c| Opt::new(c.value.clone(), c.label.clone())).collect())
                }
                AttributeKind::YesNo => Kind::Radios(vec![Opt::new("yes", "Yes"), Opt::new("no", "No")]),
                AttributeKind::Date => Kind::Date,
                _ => Kind::Text,
            };
            let mut hint = d.hint.clone().unwrap_or_default();
            match d.kind {
                AttributeKind::Money => hint = join(&hint, "In pounds, for example 1,250.00."),
                AttributeKind::Share => hint = join(&hint, "A share from 0 to 100 per cent."),
                AttributeKind::AgeRange => hint = join(&hint, "In years, for example 5-11."),
                AttributeKind::Number => hint = join(&hint, "A whole number."),
                _ => {}
            }
            if let Some(source) = &d.source {
                hint = join(&hint, &format!("From the trust's framework: {source}."));
            }
            Field {
                name,
                label: d.label.clone(),
                hint: (!hint.is_empty()).then_some(hint),
                kind,
                required: d.required,
                as_text: true,
            }
        })
        .collect()
}

fn join(a: &str, b: &str) -> String {
    let a = a.trim_end();
    match a.chars().last() {
        None => b.to_string(),
        Some('.' | '!' | '?' | ':') => format!("{a} {b}"),
        Some(_) => format!("{a}. {b}"),
    }
}

/// What a person typed, by field name, as they typed it (a form shown again keeps it).
#[derive(Debug, Clone, Default)]
pub struct Values(BTreeMap<String, Vec<String>>);

impl Values {
    /// A submitted form's body (`application/x-www-form-urlencoded`).
    pub fn parse(body: &[u8]) -> Values {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in url::form_urlencoded::parse(body) {
            map.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        Values(map)
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).and_then(|v| v.first()).map_or("", String::as_str)
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Values {
        self.0.insert(name.to_string(), vec![value.into()]);
        self
    }

    pub fn set_all(&mut self, name: &str, values: Vec<String>) -> &mut Values {
        self.0.insert(name.to_string(), values);
        self
    }

    /// A date held as `YYYY-MM-DD`, shown in its three boxes.
    pub fn set_date(&mut self, name: &str, date: Option<NaiveDate>) -> &mut Values {
        if let Some(d) = date {
            let id = id_of(name);
            self.set(&format!("{id}-day"), d.day().to_string());
            self.set(&format!("{id}-month"), d.month().to_string());
            self.set(&format!("{id}-year"), d.year().to_string());
        }
        self
    }

    /// An amount held in pence, shown in pounds with separators.
    pub fn set_pence(&mut self, name: &str, pence: i64) -> &mut Values {
        self.set(name, platform_db::models::format_pence(pence).trim_start_matches('£').to_string())
    }

    /// The framework's fields of a stored record, as `attributes.KEY`.
    pub fn set_attributes(&mut self, stored: &str) -> &mut Values {
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(stored) {
            for (k, v) in map {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                if let Ok(d) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                    self.set_date(&format!("attributes.{k}"), Some(d));
                }
                self.set(&format!("attributes.{k}"), text);
            }
        }
        self
    }

    /// Every name with what was given for it.
    pub fn pairs(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.0.iter()
    }

    pub fn csrf(&self) -> &str {
        self.get("csrf")
    }

    /// The version the form was opened at: its hidden `version` field.
    pub fn version(&self) -> Result<i32, ApiError> {
        self.get("version").parse::<i32>().ok().filter(|v| *v >= 1).ok_or(ApiError::PreconditionRequired)
    }
}

/// The JSON body the submitted `values` of `fields` stand for. Blank optional fields are left
/// out; a blank required one, a number that is not one, a date that is not real or money that
/// is not an amount is refused naming the field, as the error summary shows it.
pub fn body_of(fields: &[Field], values: &Values) -> Result<Value, ApiError> {
    let mut body = Map::new();
    for f in fields {
        let bad = |message: String| ApiError::bad_request(Some(&f.name), message);
        let value: Option<Value> = match &f.kind {
            Kind::Date => {
                let id = f.id();
                let parts: Vec<String> = ["day", "month", "year"]
                    .iter()
                    .map(|p| values.get(&format!("{id}-{p}")).trim().to_string())
                    .collect();
                if parts.iter().all(String::is_empty) {
                    None
                } else {
                    let missing: Vec<&str> = ["a day", "a month", "a year"]
                        .iter()
                        .zip(&parts)
                        .filter(|(_, p)| p.is_empty())
                        .map(|(n, _)| *n)
                        .collect();
                    if !missing.is_empty() {
                        return Err(bad(format!("{} must include {}", f.label, missing.join(" and "))));
                    }
                    let numbers: Vec<Option<u32>> = parts.iter().map(|p| p.parse::<u32>().ok()).collect();
                    let date = match numbers.as_slice() {
                        [Some(d), Some(m), Some(y)] if *y >= 1000 => {
                            NaiveDate::from_ymd_opt(i32::try_from(*y).unwrap_or(0), *m, *d)
                        }
                        _ => None,
                    };
                    let date = date.ok_or_else(|| bad(format!("{} must be a real date", f.label)))?;
                    Some(Value::String(date.format("%Y-%m-%d").to_string()))
                }
            }
            Kind::Checks(_) => {
                let chosen: Vec<Value> = values.all(&f.name).iter().map(|v| Value::String(v.clone())).collect();
                if chosen.is_empty() && f.required {
                    return Err(bad(format!("Select at least one {}", f.lower_label())));
                }
                Some(Value::Array(chosen))
            }
            kind => {
                let text = values.get(&f.name).trim();
                if text.is_empty() {
                    None
                } else {
                    Some(match kind {
                        Kind::Whole if !f.as_text => Value::from(
                            text.replace(',', "")
                                .parse::<i64>()
                                .map_err(|_| bad(format!("{} must be a whole number", f.label)))?,
                        ),
                        Kind::Decimal if !f.as_text => {
                            let n = text
                                .replace(',', "")
                                .parse::<f64>()
                                .ok()
                                .filter(|n| n.is_finite())
                                .ok_or_else(|| bad(format!("{} must be a number, such as 12.5", f.label)))?;
                            json!(n)
                        }
                        Kind::Money if !f.as_text => {
                            Value::from(platform_db::models::parse_pounds(text).ok_or_else(|| {
                                bad(format!("{} must be an amount in pounds, such as 1,250.00", f.label))
                            })?)
                        }
                        _ => Value::String(text.to_string()),
                    })
                }
            }
        };
        match value {
            Some(v) => insert(&mut body, &f.name, v),
            None if f.required => {
                let verb = match f.kind {
                    Kind::Select(_) | Kind::Radios(_) => "Choose",
                    _ => "Enter",
                };
                return Err(bad(format!("{verb} {}", f.lower_label())));
            }
            None => {}
        }
    }
    Ok(Value::Object(body))
}

/// Puts `value` at a dotted `name` (`attributes.KEY` into the `attributes` object).
fn insert(body: &mut Map<String, Value>, name: &str, value: Value) {
    match name.split_once('.') {
        None => {
            body.insert(name.to_string(), value);
        }
        Some((head, rest)) => {
            let inner = body.entry(head.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = inner {
                insert(map, rest, value);
            }
        }
    }
}

/// The repeated rows of a form (`kpis.0.code`, `kpis.1.code`, …) as the list the API takes:
/// rows left blank are dropped; a row begun must be finished, and a missing entry is named
/// with its row (`kpis.1.title`).
pub fn rows(body: &mut Value, list: &str, fields: &[Field]) -> Result<(), ApiError> {
    let Some(Value::Object(by_index)) = body.as_object_mut().and_then(|b| b.remove(list)) else {
        body[list] = Value::Array(Vec::new());
        return Ok(());
    };
    let mut indexed: Vec<(usize, Map<String, Value>)> = by_index
        .into_iter()
        .filter_map(|(i, row)| match (i.parse::<usize>(), row) {
            (Ok(i), Value::Object(row)) => Some((i, row)),
            _ => None,
        })
        .collect();
    indexed.sort_by_key(|(i, _)| *i);
    let mut out = Vec::new();
    for (i, row) in indexed {
        for f in fields.iter().filter(|f| f.required) {
            let key = f.name.rsplit('.').next().unwrap_or_default();
            if !row.contains_key(key) {
                let prefix = format!("{list}.{i}.");
                let name = format!("{prefix}{key}");
                return Err(ApiError::bad_request(Some(&name), format!("Row {}: enter {}", i + 1, f.lower_label())));
            }
        }
        out.push(Value::Object(row));
    }
    body[list] = Value::Array(out);
    Ok(())
}

/// The fields of row `i` of a repeated group: each of `fields` named `LIST.i.NAME`, optional
/// (a blank row is dropped; [`rows`] checks a begun one against `required`).
pub fn row_fields(list: &str, i: usize, fields: &[Field]) -> Vec<Field> {
    fields
        .iter()
        .map(|f| Field {
            name: format!("{list}.{i}.{}", f.name),
            label: format!("{} (row {})", f.label, i + 1),
            required: false,
            ..f.clone()
        })
        .collect()
}

/// The service's input read from a form's body, as the API reads its JSON.
pub fn read<T: serde::de::DeserializeOwned>(fields: &[Field], values: &Values) -> Result<T, ApiError> {
    let body = body_of(fields, values)?;
    serde_json::from_value(body).map_err(|e| {
        let field = e.to_string().split('`').nth(1).map(str::to_string);
        ApiError::BadRequest { field, message: format!("the form could not be read: {e}") }
    })
}

/// An edit form's input and the version it was opened at (its hidden `version` field).
pub fn read_versioned<T: serde::de::DeserializeOwned>(fields: &[Field], values: &Values) -> Result<(T, i32), ApiError> {
    let input = read(fields, values)?;
    Ok((input, values.version()?))
}

/// What the error summary lists and which field is marked.
struct Problems {
    items: Vec<Value>,
    by_field: BTreeMap<String, String>,
    warnings: Vec<Value>,
}

fn problems(fields: &[Field], error: Option<&ApiError>) -> Problems {
    let mut p = Problems { items: Vec::new(), by_field: BTreeMap::new(), warnings: Vec::new() };
    let Some(error) = error else { return p };
    let anchor_of = |name: &str| -> Option<String> {
        let name = name.strip_prefix("attributes.").map_or(name.to_string(), |k| format!("attributes.{k}"));
        fields
            .iter()
            .find(|f| f.name == name || f.name == format!("attributes.{name}"))
            .map(|f| (f.name.clone(), f.anchor()))
            .map(|(_, a)| format!("#{a}"))
    };
    let field_name = |name: &str| -> Option<String> {
        fields.iter().find(|f| f.name == name || f.name == format!("attributes.{name}")).map(|f| f.name.clone())
    };
    match error {
        ApiError::Refused { findings, field, message } => {
            for f in findings {
                let text = match &f.source {
                    Some(s) => format!("{} (the trust's framework: {s})", f.message),
                    None => f.message.clone(),
                };
                let href = f.field.as_deref().and_then(anchor_of);
                if f.severity == "error" {
                    if let Some(name) = f.field.as_deref().and_then(field_name) {
                        p.by_field.entry(name).or_insert_with(|| f.message.clone());
                    }
                    p.items.push(json!({"text": text, "href": href}));
                } else {
                    p.warnings.push(json!({"text": text, "severity": f.severity}));
                }
            }
            // Refused for its warnings (a note must acknowledge them): the refusal itself.
            if p.items.is_empty() {
                let href = field.as_deref().and_then(anchor_of);
                if let Some(name) = field.as_deref().and_then(field_name) {
                    p.by_field.insert(name, message.clone());
                }
                p.items.push(json!({"text": message, "href": href}));
            }
        }
        e => {
            let href = e.field().and_then(anchor_of);
            if let (Some(name), Some(_)) = (e.field().and_then(field_name), &href) {
                p.by_field.insert(name, e.to_string());
            }
            p.items.push(json!({"text": e.to_string(), "href": href}));
        }
    }
    p
}

/// The fields as the `form_fields` partial draws them, with what was typed and each error.
pub fn view(fields: &[Field], values: &Values, error: Option<&ApiError>) -> (Value, Value) {
    let p = problems(fields, error);
    let rows: Vec<Value> = fields
        .iter()
        .map(|f| {
            let id = f.id();
            let options = |opts: &Vec<Opt>, chosen: &[String]| -> Vec<Value> {
                opts.iter()
                    .enumerate()
                    .map(|(i, o)| {
                        json!({"value": o.value, "label": o.label, "id": format!("{id}-{i}"),
                               "selected": chosen.iter().any(|c| c == &o.value)})
                    })
                    .collect()
            };
            let chosen: Vec<String> = values.all(&f.name).to_vec();
            let (kind, opts) = match &f.kind {
                Kind::Text => ("text", None),
                Kind::Area => ("area", None),
                Kind::Whole | Kind::Decimal => ("number", None),
                Kind::Money => ("money", None),
                Kind::Date => ("date", None),
                Kind::Select(o) => ("select", Some(options(o, &chosen))),
                Kind::Radios(o) => ("radios", Some(options(o, &chosen))),
                Kind::Checks(o) => ("checks", Some(options(o, &chosen))),
            };
            json!({
                "id": id, "name": f.name, "label": f.label, "hint": f.hint, "optional": !f.required,
                "kind": kind, "is_text": kind == "text", "is_area": kind == "area", "is_number": kind == "number",
                "is_money": kind == "money", "is_date": kind == "date", "is_select": kind == "select",
                "is_radios": kind == "radios", "is_checks": kind == "checks",
                "value": values.get(&f.name), "options": opts,
                "day": values.get(&format!("{id}-day")), "month": values.get(&format!("{id}-month")),
                "year": values.get(&format!("{id}-year")),
                "error": p.by_field.get(&f.name),
            })
        })
        .collect();
    let summary = json!({"items": p.items, "warnings": p.warnings, "any": !p.items.is_empty()});
    (Value::Array(rows), summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework_calls::FindingView;

    fn values(pairs: &[(&str, &str)]) -> Values {
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        Values::parse(body.as_bytes())
    }

    #[test]
    fn a_form_becomes_the_api_body_with_dates_money_and_framework_fields() {
        let fields = vec![
            Field::text("title", "Title"),
            Field::date("start_date", "Start date"),
            Field::money("value_pence", "Value"),
            Field::whole("rank", "Rank"),
            Field::checks("outcomes", "Outcomes", vec![Opt::new("a", "A"), Opt::new("b", "B")]),
            Field { as_text: true, ..Field::text("attributes.must_do", "Must do").optional() },
            Field::text("group", "Group").optional(),
        ];
        let v = values(&[
            ("title", " Early help "),
            ("start_date-day", "1"),
            ("start_date-month", "4"),
            ("start_date-year", "2026"),
            ("value_pence", "£1,250.50"),
            ("rank", "2"),
            ("outcomes", "a"),
            ("outcomes", "b"),
            ("attributes.must_do", "must-do"),
            ("group", "  "),
        ]);
        assert_eq!(
            body_of(&fields, &v).unwrap(),
            json!({"title": "Early help", "start_date": "2026-04-01", "value_pence": 125050, "rank": 2,
                   "outcomes": ["a", "b"], "attributes": {"must_do": "must-do"}})
        );
    }

    #[test]
    fn each_bad_entry_is_named_as_the_summary_links_it() {
        let fields = vec![Field::date("start_date", "Start date"), Field::money("value_pence", "Value")];
        let e = body_of(&fields, &values(&[("start_date-day", "31"), ("start_date-month", "2")])).unwrap_err();
        assert_eq!(e.field(), Some("start_date"));
        assert_eq!(e.to_string(), "Start date must include a year");
        let e = body_of(
            &fields,
            &values(&[("start_date-day", "31"), ("start_date-month", "2"), ("start_date-year", "2026")]),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "Start date must be a real date");
        let ok = [("start_date-day", "28"), ("start_date-month", "2"), ("start_date-year", "2026")];
        let e = body_of(&fields, &values(&[ok[0], ok[1], ok[2], ("value_pence", "12,34")])).unwrap_err();
        assert_eq!(
            (e.field(), e.to_string().as_str()),
            (Some("value_pence"), "Value must be an amount in pounds, such as 1,250.00")
        );
        let e = body_of(&fields, &values(&ok)).unwrap_err();
        assert_eq!(e.to_string(), "Enter value");
        let (rows, summary) = view(&fields, &values(&ok), Some(&e));
        assert_eq!(summary["items"][0]["href"], "#value_pence");
        assert_eq!(rows[1]["error"], "Enter value");
        assert_eq!(rows[0]["day"], "28");
        let date_error = ApiError::bad_request(Some("start_date"), "the start must be before the end");
        let (_, summary) = view(&fields, &values(&ok), Some(&date_error));
        assert_eq!(summary["items"][0]["href"], "#start_date-day");
    }

    #[test]
    fn a_refusal_lists_every_error_finding_with_its_source_and_keeps_warnings_apart() {
        let fields = vec![Field { as_text: true, ..Field::text("attributes.must_do", "Must do") }];
        let refusal = ApiError::Refused {
            field: Some("must_do".into()),
            message: "x".into(),
            findings: vec![
                FindingView {
                    severity: "error".into(),
                    code: "c".into(),
                    message: "a must-do needs a need".into(),
                    field: Some("must_do".into()),
                    source: Some("paragraph 12".into()),
                },
                FindingView {
                    severity: "warning".into(),
                    code: "w".into(),
                    message: "check the budget".into(),
                    field: None,
                    source: None,
                },
            ],
        };
        let (rows, summary) = view(&fields, &Values::default(), Some(&refusal));
        assert_eq!(summary["items"][0]["text"], "a must-do needs a need (the trust's framework: paragraph 12)");
        assert_eq!(summary["items"][0]["href"], "#attributes-must_do");
        assert_eq!(summary["warnings"][0]["text"], "check the budget");
        assert_eq!(rows[0]["error"], "a must-do needs a need");
    }
}
