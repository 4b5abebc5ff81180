//! Small text checks shared by the dialects' parameter rules.

/// Length in characters (the providers count characters, not bytes).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// True when `s` starts with `http://` or `https://` (any case).
pub fn is_url_like(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// True when `s` contains `http://` or `https://` (any case).
pub fn contains_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.contains("http://") || lower.contains("https://")
}

/// A name rule as the pages state them: a length range, what the first character may be, what
/// the others may be, and prefixes that are refused.
pub struct NameRule {
    pub min: usize,
    pub max: usize,
    pub first: fn(char) -> bool,
    pub rest: fn(char) -> bool,
    pub refused_prefixes: &'static [&'static str],
}

impl NameRule {
    pub fn accepts(&self, name: &str) -> bool {
        let len = char_len(name);
        if len < self.min || len > self.max || is_url_like(name) {
            return false;
        }
        if self.refused_prefixes.iter().any(|p| name.starts_with(p)) {
            return false;
        }
        let mut chars = name.chars();
        match chars.next() {
            Some(c) if (self.first)(c) => chars.all(self.rest),
            Some(_) => false,
            None => self.min == 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: NameRule = NameRule {
        min: 2,
        max: 5,
        first: char::is_alphabetic,
        rest: |c| c.is_alphanumeric() || c == '-',
        refused_prefixes: &["auto"],
    };

    #[test]
    fn name_rule_checks_each_part() {
        assert!(RULE.accepts("ab-1"));
        assert!(RULE.accepts("镜像"));
        assert!(!RULE.accepts("a"));
        assert!(!RULE.accepts("abcdef"));
        assert!(!RULE.accepts("1ab"));
        assert!(!RULE.accepts("a b"));
        assert!(!RULE.accepts("autox"));
        assert!(is_url_like("HTTPS://x"));
        assert!(contains_url("a http://b"));
        assert!(!contains_url("a http:/b"));
    }
}
