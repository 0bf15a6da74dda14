//! What can stop a script before or while it runs, as its callers see it.

use rhai::{ParseError, Position};

/// Why a script did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("{file}: cannot read the script: {source}")]
    Unreadable {
        file: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// A script that failed while it ran: the innermost place (inside an
/// imported module or a function), what went wrong, and the calls and
/// imports that led there. Shown as `file:line:column: message`, then one
/// line per call, innermost first.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}{}", position_suffix(*line, *column), chain_lines(chain))]
pub struct RuntimeError {
    /// The script or module the error happened in.
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// `in `f`, called at file:line:column` or `in module `m`, imported
    /// at ...`, outermost first.
    pub chain: Vec<String>,
}

fn chain_lines(chain: &[String]) -> String {
    chain.iter().rev().map(|c| format!("\n  {c}")).collect()
}

/// A script that does not compile: where, and what Rhai says.
/// Shown as `file:line:column: syntax error: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: syntax error: {message}", position_suffix(*line, *column))]
pub struct SyntaxError {
    /// The script's name as shown to the user.
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl SyntaxError {
    pub(crate) fn new(file: &str, e: &ParseError) -> Self {
        let pos = e.position();
        SyntaxError {
            file: file.to_string(),
            line: pos.line(),
            column: pos.position(),
            message: e.err_type().to_string(),
        }
    }
}

/// Why a script on a live profile must end before it is done.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Cancelled {
    #[error("the live profile was deleted")]
    Deleted,
    #[error("the live profile was stopped")]
    Stopped,
    #[error("the live profile is degraded: {reason}")]
    Degraded { reason: String },
}

/// `:line:column`, `:line` or nothing.
pub(crate) fn position_suffix(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// [`position_suffix`] of a Rhai position.
pub(crate) fn suffix_of(pos: Position) -> String {
    position_suffix(pos.line(), pos.position())
}
