//! Turning what a user typed in a "Search" box into an SQLite FTS5 query.
//!
//! The index uses the `unicode61` tokenizer, which splits text at anything that is not a letter or
//! a digit. A typed word is split the same way and its parts become one phrase whose last part may
//! be a prefix, so "ann.lee@exa" finds `ann.lee@example.com` (the e-mail's parts are adjacent in
//! the index) and "acme lee" finds Ann Lee of Acme. Every word must match, in any column.
//!
//! Input that is a phone number (digits with spaces, dashes, dots, brackets, a leading `+`) is
//! matched against the phone tokens the index holds for each contact (see
//! [`crate::domain::phone_search_tokens`]): its digits as a prefix, or its significant digits
//! reversed as a prefix of the stored reversed digits — so a number typed with or without its
//! country code or trunk `0` finds the contact stored in another of those forms.

use crate::domain::first_chars;

/// Longest search text read, in characters (the rest is ignored).
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words of a query taken into account.
const MAX_WORDS: usize = 8;
/// Most parts of one word (`ann.lee@example.com` has four): FTS5 walks every part's doclist for
/// every candidate row, so a phrase's cost grows with rows × parts.
const MAX_PARTS_PER_WORD: usize = 6;
/// Most parts of all words together.
const MAX_TERMS: usize = 12;
/// Fewest digits for the end of a number to be matched on its own.
const MIN_SUFFIX_DIGITS: usize = 6;

/// The FTS5 query for `input`, or `None` when it holds nothing to search for.
pub fn fts_query(input: &str) -> Option<String> {
    let input = first_chars(input, MAX_QUERY_CHARS);
    phone_query(input).or_else(|| text_query(input))
}

fn phone_query(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || " -./()".contains(c))
    {
        return None;
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let mut terms = vec![format!("\"{digits}\"*")];
    let reversed: String = digits.trim_start_matches('0').chars().rev().collect();
    // Typed with a country code the stored number lacks: also try without its first 1–3 digits.
    for drop in 0..=3 {
        if reversed.len() < drop + MIN_SUFFIX_DIGITS {
            break;
        }
        terms.push(format!("\"r{}\"*", &reversed[..reversed.len() - drop]));
    }
    Some(terms.join(" OR "))
}

fn text_query(input: &str) -> Option<String> {
    let mut terms = 0;
    let phrases: Vec<String> = input
        .split_whitespace()
        .filter_map(|word| {
            let parts: Vec<String> = word
                .split(|c: char| !c.is_alphanumeric())
                .filter(|part| !part.is_empty())
                .take(MAX_PARTS_PER_WORD.min(MAX_TERMS - terms))
                .map(str::to_lowercase)
                .collect();
            terms += parts.len();
            let last = parts.last()?;
            // A one-character prefix would merge the doclists of every token starting with it:
            // a word ending in one character matches that token exactly.
            let prefix = if last.chars().count() > 1 { "*" } else { "" };
            Some(format!("\"{}\"{prefix}", parts.join(" ")))
        })
        .take(MAX_WORDS)
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" "))
}

/// A query of [`fts_query`] as the text of a PostgreSQL `tsquery` (`to_tsquery('simple', …)`):
/// a phrase's words follow each other (`<->`), a prefix is `:*`, words are ANDed (`&`) and
/// alternatives ORed (`|`). Its words hold letters and digits only (no tsquery syntax).
pub fn tsquery(fts: &str) -> String {
    let mut out = String::with_capacity(fts.len() + 16);
    for (i, alternative) in fts.split(" OR ").enumerate() {
        if i > 0 {
            out.push_str(" | ");
        }
        let mut phrases = 0;
        let mut rest = alternative.trim();
        while let Some(start) = rest.find('"') {
            let Some(len) = rest[start + 1..].find('"') else {
                break;
            };
            let words = &rest[start + 1..start + 1 + len];
            rest = &rest[start + 2 + len..];
            let prefix = rest.starts_with('*');
            if prefix {
                rest = &rest[1..];
            }
            let words: Vec<&str> = words.split_whitespace().collect();
            if words.is_empty() {
                continue;
            }
            if phrases > 0 {
                out.push_str(" & ");
            }
            phrases += 1;
            out.push('(');
            out.push_str(&words.join(" <-> "));
            if prefix {
                out.push_str(":*");
            }
            out.push(')');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_queries_become_tsqueries() {
        let q = |input: &str| tsquery(&fts_query(input).unwrap());
        assert_eq!(q("Ann"), "(ann:*)");
        assert_eq!(q("ann.lee@exa  acme"), "(ann <-> lee <-> exa:*) & (acme:*)");
        assert_eq!(q("ann l"), "(ann:*) & (l)");
        assert_eq!(
            q("020 7946-0958"),
            "(02079460958:*) | (r8590649702:*) | (r859064970:*) | (r85906497:*) | (r8590649:*)"
        );
        assert_eq!(q("\"ann\" OR NOT (x)"), "(ann:*) & (or:*) & (not:*) & (x)");
    }

    #[test]
    fn words_become_prefix_phrases() {
        assert_eq!(fts_query("Ann").as_deref(), Some("\"ann\"*"));
        assert_eq!(
            fts_query("ann.lee@exa  acme").as_deref(),
            Some("\"ann lee exa\"* \"acme\"*")
        );
    }

    #[test]
    fn fts_syntax_in_input_is_plain_text() {
        assert_eq!(
            fts_query("\"ann\" OR NOT lee* (x)").as_deref(),
            Some("\"ann\"* \"or\"* \"not\"* \"lee\"* \"x\"")
        );
        assert_eq!(fts_query(" \"*()- "), None);
        assert_eq!(fts_query(""), None);
    }

    #[test]
    fn phone_numbers_match_forwards_and_by_their_end() {
        assert_eq!(
            fts_query("020 7946-0958").as_deref(),
            Some("\"02079460958\"* OR \"r8590649702\"* OR \"r859064970\"* OR \"r85906497\"* OR \"r8590649\"*")
        );
        // Too short to match by the end alone: only the prefix.
        assert_eq!(fts_query("5550").as_deref(), Some("\"5550\"*"));
        // Mixed with words it is text.
        assert_eq!(fts_query("ann 555").as_deref(), Some("\"ann\"* \"555\"*"));
    }

    #[test]
    fn the_number_of_words_is_bounded() {
        let query = fts_query(&"word ".repeat(100)).unwrap();
        assert_eq!(query.matches('*').count(), MAX_WORDS);
    }

    #[test]
    fn hostile_words_are_cut_to_a_few_terms() {
        // One "word" of thousands of parts was one phrase of thousands of terms.
        let query = fts_query(&["example"; 7000].join(".")).unwrap();
        assert_eq!(
            query,
            format!("\"{}\"*", ["example"; MAX_PARTS_PER_WORD].join(" "))
        );
        // Across words, the total is bounded too.
        let query = fts_query(&"a.b.c.d.e.f.g.h ".repeat(50)).unwrap();
        assert_eq!(
            query.split(['"', ' ']).filter(|t| t.len() == 1).count(),
            MAX_TERMS
        );
        assert!(query.len() < 100, "{query}");
    }

    #[test]
    fn the_search_text_is_bounded() {
        let long = "é".repeat(10 * MAX_QUERY_CHARS);
        assert_eq!(
            first_chars(&long, MAX_QUERY_CHARS).chars().count(),
            MAX_QUERY_CHARS
        );
        assert_eq!(first_chars("short", MAX_QUERY_CHARS), "short");
        assert!(fts_query(&"word ".repeat(10_000)).unwrap().len() < 200);
    }

    #[test]
    fn one_character_words_are_not_prefixes() {
        assert_eq!(fts_query("ann l").as_deref(), Some("\"ann\"* \"l\""));
        assert_eq!(fts_query("j.smith").as_deref(), Some("\"j smith\"*"));
    }
}
