//! [`Rows`]: the rows of a big record table (or the items of a long list), written as HTML in one
//! pass with maud; [`when`], a moment for them.
//!
//! A list page repeats one row up to a hundred times, and a row is where a list page's server
//! time goes. Written with `view!`, each row is a dozen boxed child views and twenty boxed
//! attributes (views are type-erased in this app, `erase_components`), each written out through
//! erased dispatch: about 35,000 instructions to render a contact row. maud's `html!` compiles
//! the same row to string appends with escaping: about 7,000 (bench/README.md, section 8). The
//! rows are server-rendered HTML like every page outside the islands, so nothing is lost: the
//! search box replaces them as a whole, and no island lives inside a row.
//!
//! Only rows go here: the page around them stays `view!`. A new list writes its row as a
//! function returning [`Markup`] and passes [`Rows::new`] to
//! [`ListResults`](crate::components::record::ListResults) (or puts [`Rows::into_html`] in its
//! `<ol>` with `inner_html`, as the activity timelines do).

use maud::{html, Markup};

use crate::domain::{ago, full_time, iso_time};

/// The rows of a table or the items of a list, already HTML (maud escaped every value): the body
/// of its `<tbody>` or `<ol>`.
#[derive(Debug, Default)]
pub struct Rows {
    count: usize,
    html: String,
}

impl Rows {
    /// Each item's row, `row(item)` (one `<tr>`, or one `<li>`), one after the other.
    pub fn new<T>(items: impl IntoIterator<Item = T>, row: impl Fn(T) -> Markup) -> Self {
        let mut rows = Rows::default();
        for item in items {
            rows.html.push_str(&row(item).into_string());
            rows.count += 1;
        }
        rows
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The HTML, for a `<tbody inner_html=…>` (or `<ol inner_html=…>`).
    pub fn into_html(self) -> String {
        self.html
    }
}

/// A moment in the viewer's words ("3 hours ago"), in full on hover and for machines: the
/// markup of [`When`](crate::components::record::When), for rows.
pub fn when(at: i64, now: i64) -> Markup {
    html! { time datetime=(iso_time(at)) title=(full_time(at)) { (ago(now - at)) } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::prelude::*;

    #[test]
    fn when_is_the_markup_of_the_when_component() {
        use crate::components::record::When;
        let (at, now) = (1_764_000_000, 1_764_010_800);
        // tachys marks where a dynamic text ends with an empty comment; the DOM is the same.
        let component = view! { <When at now /> }.to_html().replace("<!>", "");
        assert_eq!(when(at, now).into_string(), component);
        assert!(component.contains(">3 hours ago</time>"), "{component}");
    }

    #[test]
    fn rows_are_written_in_order_and_their_values_escaped() {
        let rows = Rows::new(["Ann & <Bo>", "\"Cy\""], |name| {
            html! { tr role="row" { td role="cell" data-label="Name" { (name) } } }
        });
        assert!(!rows.is_empty());
        assert_eq!(
            rows.into_html(),
            "<tr role=\"row\"><td role=\"cell\" data-label=\"Name\">Ann &amp; &lt;Bo&gt;</td></tr>\
             <tr role=\"row\"><td role=\"cell\" data-label=\"Name\">&quot;Cy&quot;</td></tr>"
        );
        assert!(Rows::new(Vec::<&str>::new(), |name| html! { (name) }).is_empty());
    }
}
