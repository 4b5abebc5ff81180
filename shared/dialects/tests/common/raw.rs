//! A request as plain bytes, the way the fuzz targets pass one around: the request line
//! `METHOD URI`, one `name: value` line per header, an empty line, then the body, byte for byte.
//! A reproducer the proptest targets write is in this form, and so is every input of the
//! libFuzzer targets in `fuzz/`, which include this file: one form serves both, so a case found
//! by either engine replays in the other.
//!
//! Self-contained, like `exercise.rs`. Also here: how deep a request goes, which the figures of
//! both engines report.

use bytes::Bytes;

/// The request in the text form above. Header values cannot hold a line feed (`http` refuses
/// control bytes), so the form loses nothing a request can carry.
pub fn to_raw(req: &http::Request<Bytes>) -> Vec<u8> {
    let mut out = format!("{} {}\n", req.method(), req.uri()).into_bytes();
    for (name, value) in req.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(req.body());
    out
}

/// Read bytes in that form. Whatever a fuzzer makes of them still reads as far as it can: a
/// missing blank line means no body, a header `http` will not carry is left out; only a request
/// line that names no valid method and URI gives `None`.
pub fn from_raw(data: &[u8]) -> Option<http::Request<Bytes>> {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &b""[..]),
    };
    let mut lines = head.split(|b| *b == b'\n');
    let request_line = lines.next()?;
    let space = request_line.iter().position(|b| *b == b' ')?;
    let method = http::Method::from_bytes(&request_line[..space]).ok()?;
    let uri = http::Uri::try_from(&request_line[space + 1..]).ok()?;
    let mut builder = http::Request::builder().method(method).uri(uri);
    let headers = builder.headers_mut()?;
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else { continue };
        let value = &line[colon + 1..];
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(name), Ok(value)) =
            (http::HeaderName::from_bytes(&line[..colon]), http::HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    builder.body(Bytes::copy_from_slice(body)).ok()
}

/// The most dot-separated segments of one parameter name in `raw` (`a=1&b.c=2`), counting a
/// dot sent as `%2E` as the dot it decodes to.
pub fn deepest_name(raw: &[u8]) -> usize {
    raw.split(|b| *b == b'&')
        .map(|pair| {
            let name = pair.split(|b| *b == b'=').next().unwrap_or(&[]);
            let encoded = name.windows(3).filter(|w| w[0] == b'%' && w[1] == b'2' && w[2] | 0x20 == b'e');
            1 + name.iter().filter(|b| **b == b'.').count() + encoded.count()
        })
        .max()
        .unwrap_or(0)
}

/// The deepest nesting of brackets in a JSON text, outside its strings.
fn json_depth(raw: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in raw {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// How deep a request goes: the most segments of one parameter name in its query or body, or
/// the deepest nesting of its JSON body, whichever is greater (both engines report it).
pub fn depth(req: &http::Request<Bytes>) -> usize {
    let query = deepest_name(req.uri().query().unwrap_or("").as_bytes());
    let body = req.body();
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let in_body = if matches!(first, Some(b'{' | b'[')) { json_depth(body) } else { deepest_name(body) };
    query.max(in_body)
}
