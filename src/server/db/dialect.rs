//! SQLite's dialect, as the statements are written, turned into PostgreSQL's: placeholders
//! (`?`, `?N` → `$N`), NULL-safe comparisons with a parameter (`IS ?`, `IS NOT ?`), and the
//! planner hints PostgreSQL does without (`INDEXED BY name`, `NOT INDEXED`). Everything else
//! the statements use is common to both; what is not (full-text search, `json_each`, pragmas)
//! is written per backend where it is used.

use std::borrow::Cow;

/// `sql` for PostgreSQL. Text inside quotes and comments is left alone.
pub fn postgres(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') && !sql.contains("INDEXED") {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 0u32;
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' => {
                let end = sql[i + 1..]
                    .find(c as char)
                    .map_or(sql.len(), |e| i + 2 + e);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = sql[i..].find('\n').map_or(sql.len(), |e| i + e);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'?' => {
                let digits = sql[i + 1..].bytes().take_while(u8::is_ascii_digit).count();
                let number = if digits > 0 {
                    sql[i + 1..i + 1 + digits].parse().unwrap_or(0)
                } else {
                    next += 1;
                    next
                };
                let matching = fts_match(&mut out);
                if !matching {
                    null_safe(&mut out);
                }
                out.push('$');
                out.push_str(&number.to_string());
                if matching {
                    out.push_str("))");
                }
                i += 1 + digits;
            }
            b'I' | b'N' if word_at(sql, i) => {
                if let Some(skip) = hint_at(&sql[i..]) {
                    // Drop the hint and the space before it.
                    if out.ends_with(' ') {
                        out.pop();
                    }
                    i += skip;
                } else {
                    out.push(c as char);
                    i += 1;
                }
            }
            _ => {
                let len = sql[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&sql[i..i + len]);
                i += len;
            }
        }
    }
    Cow::Owned(out)
}

/// Whether a word starts at byte `i` (not inside an identifier).
fn word_at(sql: &str, i: usize) -> bool {
    i == 0 || !sql.as_bytes()[i - 1].is_ascii_alphanumeric() && sql.as_bytes()[i - 1] != b'_'
}

/// The length of `INDEXED BY name` or `NOT INDEXED` at the start of `rest`, if there is one.
fn hint_at(rest: &str) -> Option<usize> {
    if let Some(after) = rest.strip_prefix("INDEXED BY ") {
        let name = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        return (name > 0).then_some("INDEXED BY ".len() + name);
    }
    let after = rest.strip_prefix("NOT INDEXED")?;
    let ends = after
        .bytes()
        .next()
        .is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'_');
    ends.then_some("NOT INDEXED".len())
}

/// Before a parameter: FTS5's `index MATCH ?` is a match of the index table's `tsvector`
/// (`doc`) with the query (accents folded like the document's); true if `out` ended so.
fn fts_match(out: &mut String) -> bool {
    let trimmed = out.trim_end();
    let Some(before) = trimmed.strip_suffix(" MATCH") else {
        return false;
    };
    let table_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let table = before[table_start..].to_owned();
    out.truncate(table_start);
    out.push_str(&table);
    out.push_str(".doc @@ to_tsquery('simple', unaccent(");
    true
}

/// Before a parameter: SQLite's `IS` / `IS NOT` (NULL-safe) are PostgreSQL's
/// `IS NOT DISTINCT FROM` / `IS DISTINCT FROM`.
fn null_safe(out: &mut String) {
    let trimmed = out.trim_end();
    let upper = trimmed.to_ascii_uppercase();
    for (sqlite, postgres) in [
        (" IS NOT", " IS DISTINCT FROM"),
        (" IS", " IS NOT DISTINCT FROM"),
    ] {
        if upper.ends_with(sqlite) {
            let keep = trimmed.len() - sqlite.len();
            out.truncate(keep);
            out.push_str(postgres);
            out.push(' ');
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::postgres;

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(
            postgres("SELECT a FROM t WHERE b = ? AND c = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2"
        );
        assert_eq!(
            postgres("UPDATE t SET a = ?1 WHERE id = ?3 AND (?1 OR x)"),
            "UPDATE t SET a = $1 WHERE id = $3 AND ($1 OR x)"
        );
    }

    #[test]
    fn quoted_text_and_comments_are_left_alone() {
        assert_eq!(
            postgres("SELECT '?', \"a?\" -- why?\nFROM t WHERE x = ?"),
            "SELECT '?', \"a?\" -- why?\nFROM t WHERE x = $1"
        );
    }

    #[test]
    fn null_safe_comparisons_and_hints() {
        assert_eq!(
            postgres("DELETE FROM s WHERE user_id = ? AND id IS NOT ?"),
            "DELETE FROM s WHERE user_id = $1 AND id IS DISTINCT FROM $2"
        );
        assert_eq!(
            postgres("SELECT 1 WHERE a IS ?"),
            "SELECT 1 WHERE a IS NOT DISTINCT FROM $1"
        );
        assert_eq!(
            postgres("SELECT 1 FROM contacts INDEXED BY contacts_live_by_name WHERE x"),
            "SELECT 1 FROM contacts WHERE x"
        );
        assert_eq!(
            postgres("SELECT 1 FROM contacts c NOT INDEXED WHERE NOT INDEXEDX"),
            "SELECT 1 FROM contacts c WHERE NOT INDEXEDX"
        );
        assert_eq!(postgres("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn full_text_matches() {
        assert_eq!(
            postgres("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? AND rowid < ?"),
            "SELECT rowid FROM contacts_fts WHERE contacts_fts.doc @@ \
             to_tsquery('simple', unaccent($1)) AND rowid < $2"
        );
    }
}
