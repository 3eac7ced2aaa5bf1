//! The state of a list page — search, filters, sort, page size and position — which is all in its
//! URL, so every view of a list is a link that can be shared, bookmarked and opened without
//! JavaScript.

use serde::{Deserialize, Serialize};

/// Page sizes offered; anything else falls back to the first.
pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];

/// The query string of `/contacts` or `/companies`, as text (unknown values are ignored when the
/// list is loaded, never an error: a hand-edited link still shows a list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub status: String,
    pub tag: String,
    pub owner: String,
    pub company: String,
    pub industry: String,
    pub sort: String,
    pub dir: String,
    pub per: String,
    pub after: String,
    pub before: String,
}

/// Longest value of a parameter that is read, in characters (a search is cut shorter still when
/// it is run); the rest of a longer value is ignored, so a hand-made link cannot make every link
/// of the page it opens huge.
pub const PARAM_MAX_CHARS: usize = 512;

fn bounded(value: &str) -> &str {
    first_chars(value, PARAM_MAX_CHARS)
}

/// A parameter's value as it is read: cut to [`PARAM_MAX_CHARS`], control characters dropped
/// (no text a list filters on holds one, and PostgreSQL refuses NUL in text).
fn cleaned(value: &str) -> String {
    bounded(value).chars().filter(|c| !c.is_control()).collect()
}

/// The first `n` characters of `text` (all of it when shorter).
pub fn first_chars(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// The parameters, in the order they appear in links.
const KEYS: [&str; 11] = [
    "q", "status", "tag", "owner", "company", "industry", "sort", "dir", "per", "after", "before",
];

impl ListQuery {
    /// From `(name, value)` pairs, such as a parsed query string.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut query = Self::default();
        for (key, value) in pairs {
            if let Some(slot) = query.slot(key) {
                *slot = cleaned(value);
            }
        }
        query
    }

    /// From a lookup of each parameter by name (such as the router's query map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut query = Self::default();
        for key in KEYS {
            if let (Some(value), Some(slot)) = (lookup(key), query.slot(key)) {
                *slot = cleaned(&value);
            }
        }
        query
    }

    fn slot(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "q" => &mut self.q,
            "status" => &mut self.status,
            "tag" => &mut self.tag,
            "owner" => &mut self.owner,
            "company" => &mut self.company,
            "industry" => &mut self.industry,
            "sort" => &mut self.sort,
            "dir" => &mut self.dir,
            "per" => &mut self.per,
            "after" => &mut self.after,
            "before" => &mut self.before,
            _ => return None,
        })
    }

    fn get(&self, key: &str) -> &str {
        match key {
            "q" => &self.q,
            "status" => &self.status,
            "tag" => &self.tag,
            "owner" => &self.owner,
            "company" => &self.company,
            "industry" => &self.industry,
            "sort" => &self.sort,
            "dir" => &self.dir,
            "per" => &self.per,
            "after" => &self.after,
            "before" => &self.before,
            _ => "",
        }
    }

    /// The page size asked for, or the default.
    pub fn per_page(&self) -> u32 {
        self.per
            .parse()
            .ok()
            .filter(|n| PAGE_SIZES.contains(n))
            .unwrap_or(PAGE_SIZES[0])
    }

    /// The sort when none is asked for: by name; newest first while searching (the order the
    /// search index returns matches in, so the first page comes at once).
    pub fn default_sort(&self) -> &'static str {
        if self.q.chars().any(char::is_alphanumeric) {
            "newest"
        } else {
            "name"
        }
    }

    /// The sort in effect.
    pub fn sort_column(&self) -> &str {
        if self.sort.is_empty() {
            self.default_sort()
        } else {
            &self.sort
        }
    }

    pub fn descending(&self) -> bool {
        self.dir == "desc"
    }

    /// Whether any search or filter narrows the list.
    pub fn is_filtered(&self) -> bool {
        [
            &self.q,
            &self.status,
            &self.tag,
            &self.owner,
            &self.company,
            &self.industry,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }

    /// The parameters of this query that are set, in the order of a link.
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        KEYS.into_iter()
            .map(|key| (key, self.get(key)))
            .filter(|(_, value)| !value.is_empty())
    }

    /// `path` with this query (empty parameters left out).
    pub fn href(&self, path: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.pairs() {
            query.append_pair(key, value);
        }
        Self::link(path, query.finish())
    }

    /// `path` with an encoded query string (none when it is empty).
    pub fn link(path: &str, query: String) -> String {
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    /// The same list from its first page: what a changed search, filter or sort starts from.
    pub fn first_page(&self) -> Self {
        Self {
            after: String::new(),
            before: String::new(),
            ..self.clone()
        }
    }

    /// The link of a column heading: sorts by `column`, ascending first, then toggling.
    pub fn sorted_by(&self, column: &str, default_column: &str) -> Self {
        let current = if self.sort.is_empty() {
            default_column
        } else {
            self.sort.as_str()
        };
        let dir = if current == column && !self.descending() {
            "desc"
        } else {
            ""
        };
        Self {
            sort: if column == default_column && dir.is_empty() {
                String::new()
            } else {
                column.to_owned()
            },
            dir: dir.to_owned(),
            ..self.first_page()
        }
    }

    pub fn with_after(&self, cursor: &str) -> Self {
        Self {
            after: cursor.to_owned(),
            before: String::new(),
            ..self.clone()
        }
    }

    pub fn with_before(&self, cursor: &str) -> Self {
        Self {
            before: cursor.to_owned(),
            after: String::new(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_only_what_is_set_and_round_trip() {
        let query = ListQuery::from_pairs([("q", "ann lee"), ("status", "lead"), ("x", "y")]);
        let href = query.href("/contacts");
        assert_eq!(href, "/contacts?q=ann+lee&status=lead");
        let back: Vec<(String, String)> =
            form_urlencoded::parse(href.split_once('?').unwrap().1.as_bytes())
                .into_owned()
                .collect();
        let back = ListQuery::from_pairs(back.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back, query);
        assert_eq!(ListQuery::default().href("/contacts"), "/contacts");
    }

    #[test]
    fn parameters_are_read_up_to_a_bound() {
        let long = "ü".repeat(PARAM_MAX_CHARS * 20);
        let query = ListQuery::from_pairs([("q", long.as_str())]);
        assert_eq!(query.q.chars().count(), PARAM_MAX_CHARS);
        let query = ListQuery::from_lookup(|k| (k == "tag").then(|| long.clone()));
        assert_eq!(query.tag.chars().count(), PARAM_MAX_CHARS);
    }

    #[test]
    fn sorting_toggles_and_starts_from_the_first_page() {
        let query = ListQuery::from_pairs([("after", "abc")]);
        let by_city = query.sorted_by("city", "name");
        assert_eq!(by_city.href("/c"), "/c?sort=city");
        assert_eq!(
            by_city.sorted_by("city", "name").href("/c"),
            "/c?sort=city&dir=desc"
        );
        assert_eq!(
            query.sorted_by("name", "name").href("/c"),
            "/c?sort=name&dir=desc"
        );
        assert_eq!(
            query
                .sorted_by("name", "name")
                .sorted_by("name", "name")
                .href("/c"),
            "/c"
        );
    }

    #[test]
    fn page_sizes_are_limited() {
        assert_eq!(ListQuery::from_pairs([("per", "50")]).per_page(), 50);
        assert_eq!(ListQuery::from_pairs([("per", "100000")]).per_page(), 25);
        assert_eq!(ListQuery::default().per_page(), 25);
    }
}
