//! A world's refusal: where it is (the JSON path of the bad field) and what is wrong.

/// A refusal: the path of the bad field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldError {
    pub path: String,
    pub problem: String,
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

impl std::error::Error for WorldError {}

pub type Res<T> = Result<T, WorldError>;

pub fn err<T>(path: impl Into<String>, problem: impl Into<String>) -> Res<T> {
    Err(WorldError { path: path.into(), problem: problem.into() })
}

/// The path of the whole document, where it has no field to name.
pub const DOCUMENT: &str = "(document)";

impl From<serde_path_to_error::Error<serde_json::Error>> for WorldError {
    /// The reader's path, and its message with the line and column it gives. A missing or
    /// repeated field is named by its own path: `accounts[0].credentials: required field is
    /// missing at line 1 column 52`.
    fn from(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = match e.path().to_string() {
            root if root == "." => String::new(),
            path => path,
        };
        let inner = e.inner();
        let message = inner.to_string();
        // serde names a missing or repeated field in the message, at its object's path.
        let field = |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.split_once('`'));
        let (path, problem) = match (field("missing field `"), field("duplicate field `")) {
            (Some((name, rest)), _) => (join(&path, name), format!("required field is missing{rest}")),
            (_, Some((name, rest))) => (join(&path, name), format!("given twice in this object{rest}")),
            _ if inner.is_syntax() || inner.is_eof() => (path, format!("not valid JSON: {message}")),
            _ => (path, message),
        };
        let path = if path.is_empty() { DOCUMENT.to_string() } else { path };
        WorldError { path, problem }
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}
