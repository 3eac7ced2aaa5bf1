//! Statements that run on either backend. `query`, `query_scalar`, `query_as` and [`Builder`]
//! mirror sqlx's functions of those names, but hold their parameters until they run, so one
//! statement (written in SQLite's dialect, `?` placeholders) runs on a SQLite or a PostgreSQL
//! connection: for PostgreSQL its text goes through [`dialect::postgres`] first. Rows come back
//! as [`Row`], whose values decode the same way from both (an `i64` from any integer column).
//!
//! sqlx's own `Any` driver does this by converting every row into owned values and hides the
//! connection, which the SQLite deadline (`conn.rs`) needs; here rows stay the backend's own.

use std::borrow::Cow;
use std::fmt::{Debug, Display};

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgConnection, PgRow, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqliteRow, SqliteValueRef};
use sqlx::{ColumnIndex, Decode, Row as _, TypeInfo, ValueRef};

use super::dialect;

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

/// A statement's parameter, typed as both backends expect it (a typed NULL included).
#[derive(Debug, Clone)]
pub enum Param<'q> {
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<Cow<'q, str>>),
    Bytes(Option<Cow<'q, [u8]>>),
    /// A full-text query in FTS5's syntax as [`super::search::fts_query`] writes it (for
    /// PostgreSQL turned into a `tsquery`'s text, see [`super::search::tsquery`]).
    Search(String),
}

impl Param<'_> {
    /// A full-text query for `MATCH ?`.
    pub fn search(fts: &str) -> Param<'static> {
        Param::Search(fts.to_owned())
    }
}

macro_rules! param_from {
    ($variant:ident: $($t:ty => $conv:expr),* $(,)?) => {$(
        impl<'q> From<$t> for Param<'q> {
            fn from(value: $t) -> Self {
                #[allow(clippy::redundant_closure_call)]
                Param::$variant(Some(($conv)(value)))
            }
        }
        impl<'q> From<Option<$t>> for Param<'q> {
            fn from(value: Option<$t>) -> Self {
                #[allow(clippy::redundant_closure_call)]
                Param::$variant(value.map($conv))
            }
        }
    )*};
}

param_from!(Int: i64 => |v| v, i32 => i64::from, u32 => i64::from, u16 => i64::from, u8 => i64::from);
param_from!(Float: f64 => |v| v);
param_from!(Bool: bool => |v| v);
param_from!(Text: &'q str => Cow::Borrowed, String => Cow::Owned, &'q String => |v: &'q String| Cow::Borrowed(v.as_str()));
param_from!(Bytes: &'q [u8] => Cow::Borrowed, Vec<u8> => Cow::Owned);

impl<'q> From<&Option<String>> for Param<'q> {
    fn from(value: &Option<String>) -> Self {
        Param::Text(value.clone().map(Cow::Owned))
    }
}

impl<'q> From<u64> for Param<'q> {
    fn from(value: u64) -> Self {
        Param::Int(Some(i64::try_from(value).unwrap_or(i64::MAX)))
    }
}

impl<'q> From<usize> for Param<'q> {
    fn from(value: usize) -> Self {
        Param::Int(Some(i64::try_from(value).unwrap_or(i64::MAX)))
    }
}

/// A value a column decodes into, from either backend.
pub trait Value<'r>: Sized + Send {
    fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError>;
    fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError>;
}

/// A value that owns its data (read from a row that is then dropped).
pub trait Owned: for<'r> Value<'r> {}
impl<T: for<'r> Value<'r>> Owned for T {}

/// A NULL where a value must be is an error (sqlx's decoders would read it as 0 or "").
fn present<'r, V: ValueRef<'r>>(value: &V) -> Result<(), BoxDynError> {
    if value.is_null() {
        Err(Box::new(sqlx::error::UnexpectedNullError))
    } else {
        Ok(())
    }
}

fn unexpected(type_name: &str, wanted: &str) -> BoxDynError {
    format!("a {type_name} column cannot be read as {wanted}").into()
}

impl<'r> Value<'r> for i64 {
    fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        <i64 as Decode<Sqlite>>::decode(value)
    }
    fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        let name = value.type_info().name().to_owned();
        match name.as_str() {
            "INT8" => <i64 as Decode<Postgres>>::decode(value),
            "INT4" => <i32 as Decode<Postgres>>::decode(value).map(i64::from),
            "INT2" => <i16 as Decode<Postgres>>::decode(value).map(i64::from),
            "BOOL" => <bool as Decode<Postgres>>::decode(value).map(i64::from),
            other => Err(unexpected(other, "an integer")),
        }
    }
}

macro_rules! narrow_int {
    ($($t:ty),*) => {$(
        impl<'r> Value<'r> for $t {
            fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(<$t>::try_from(i64::lite(value)?)?)
            }
            fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(<$t>::try_from(i64::pg(value)?)?)
            }
        }
    )*};
}

narrow_int!(i32, u32, u64, usize);

impl<'r> Value<'r> for bool {
    fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(i64::lite(value)? != 0)
    }
    fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        if value.type_info().name() == "BOOL" {
            <bool as Decode<Postgres>>::decode(value)
        } else {
            Ok(i64::pg(value)? != 0)
        }
    }
}

impl<'r> Value<'r> for f64 {
    fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        <f64 as Decode<Sqlite>>::decode(value)
    }
    fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        let name = value.type_info().name().to_owned();
        match name.as_str() {
            "FLOAT8" => <f64 as Decode<Postgres>>::decode(value),
            "FLOAT4" => <f32 as Decode<Postgres>>::decode(value).map(f64::from),
            "INT8" | "INT4" | "INT2" => Ok(i64::pg(value)? as f64),
            other => Err(unexpected(other, "a number")),
        }
    }
}

impl<'r> Value<'r> for String {
    fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        <String as Decode<Sqlite>>::decode(value)
    }
    fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        let name = value.type_info().name().to_owned();
        match name.as_str() {
            "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" | "UNKNOWN" => {
                <String as Decode<Postgres>>::decode(value)
            }
            other => Err(unexpected(other, "text")),
        }
    }
}

impl<'r> Value<'r> for &'r str {
    fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        <&str as Decode<Sqlite>>::decode(value)
    }
    fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        let name = value.type_info().name().to_owned();
        match name.as_str() {
            "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" | "UNKNOWN" => {
                <&str as Decode<Postgres>>::decode(value)
            }
            other => Err(unexpected(other, "text")),
        }
    }
}

impl<'r> Value<'r> for Vec<u8> {
    fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        <Vec<u8> as Decode<Sqlite>>::decode(value)
    }
    fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        present(&value)?;
        <Vec<u8> as Decode<Postgres>>::decode(value)
    }
}

impl<'r, T: Value<'r>> Value<'r> for Option<T> {
    fn lite(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.is_null() {
            Ok(None)
        } else {
            T::lite(value).map(Some)
        }
    }
    fn pg(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.is_null() {
            Ok(None)
        } else {
            T::pg(value).map(Some)
        }
    }
}

/// A column's name or position, on either backend's rows.
pub trait Column: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + Debug + Copy {}
impl<T: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + Debug + Copy> Column for T {}

/// A row from either backend.
pub enum Row {
    Lite(SqliteRow),
    Pg(PgRow),
}

impl Row {
    /// The value of column `index` (a name or a position).
    pub fn try_get<'r, T: Value<'r>, I: Column>(&'r self, index: I) -> Result<T, sqlx::Error> {
        let decoded = match self {
            Row::Lite(row) => T::lite(row.try_get_raw(index)?),
            Row::Pg(row) => T::pg(row.try_get_raw(index)?),
        };
        decoded.map_err(|source| sqlx::Error::ColumnDecode {
            index: format!("{index:?}"),
            source,
        })
    }
}

/// A row read into a tuple of values, by position.
pub trait FromRow: Sized + Send {
    fn from_row(row: &Row) -> Result<Self, sqlx::Error>;
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Owned),+> FromRow for ($($t,)+) {
            fn from_row(row: &Row) -> Result<Self, sqlx::Error> {
                Ok(($(row.try_get::<$t, usize>($i)?,)+))
            }
        }
    };
}

tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);

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
