//! A whole workspace copied from a SQLite database into a PostgreSQL one
//! (`clientele migrate-to-postgres`): every table a team's work lives in, read in one snapshot of
//! the source and written in one transaction of the target, so a copy is all or nothing. Rows are
//! upserted by their key: running it again brings the copy up to date instead of doubling it.
//! What the target derives from rows (tags, search indexes) its triggers build as rows arrive.

use anyhow::{bail, Context};

use super::sql::{self, Builder, Param, Row};
use super::{Backend, Db, Readiness};

/// A table to copy: its name and the columns of its key (the order rows are read in).
struct Table {
    name: &'static str,
    key: &'static [&'static str],
}

/// In the order their foreign keys need. Not copied: sign-in attempts and idempotency keys
/// (short-lived), seed bookkeeping; sign-in sessions only when asked ([`SESSION_TABLES`]).
const TABLES: &[Table] = &[
    Table {
        name: "workspace",
        key: &["id"],
    },
    Table {
        name: "users",
        key: &["id"],
    },
    Table {
        name: "invitations",
        key: &["id"],
    },
    Table {
        name: "api_tokens",
        key: &["id"],
    },
    Table {
        name: "companies",
        key: &["id"],
    },
    Table {
        name: "contacts",
        key: &["id"],
    },
    Table {
        name: "activities",
        key: &["id"],
    },
    Table {
        name: "tasks",
        key: &["id"],
    },
    Table {
        name: "imports",
        key: &["id"],
    },
    Table {
        name: "import_problems",
        key: &["import_id", "line"],
    },
    Table {
        name: "import_effects",
        key: &["import_id", "record_id"],
    },
    Table {
        name: "changes",
        key: &["id"],
    },
];

/// Copied with `keep_sessions`: who is signed in where (the browser sessions' own store too).
const SESSION_TABLES: &[Table] = &[Table {
    name: "auth_sessions",
    key: &["id"],
}];

/// Rows read and written at a time.
const BATCH: usize = 500;

/// What a copy found: each table's rows in the source and in the target afterwards.
#[derive(Debug, Clone)]
pub struct Copied {
    pub table: &'static str,
    pub source: i64,
    pub target: i64,
}

/// How a target column is written: its type there.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Bool,
    Text,
    Bytes,
}

impl Db {
    /// Rows to copy from this (SQLite) database, for a progress bar.
    pub async fn rows_to_copy(&self, keep_sessions: bool) -> Result<u64, sqlx::Error> {
        let mut total = 0;
        let mut conn = self.conn().await?;
        for table in tables(keep_sessions) {
            total += count(&mut conn, table.name).await?;
        }
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// Copies this SQLite database's workspace into the PostgreSQL database `target` (migrated
    /// first). `progress` is told of every batch of rows written. Fails, leaving `target` as it
    /// was, if either is not what it should be, and when the copy's counts differ from the
    /// source's (rows the target has that the source does not).
    pub async fn copy_to(
        &self,
        target: &Db,
        keep_sessions: bool,
        progress: &mut dyn FnMut(u64),
    ) -> anyhow::Result<Vec<Copied>> {
        if self.backend() != Backend::Sqlite || target.backend() != Backend::Postgres {
            bail!("the copy goes from a SQLite database to a PostgreSQL one");
        }
        if self.readiness().await? != Readiness::Ready {
            bail!(
                "the SQLite database is from an older version of Clientele: run \
                 `clientele migrate` on it first"
            );
        }
        let pending: i64 = sql::query_scalar("SELECT count(*) FROM seed_pending")
            .fetch_one(&mut self.conn().await?)
            .await?;
        if pending > 0 {
            bail!("a bulk load (`clientele seed`) of the SQLite database is unfinished: start the server on it once first");
        }
        target.migrate().await?;
        // One snapshot of the source (a read transaction), one transaction of the target.
        let mut from = self.begin().await?;
        let mut to = target.begin().await?;
        let mut copied = Vec::new();
        for table in tables(keep_sessions) {
            let columns = target_columns(&mut to, table.name).await?;
            copy_table(&mut from, &mut to, table, &columns, progress)
                .await
                .with_context(|| format!("cannot copy {}", table.name))?;
            if columns.contains(&("id".to_owned(), Kind::Int)) && table.key == ["id"] {
                restart_identity(&mut to, table.name).await?;
            }
        }
        if keep_sessions {
            copy_browser_sessions(&mut from, &mut to).await?;
        }
        for table in tables(keep_sessions) {
            let source = count(&mut from, table.name).await?;
            let target = count(&mut to, table.name).await?;
            copied.push(Copied {
                table: table.name,
                source,
                target,
            });
        }
        if let Some(differs) = copied.iter().find(|c| c.source != c.target) {
            bail!(
                "{} has {} rows in PostgreSQL but {} in SQLite: copy into an empty database \
                 (nothing was changed)",
                differs.table,
                differs.target,
                differs.source
            );
        }
        to.commit().await?;
        Ok(copied)
    }
}

fn tables(keep_sessions: bool) -> impl Iterator<Item = &'static Table> {
    let sessions = if keep_sessions { SESSION_TABLES } else { &[] };
    TABLES.iter().chain(sessions)
}

async fn count<E: sql::Exec + ?Sized>(on: &mut E, table: &str) -> Result<i64, sqlx::Error> {
    sql::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(on)
        .await
}

/// The columns of `table` in the target that a copy writes (not generated ones), with how.
async fn target_columns(
    to: &mut super::conn::Tx,
    table: &str,
) -> anyhow::Result<Vec<(String, Kind)>> {
    let columns: Vec<(String, String)> = sql::query_as(
        "SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = ?
           AND is_generated = 'NEVER' AND identity_generation IS DISTINCT FROM 'ALWAYS'
         ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(to)
    .await?;
    columns
        .into_iter()
        .map(|(name, data_type)| {
            let kind = match data_type.as_str() {
                "bigint" | "integer" | "smallint" => Kind::Int,
                "boolean" => Kind::Bool,
                "text" | "character varying" => Kind::Text,
                "bytea" => Kind::Bytes,
                other => bail!("{table}.{name} has the type {other}, which a copy cannot write"),
            };
            Ok((name, kind))
        })
        .collect()
}

/// A cell of a source row, as the target column takes it.
fn cell(row: &Row, index: usize, kind: Kind) -> Result<Param<'static>, sqlx::Error> {
    Ok(match kind {
        Kind::Int => Param::Int(row.try_get(index)?),
        Kind::Bool => Param::Bool(row.try_get(index)?),
        Kind::Text => Param::Text(row.try_get::<Option<String>, _>(index)?.map(Into::into)),
        Kind::Bytes => Param::Bytes(row.try_get::<Option<Vec<u8>>, _>(index)?.map(Into::into)),
    })
}

async fn copy_table(
    from: &mut super::conn::Tx,
    to: &mut super::conn::Tx,
    table: &Table,
    columns: &[(String, Kind)],
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<()> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let key_at: Vec<usize> = table
        .key
        .iter()
        .map(|k| {
            names
                .iter()
                .position(|n| n == k)
                .with_context(|| format!("{} has no column {k}", table.name))
        })
        .collect::<anyhow::Result<_>>()?;
    let list = names.join(", ");
    let key = table.key.join(", ");
    let update: Vec<String> = names
        .iter()
        .filter(|n| !table.key.contains(n))
        .map(|n| format!("{n} = excluded.{n}"))
        .collect();
    let on_conflict = if update.is_empty() {
        format!(" ON CONFLICT ({key}) DO NOTHING")
    } else {
        format!(" ON CONFLICT ({key}) DO UPDATE SET {}", update.join(", "))
    };
    let mut after: Option<Vec<Param<'static>>> = None;
    loop {
        let mut read = Builder::new(format!("SELECT {list} FROM {}", table.name));
        if let Some(after) = &after {
            read.push(format_args!(" WHERE ({key}) > ("));
            for (i, value) in after.iter().enumerate() {
                if i > 0 {
                    read.push(", ");
                }
                read.push_bind(value.clone());
            }
            read.push(")");
        }
        read.push(format_args!(" ORDER BY {key} LIMIT {BATCH}"));
        let rows = read.build().fetch_all(from).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(
            key_at
                .iter()
                .map(|&i| cell(last, i, columns[i].1))
                .collect::<Result<_, _>>()?,
        );
        let mut write = Builder::new(format!("INSERT INTO {} ({list}) VALUES ", table.name));
        for (r, row) in rows.iter().enumerate() {
            write.push(if r == 0 { "(" } else { ", (" });
            for (i, (_, kind)) in columns.iter().enumerate() {
                if i > 0 {
                    write.push(", ");
                }
                write.push_bind(cell(row, i, *kind)?);
            }
            write.push(")");
        }
        write.push(&on_conflict);
        write.build().execute(to).await?;
        progress(rows.len() as u64);
        if rows.len() < BATCH {
            return Ok(());
        }
    }
}

/// The next id PostgreSQL gives `table` comes after the largest copied one.
async fn restart_identity(to: &mut super::conn::Tx, table: &str) -> Result<(), sqlx::Error> {
    sql::query(&format!(
        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
         coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
    ))
    .execute(to)
    .await?;
    Ok(())
}

/// tower-sessions' records of signed-in browsers: SQLite's store keeps the expiry in Unix
/// seconds, PostgreSQL's as a timestamp; the records themselves are the same bytes.
async fn copy_browser_sessions(
    from: &mut super::conn::Tx,
    to: &mut super::conn::Tx,
) -> anyhow::Result<()> {
    let rows: Vec<(String, Vec<u8>, i64)> =
        sql::query_as("SELECT id, data, expiry_date FROM tower_sessions")
            .fetch_all(from)
            .await?;
    for (id, data, expiry) in rows {
        sql::query(
            "INSERT INTO tower_sessions.session (id, data, expiry_date)
             VALUES (?, ?, to_timestamp(?))
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .execute(to)
        .await?;
    }
    Ok(())
}
