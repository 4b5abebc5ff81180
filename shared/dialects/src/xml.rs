//! JSON response bodies rendered as XML the way RPC APIs do: an object's fields become
//! elements, a list repeats its field's element once per item.

use quick_xml::escape::escape;
use serde_json::Value;

pub const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// Whether XML 1.0 can carry `c` at all (its `Char` production): not the C0 controls but tab,
/// line feed and carriage return, nor U+FFFE and U+FFFF. No escape makes the others well-formed.
pub fn carries(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` with what XML cannot carry replaced by U+FFFD, so that every stored value renders (a
/// request cannot store U+FFFE or U+FFFF: the Alibaba dialect refuses them; a C0 control where
/// no rule of the field refuses it, or a world file's value, is shown so).
fn carried(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(carries) {
        text.into()
    } else {
        text.chars().map(|c| if carries(c) { c } else { '\u{FFFD}' }).collect::<String>().into()
    }
}

/// `<root>…</root>` for a JSON object, preceded by the XML declaration.
pub fn document(root: &str, body: &Value) -> String {
    let mut out = String::from(DECLARATION);
    element(&mut out, root, body);
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| element(out, name, item)),
        Value::Null => {}
        _ => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            match value {
                Value::Object(fields) => fields.iter().for_each(|(k, v)| element(out, k, v)),
                Value::String(s) => out.push_str(&escape(carried(s).as_ref())),
                other => out.push_str(&other.to_string()),
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_xml_cannot_carry_is_replaced() {
        let body = json!({"Description": "a\u{FFFE}b\u{FFFF}c\u{1}\td\u{10FFFF}"});
        assert_eq!(
            document("X", &body),
            format!(
                "{DECLARATION}<X><Description>a\u{FFFD}b\u{FFFD}c\u{FFFD}\td\u{10FFFF}</Description></X>"
            )
        );
        assert!(carries('\n') && carries('\u{FFFD}') && !carries('\u{FFFE}') && !carries('\u{0}'));
    }

    #[test]
    fn lists_repeat_their_element() {
        let body =
            json!({"RequestId": "r<1>", "Total": 2, "Snapshots": {"Snapshot": [{"Id": "a"}, {"Id": "b"}]}});
        assert_eq!(
            document("X", &body),
            format!("{DECLARATION}<X><RequestId>r&lt;1&gt;</RequestId><Total>2</Total><Snapshots><Snapshot><Id>a</Id></Snapshot><Snapshot><Id>b</Id></Snapshot></Snapshots></X>")
        );
    }
}
