//! JSON response bodies rendered as XML the way RPC APIs do: an object's fields become
//! elements, a list repeats its field's element once per item.

use quick_xml::escape::escape;
use serde_json::Value;

pub const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

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
                Value::String(s) => out.push_str(&escape(s.as_str())),
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
    fn lists_repeat_their_element() {
        let body =
            json!({"RequestId": "r<1>", "Total": 2, "Snapshots": {"Snapshot": [{"Id": "a"}, {"Id": "b"}]}});
        assert_eq!(
            document("X", &body),
            format!("{DECLARATION}<X><RequestId>r&lt;1&gt;</RequestId><Total>2</Total><Snapshots><Snapshot><Id>a</Id></Snapshot><Snapshot><Id>b</Id></Snapshot></Snapshots></X>")
        );
    }
}
