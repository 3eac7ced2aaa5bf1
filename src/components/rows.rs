//! [`TableRows`]: the rows of a big record table, written as HTML in one pass with maud.
//!
//! A list page repeats one row up to a hundred times, and a row is where a list page's server
//! time goes. Written with `view!`, each row is a dozen boxed child views and twenty boxed
//! attributes (views are type-erased in this app, `erase_components`), each written out through
//! erased dispatch: about 59,000 instructions per contact row. maud's `html!` compiles the same
//! row to string appends with escaping: about 7,000 (bench/README.md, section 8). The
//! rows are server-rendered HTML like every page outside the islands, so nothing is lost: the
//! search box replaces them as a whole, and no island lives inside a row.
//!
//! Only rows go here: the page around them stays `view!`. A new list writes its row as a
//! function returning [`Markup`] and passes [`TableRows::new`] to
//! [`ListResults`](crate::components::record::ListResults).

use maud::Markup;

/// The rows of a table, already HTML (maud escaped every value): the body of its `<tbody>`.
#[derive(Debug, Default)]
pub struct TableRows {
    count: usize,
    html: String,
}

impl TableRows {
    /// Each item's row, `row(item)` (one `<tr>`), one after the other.
    pub fn new<T>(items: impl IntoIterator<Item = T>, row: impl Fn(T) -> Markup) -> Self {
        let mut rows = TableRows::default();
        for item in items {
            rows.html.push_str(&row(item).into_string());
            rows.count += 1;
        }
        rows
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The HTML, for a `<tbody inner_html=…>`.
    pub fn into_html(self) -> String {
        self.html
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maud::html;

    #[test]
    fn rows_are_written_in_order_and_their_values_escaped() {
        let rows = TableRows::new(["Ann & <Bo>", "\"Cy\""], |name| {
            html! { tr role="row" { td role="cell" data-label="Name" { (name) } } }
        });
        assert!(!rows.is_empty());
        assert_eq!(
            rows.into_html(),
            "<tr role=\"row\"><td role=\"cell\" data-label=\"Name\">Ann &amp; &lt;Bo&gt;</td></tr>\
             <tr role=\"row\"><td role=\"cell\" data-label=\"Name\">&quot;Cy&quot;</td></tr>"
        );
        assert!(TableRows::new(Vec::<&str>::new(), |name| html! { (name) }).is_empty());
    }
}
