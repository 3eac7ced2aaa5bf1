//! Keyset pagination: a page starts after (or ends before) the sort key and id of a row, so every
//! page costs the same however deep it is, and totals are counted only up to a cap.

use super::sql::{Builder, Row};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use super::Db;
use crate::domain::{ListQuery, Page, Total, COUNT_LIMIT};

/// A position in a sorted list: the sort key and id of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    key: Value,
    id: i64,
}

impl Cursor {
    /// Reads a cursor from a link; `None` for anything malformed (the list starts over).
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        let (key, id): (Value, i64) = serde_json::from_slice(&bytes).ok()?;
        matches!(key, Value::String(_) | Value::Number(_)).then_some(Self { key, id })
    }

    /// The id of the row the cursor is at.
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&(&self.key, self.id)).unwrap_or_default())
    }
}

/// One way a list can be sorted: its name in the URL (`sort=`), the SQL expression of its key
/// (indexed together with the id), whether that key is text, and the index that walks it.
pub struct SortKey {
    pub name: &'static str,
    pub key: &'static str,
    pub text_key: bool,
    pub index: Option<&'static str>,
}

/// A list kind's sort orders: `id` is the row id's SQL expression; sorting by it is "newest".
/// An unknown sort name gets the first order of `keys`.
pub struct Sorts {
    pub id: &'static str,
    pub keys: &'static [SortKey],
}

impl Sorts {
    /// The paging a list's URL state asks for.
    pub fn paging(&self, query: &ListQuery) -> Paging {
        let key = self
            .keys
            .iter()
            .find(|k| k.name == query.sort_column())
            .unwrap_or(&self.keys[0]);
        let newest = key.key == self.id;
        Paging {
            key: key.key,
            text_key: key.text_key,
            id: self.id,
            index: key.index,
            // Newest first unless asked otherwise.
            descending: if newest {
                query.dir != "asc"
            } else {
                query.descending()
            },
            per_page: query.per_page(),
            // A cursor whose key is not of this order's type (edited, or from another order)
            // starts the list over: PostgreSQL would refuse to compare them.
            after: Cursor::decode(&query.after).filter(|c| c.key.is_string() == key.text_key),
            before: Cursor::decode(&query.before).filter(|c| c.key.is_string() == key.text_key),
        }
    }
}

/// How a list is sorted and which page of it is wanted.
#[derive(Debug, Clone)]
pub struct Paging {
    /// SQL expression of the sort key (indexed together with the id).
    pub key: &'static str,
    /// The key is text (else an integer).
    pub text_key: bool,
    /// SQL expression of the row id.
    pub id: &'static str,
    /// The index ordered by (key, id), for lists whose filters it also holds.
    pub index: Option<&'static str>,
    pub descending: bool,
    pub per_page: u32,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
}

/// A page read newest first (by id), forwards: only the rows it shows are needed.
pub struct NewestPage {
    pub rows: u32,
    /// The id of the last row of the previous page.
    pub below: Option<i64>,
}

impl Paging {
    /// Whether this reads the first page, or the one after a cursor, newest first (by id).
    pub fn newest_forward(&self) -> bool {
        self.key == self.id && self.descending && self.before.is_none()
    }

    /// The same order read forwards from the top, or from after `after` (a cursor from a
    /// batch's `next`), `rows` at a time.
    pub fn batch(self, rows: u32, after: Option<&str>) -> Self {
        Self {
            per_page: rows,
            after: after.and_then(Cursor::decode),
            before: None,
            ..self
        }
    }

    /// This page, if it is read newest first and forwards.
    pub fn newest_page(&self) -> Option<NewestPage> {
        self.newest_forward().then(|| NewestPage {
            rows: self.per_page + 1,
            below: self.after.as_ref().map(Cursor::id),
        })
    }

    fn cursor_of(&self, row: &Row) -> Result<Cursor, sqlx::Error> {
        let key = if self.text_key {
            Value::from(row.try_get::<String, _>("sort_key")?)
        } else {
            Value::from(row.try_get::<i64, _>("sort_key")?)
        };
        Ok(Cursor {
            key,
            id: row.try_get("sort_id")?,
        })
    }
}

fn bind_key(query: &mut Builder<'_>, key: &Value) {
    match key {
        Value::Number(n) => query.push_bind(n.as_i64().unwrap_or_default()),
        Value::String(s) => query.push_bind(s.clone()),
        _ => query.push_bind(String::new()),
    };
}

/// Pushes a whole counting query.
pub type CountQuery<'a> = Box<dyn Fn(&mut Builder<'_>) + Send + Sync + 'a>;

/// How many rows match, up to [`COUNT_LIMIT`] + 1.
pub enum Count<'a> {
    /// Count the rows `from` selects.
    Rows,
    /// A cheaper query that counts the same rows (it must push its own `SELECT count(*) …`).
    Query(CountQuery<'a>),
    /// All live rows of this table: counted, then reused for a few seconds.
    Unfiltered(&'static str),
    /// Like `Query`, and reused for a few seconds under this key among the table's totals.
    Cached(&'static str, String, CountQuery<'a>),
    /// Not counted (the total is 0): for reading a whole list in batches.
    Skip,
}

/// Loads one page: `select` is the column list, `from` pushes the `FROM … WHERE …` part (with any
/// filters; its flag says whether it is for counting, where a different plan may be cheaper).
pub async fn page<T>(
    db: &Db,
    select: &str,
    from: impl Fn(&mut Builder<'_>, bool),
    count: Count<'_>,
    paging: &Paging,
    map: impl Fn(&Row) -> Result<T, sqlx::Error>,
) -> Result<Page<T>, sqlx::Error> {
    let cache = match &count {
        Count::Unfiltered(table) => Some((*table, String::new())),
        Count::Cached(table, key, _) => Some((*table, key.clone())),
        _ => None,
    };
    let cached = cache
        .as_ref()
        .and_then(|(table, key)| db.cached_total(table, key));
    let skip = matches!(count, Count::Skip);
    let mut counting = Builder::new("");
    match count {
        Count::Rows | Count::Unfiltered(_) => {
            // Ordered like the page, so that an unfiltered count walks the (small, covering)
            // index of the sort key rather than the table.
            counting.push("SELECT count(*) FROM (SELECT 1");
            from(&mut counting, true);
            counting.push(format_args!(
                " ORDER BY {}, {} LIMIT {}) AS n",
                paging.key,
                paging.id,
                COUNT_LIMIT + 1
            ));
        }
        Count::Query(push) | Count::Cached(_, _, push) => push(&mut counting),
        Count::Skip => {}
    }
    let total: i64 = match cached {
        Some(total) => total,
        None if skip => 0,
        None => {
            let total = counting
                .build_query_scalar()
                .fetch_one(&mut db.conn().await?)
                .await?;
            if let Some((table, key)) = cache {
                db.store_total(table, key, total);
            }
            total
        }
    };

    // Going back, the rows before the cursor are read in reverse order, then turned around.
    let backwards = paging.before.is_some() && paging.after.is_none();
    let reverse = paging.descending != backwards;
    let (cmp, order) = if reverse { ("<", "DESC") } else { (">", "ASC") };
    let mut query = Builder::new("SELECT ");
    query.push(select);
    query.push(format_args!(
        ", {} AS sort_key, {} AS sort_id",
        paging.key, paging.id
    ));
    from(&mut query, false);
    if let Some(cursor) = paging.after.as_ref().or(paging.before.as_ref()) {
        query.push(format_args!(" AND ({}, {}) {cmp} (", paging.key, paging.id));
        bind_key(&mut query, &cursor.key);
        query.push(", ");
        query.push_bind(cursor.id);
        query.push(")");
    }
    query.push(format_args!(
        " ORDER BY {} {order}, {} {order} LIMIT {}",
        paging.key,
        paging.id,
        paging.per_page + 1
    ));
    let mut rows = query.build().fetch_all(&mut db.conn().await?).await?;
    let more = rows.len() > paging.per_page as usize;
    rows.truncate(paging.per_page as usize);
    if backwards {
        rows.reverse();
    }
    let first = rows.first().map(|r| paging.cursor_of(r)).transpose()?;
    let last = rows.last().map(|r| paging.cursor_of(r)).transpose()?;
    let (has_prev, has_next) = if backwards {
        (more, true)
    } else {
        (paging.after.is_some(), more)
    };
    Ok(Page {
        rows: rows.iter().map(map).collect::<Result<_, _>>()?,
        total: Total::from_capped(u64::try_from(total).unwrap_or_default()),
        next: last.filter(|_| has_next).map(|c| c.encode()),
        prev: first.filter(|_| has_prev).map(|c| c.encode()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            key: Value::from("lee ann"),
            id: 42,
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        let number = Cursor {
            key: Value::from(1_700_000_000),
            id: 7,
        };
        assert_eq!(Cursor::decode(&number.encode()), Some(number));
        for bad in [
            "",
            "%%%",
            "bm90IGpzb24",
            &URL_SAFE_NO_PAD.encode("[null, 1]"),
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
