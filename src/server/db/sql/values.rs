//! Values: the parameters a statement binds ([`Param`]) and the values its rows decode into
//! ([`Value`]), alike on both backends, and the rows themselves ([`Row`], [`FromRow`]).

use std::borrow::Cow;
use std::fmt::Debug;

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgRow, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteRow, SqliteValueRef};
use sqlx::{ColumnIndex, Decode, Row as _, TypeInfo, ValueRef};

/// A statement's parameter, typed as both backends expect it (a typed NULL included).
#[derive(Debug, Clone)]
pub enum Param<'q> {
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<Cow<'q, str>>),
    Bytes(Option<Cow<'q, [u8]>>),
    /// A full-text query in FTS5's syntax as [`super::super::search::fts_query`] writes it (for
    /// PostgreSQL turned into a `tsquery`'s text, see [`super::super::search::tsquery`]).
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

/// A PostgreSQL value's type name, without allocating (once per cell read): one of the types
/// values are read from, else "other" (the error then names the real type).
fn pg_type(value: &PgValueRef<'_>) -> &'static str {
    const KNOWN: &[&str] = &[
        "INT8", "INT4", "INT2", "BOOL", "FLOAT8", "FLOAT4", "TEXT", "VARCHAR", "NAME", "BPCHAR",
        "UNKNOWN",
    ];
    let info = value.type_info();
    KNOWN
        .iter()
        .find(|known| **known == info.name())
        .copied()
        .unwrap_or("other")
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
        match pg_type(&value) {
            "INT8" => <i64 as Decode<Postgres>>::decode(value),
            "INT4" => <i32 as Decode<Postgres>>::decode(value).map(i64::from),
            "INT2" => <i16 as Decode<Postgres>>::decode(value).map(i64::from),
            "BOOL" => <bool as Decode<Postgres>>::decode(value).map(i64::from),
            _ => Err(unexpected(value.type_info().name(), "an integer")),
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
        if pg_type(&value) == "BOOL" {
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
        match pg_type(&value) {
            "FLOAT8" => <f64 as Decode<Postgres>>::decode(value),
            "FLOAT4" => <f32 as Decode<Postgres>>::decode(value).map(f64::from),
            "INT8" | "INT4" | "INT2" => Ok(i64::pg(value)? as f64),
            _ => Err(unexpected(value.type_info().name(), "a number")),
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
        match pg_type(&value) {
            "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" | "UNKNOWN" => {
                <String as Decode<Postgres>>::decode(value)
            }
            _ => Err(unexpected(value.type_info().name(), "text")),
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
        match pg_type(&value) {
            "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" | "UNKNOWN" => {
                <&str as Decode<Postgres>>::decode(value)
            }
            _ => Err(unexpected(value.type_info().name(), "text")),
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
