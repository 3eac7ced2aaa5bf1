//! [`SyncHtml`]: render a view that has nothing left to wait for straight into the page's buffer.

use leptos::tachys::{
    html::attribute::{any_attribute::AnyAttribute, Attribute},
    hydration::Cursor,
    ssr::StreamBuilder,
    view::{add_attr::AddAnyAttr, Position, PositionState, Render, RenderHtml},
};

/// A view whose data are already loaded (built inside a `Suspend` after its `.await`s), rendered
/// on the server with tachys' synchronous HTML path instead of its streaming one.
///
/// Inside a `Suspend`, tachys renders everything with `to_html_async_with_buf`, and each element
/// there builds its opening and closing tags in two fresh `String`s before copying them into the
/// stream; the synchronous path writes them straight into the buffer. Same HTML, same escaping,
/// fewer allocations: worth it around a list's rows. Anything asynchronous inside would be
/// rendered only if already resolved, so wrap only views built after the data are in.
/// In the browser it is the wrapped view, unchanged.
pub struct SyncHtml<V>(pub V);

impl<V: Render> Render for SyncHtml<V> {
    type State = V::State;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state)
    }
}

impl<V: AddAnyAttr> AddAnyAttr for SyncHtml<V> {
    type Output<SomeNewAttr: Attribute> = SyncHtml<V::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        SyncHtml(self.0.add_any_attr(attr))
    }
}

impl<V: RenderHtml> RenderHtml for SyncHtml<V> {
    type AsyncOutput = SyncHtml<V::AsyncOutput>;
    type Owned = SyncHtml<V::Owned>;

    const MIN_LENGTH: usize = V::MIN_LENGTH;
    const EXISTS: bool = V::EXISTS;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve()
    }

    async fn resolve(self) -> Self::AsyncOutput {
        SyncHtml(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        buf.with_buf(|buf| {
            self.0
                .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
        });
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        self.0.hydrate::<FROM_SERVER>(cursor, position)
    }

    async fn hydrate_async(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        self.0.hydrate_async(cursor, position).await
    }

    fn into_owned(self) -> Self::Owned {
        SyncHtml(self.0.into_owned())
    }
}
