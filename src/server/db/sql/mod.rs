//! Statements that run on either backend. `query`, `query_scalar`, `query_as` and [`Builder`]
//! mirror sqlx's functions of those names, but hold their parameters until they run, so one
//! statement (written in SQLite's dialect, `?` placeholders) runs on a SQLite or a PostgreSQL
//! connection: for PostgreSQL its text goes through [`dialect::postgres`] first. Rows come back
//! as [`Row`], whose values decode the same way from both (an `i64` from any integer column).
//!
//! sqlx's own `Any` driver does this by converting every row into owned values and hides the
//! connection, which the SQLite deadline (`conn.rs`) needs; here rows stay the backend's own.

use std::borrow::Cow;
use std::fmt::Display;

use sqlx::postgres::{PgConnection, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection};

use super::dialect;

mod values;
pub use values::{Column, FromRow, Owned, Param, Row, Value};

/// The connection a statement runs on.
pub enum Target<'c> {
    Lite(&'c mut SqliteConnection),
    Pg(&'c mut PgConnection),
}

/// Anything a statement can run on: a pooled connection ([`super::Db::conn`]), a transaction's.
pub trait Exec: Send {
    fn target(&mut self) -> Target<'_>;
}

impl Exec for SqliteConnection {
    fn target(&mut self) -> Target<'_> {
        Target::Lite(self)
    }
}

impl Exec for PgConnection {
    fn target(&mut self) -> Target<'_> {
        Target::Pg(self)
    }
}

/// What a statement that returns no rows did.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows
    }
}

/// A statement and its parameters.
#[must_use = "a query does nothing until it is run"]
pub struct Query<'q> {
    sql: Cow<'q, str>,
    params: Vec<Param<'q>>,
}

/// A statement in SQLite's dialect (`?` or `?N` placeholders).
pub fn query(sql: &str) -> Query<'_> {
    Query {
        sql: Cow::Borrowed(sql),
        params: Vec::new(),
    }
}

/// A statement whose first column of each row is the result.
pub fn query_scalar<T: Owned>(sql: &str) -> Scalar<'_, T> {
    Scalar {
        query: query(sql),
        _value: std::marker::PhantomData,
    }
}

/// A statement whose rows are read into tuples.
pub fn query_as<T: FromRow>(sql: &str) -> As<'_, T> {
    As {
        query: query(sql),
        _value: std::marker::PhantomData,
    }
}

macro_rules! bind_all {
    ($q:expr, $params:expr, $search:expr) => {{
        let mut q = $q;
        for param in $params {
            q = match param {
                Param::Int(v) => q.bind(*v),
                Param::Float(v) => q.bind(*v),
                Param::Bool(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.as_deref()),
                Param::Bytes(v) => q.bind(v.as_deref()),
                #[allow(clippy::redundant_closure_call)]
                Param::Search(fts) => q.bind(($search)(fts)),
            };
        }
        q
    }};
}

/// How each backend takes a full-text query.
fn fts5(fts: &str) -> String {
    fts.to_owned()
}

impl<'q> Query<'q> {
    pub fn bind(mut self, value: impl Into<Param<'q>>) -> Self {
        self.params.push(value.into());
        self
    }

    pub async fn execute<E: Exec + ?Sized>(self, on: &mut E) -> Result<Done, sqlx::Error> {
        let rows = match on.target() {
            Target::Lite(conn) => bind_all!(sqlx::query::<Sqlite>(&self.sql), &self.params, fts5)
                .execute(conn)
                .await?
                .rows_affected(),
            Target::Pg(conn) => {
                let sql = dialect::postgres(&self.sql);
                bind_all!(
                    sqlx::query::<Postgres>(&sql),
                    &self.params,
                    super::search::tsquery
                )
                .execute(conn)
                .await?
                .rows_affected()
            }
        };
        Ok(Done { rows })
    }

    pub async fn fetch_all<E: Exec + ?Sized>(self, on: &mut E) -> Result<Vec<Row>, sqlx::Error> {
        Ok(match on.target() {
            Target::Lite(conn) => bind_all!(sqlx::query::<Sqlite>(&self.sql), &self.params, fts5)
                .fetch_all(conn)
                .await?
                .into_iter()
                .map(Row::Lite)
                .collect(),
            Target::Pg(conn) => {
                let sql = dialect::postgres(&self.sql);
                bind_all!(
                    sqlx::query::<Postgres>(&sql),
                    &self.params,
                    super::search::tsquery
                )
                .fetch_all(conn)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect()
            }
        })
    }

    pub async fn fetch_optional<E: Exec + ?Sized>(
        self,
        on: &mut E,
    ) -> Result<Option<Row>, sqlx::Error> {
        Ok(match on.target() {
            Target::Lite(conn) => bind_all!(sqlx::query::<Sqlite>(&self.sql), &self.params, fts5)
                .fetch_optional(conn)
                .await?
                .map(Row::Lite),
            Target::Pg(conn) => {
                let sql = dialect::postgres(&self.sql);
                bind_all!(
                    sqlx::query::<Postgres>(&sql),
                    &self.params,
                    super::search::tsquery
                )
                .fetch_optional(conn)
                .await?
                .map(Row::Pg)
            }
        })
    }

    pub async fn fetch_one<E: Exec + ?Sized>(self, on: &mut E) -> Result<Row, sqlx::Error> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }
}

/// A [`query_scalar`].
#[must_use = "a query does nothing until it is run"]
pub struct Scalar<'q, T> {
    query: Query<'q>,
    _value: std::marker::PhantomData<fn() -> T>,
}

impl<'q, T: Owned> Scalar<'q, T> {
    pub fn bind(mut self, value: impl Into<Param<'q>>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_one<E: Exec + ?Sized>(self, on: &mut E) -> Result<T, sqlx::Error> {
        self.query.fetch_one(on).await?.try_get(0)
    }

    pub async fn fetch_optional<E: Exec + ?Sized>(
        self,
        on: &mut E,
    ) -> Result<Option<T>, sqlx::Error> {
        self.query
            .fetch_optional(on)
            .await?
            .map(|row| row.try_get(0))
            .transpose()
    }

    pub async fn fetch_all<E: Exec + ?Sized>(self, on: &mut E) -> Result<Vec<T>, sqlx::Error> {
        self.query
            .fetch_all(on)
            .await?
            .iter()
            .map(|row| row.try_get(0))
            .collect()
    }
}

/// A [`query_as`].
#[must_use = "a query does nothing until it is run"]
pub struct As<'q, T> {
    query: Query<'q>,
    _value: std::marker::PhantomData<fn() -> T>,
}

impl<'q, T: FromRow> As<'q, T> {
    pub fn bind(mut self, value: impl Into<Param<'q>>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_one<E: Exec + ?Sized>(self, on: &mut E) -> Result<T, sqlx::Error> {
        T::from_row(&self.query.fetch_one(on).await?)
    }

    pub async fn fetch_optional<E: Exec + ?Sized>(
        self,
        on: &mut E,
    ) -> Result<Option<T>, sqlx::Error> {
        self.query
            .fetch_optional(on)
            .await?
            .map(|row| T::from_row(&row))
            .transpose()
    }

    pub async fn fetch_all<E: Exec + ?Sized>(self, on: &mut E) -> Result<Vec<T>, sqlx::Error> {
        self.query
            .fetch_all(on)
            .await?
            .iter()
            .map(T::from_row)
            .collect()
    }
}

/// A statement put together piece by piece, its values bound where they appear.
#[derive(Debug, Default)]
pub struct Builder<'q> {
    sql: String,
    params: Vec<Param<'q>>,
}

impl<'q> Builder<'q> {
    pub fn new(init: impl Into<String>) -> Self {
        Self {
            sql: init.into(),
            params: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.sql, "{sql}");
        self
    }

    /// Appends a placeholder for `value`.
    pub fn push_bind(&mut self, value: impl Into<Param<'q>>) -> &mut Self {
        self.sql.push('?');
        self.params.push(value.into());
        self
    }

    /// The statement (its values move into it: build once).
    pub fn build(&mut self) -> Query<'_> {
        Query {
            sql: Cow::Borrowed(&self.sql),
            params: std::mem::take(&mut self.params),
        }
    }

    pub fn build_query_scalar<T: Owned>(&mut self) -> Scalar<'_, T> {
        Scalar {
            query: self.build(),
            _value: std::marker::PhantomData,
        }
    }
}
