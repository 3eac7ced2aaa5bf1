//! Companies and contacts: lists (filtered, searched, sorted, paged), single records, writes with
//! optimistic locking, the trash.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::paging::{self, Count, Paging};
use super::Db;
use crate::domain::{
    contact_name, CompanyDraft, CompanyRow, CompanyView, ContactDraft, ContactRow, ContactStatus,
    ContactView, Page, RecordKind, Stamp, TrashItem, COUNT_LIMIT,
};

/// What narrows the contacts list.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// An FTS5 query (see `db::search`).
    pub search: Option<String>,
    pub status: Option<ContactStatus>,
    pub tag: Option<String>,
    pub owner: Option<i64>,
    pub company: Option<i64>,
}

/// What narrows the companies list.
#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    pub search: Option<String>,
    pub industry: Option<String>,
    pub owner: Option<i64>,
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A unique field (a contact's e-mail, a company's domain) is taken by a live record.
    #[error("a live record already has this value")]
    Duplicate,
    /// The record does not exist or is in the trash.
    #[error("no such record")]
    Missing,
    /// The record was saved by someone else since the form was opened.
    #[error("the record changed since it was read")]
    Stale,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn classify(error: sqlx::Error) -> WriteError {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => WriteError::Duplicate,
        _ => WriteError::Db(error),
    }
}

/// A company a typed name or domain may mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyMatch {
    pub id: i64,
    pub name: String,
    pub domain: String,
}

/// Counts the matches of a search in its index (which holds live records only); the count is
/// shared for a few seconds by the pages and sort orders of the same search.
fn search_count(
    table: &'static str,
    index: &'static str,
    search: Option<String>,
) -> Count<'static> {
    let search = search.unwrap_or_default();
    Count::Cached(
        table,
        format!("search:{search}"),
        Box::new(move |q| {
            q.push(format_args!(
                "SELECT count(*) FROM (SELECT 1 FROM {index} WHERE {index} MATCH "
            ))
            .push_bind(search.clone())
            .push(format_args!(" LIMIT {SEARCH_LIMIT})"));
        }),
    )
}

fn status_of(text: &str) -> Result<ContactStatus, sqlx::Error> {
    text.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}

fn tags_of(json: &str) -> Result<Vec<String>, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// A filter value with fewer live rows than this is read through its own index.
const RARE_BELOW: i64 = 2000;

/// Search matches considered for one list: the most recent ones, so that a query matching most
/// of a million rows still answers at once (its total shows as "10,000+").
const SEARCH_LIMIT: u64 = COUNT_LIMIT + 1;

const CONTACT_ROW: &str = "c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, \
     coalesce(co.name, '') AS company_name, c.city, c.status, c.tags, \
     coalesce(u.name, '') AS owner_name, c.updated_at";

fn contact_row(row: &SqliteRow) -> Result<ContactRow, sqlx::Error> {
    let first: String = row.try_get("first_name")?;
    let last: String = row.try_get("last_name")?;
    Ok(ContactRow {
        id: row.try_get("id")?,
        name: contact_name(&first, &last),
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        company_id: row.try_get("company_id")?,
        company_name: row.try_get("company_name")?,
        city: row.try_get("city")?,
        status: status_of(row.try_get("status")?)?,
        tags: tags_of(row.try_get("tags")?)?,
        owner_name: row.try_get("owner_name")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const COMPANY_ROW: &str = "co.id, co.name, co.domain, co.industry, co.size, co.city, \
     coalesce(u.name, '') AS owner_name, co.updated_at";

fn company_row(row: &SqliteRow) -> Result<CompanyRow, sqlx::Error> {
    Ok(CompanyRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        domain: row.try_get("domain")?,
        industry: row.try_get("industry")?,
        size: row.try_get("size")?,
        city: row.try_get("city")?,
        owner_name: row.try_get("owner_name")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn stamp(row: &SqliteRow, at: &str, by: &str) -> Result<Stamp, sqlx::Error> {
    Ok(Stamp {
        at: row.try_get(at)?,
        by: row
            .try_get::<Option<String>, _>(by)?
            .unwrap_or_else(|| "someone".into()),
    })
}

impl Db {
    /// One page of live contacts.
    pub async fn list_contacts(
        &self,
        filter: &ContactFilter,
        paging: &Paging,
    ) -> Result<Page<ContactRow>, sqlx::Error> {
        // A common tag is best checked row by row while walking the sort order; a rare one is
        // best read first, then sorted.
        let common_tag = match &filter.tag {
            Some(tag) => {
                let seen: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM (SELECT 1 FROM contact_tags WHERE tag = ? LIMIT 2000)",
                )
                .bind(tag)
                .fetch_one(&mut *self.conn().await?)
                .await?;
                seen >= 2000
            }
            None => false,
        };
        let only_search = filter.search.is_some()
            && filter.status.is_none()
            && filter.tag.is_none()
            && filter.owner.is_none()
            && filter.company.is_none();
        let only_tag = filter.tag.is_some()
            && filter.search.is_none()
            && filter.status.is_none()
            && filter.owner.is_none()
            && filter.company.is_none();
        // An owner with few contacts is best read through the owner's index: walking the sort
        // order would read every row to find them.
        let rare_owner = match filter.owner {
            Some(owner) => {
                self.is_rare("contacts", "contacts_by_owner", "owner_id", owner)
                    .await?
            }
            None => false,
        };
        // Walk the sort order's index (which holds status and owner) unless a narrower way in
        // exists: a company, a search, a rare tag, a rare owner.
        let narrower = filter.company.is_some()
            || filter.search.is_some()
            || (filter.tag.is_some() && !common_tag);
        let walk_index = if narrower {
            None
        } else if rare_owner {
            Some("contacts_by_owner")
        } else {
            paging.index
        };
        let from = |q: &mut QueryBuilder<'_, Sqlite>, counting: bool| {
            q.push(" FROM contacts c");
            if let Some(index) = walk_index {
                q.push(format_args!(" INDEXED BY {index}"));
            }
            if !counting {
                q.push(
                    " LEFT JOIN companies co ON co.id = c.company_id AND co.deleted_at IS NULL \
                     LEFT JOIN users u ON u.id = c.owner_id",
                );
            }
            q.push(" WHERE c.deleted_at IS NULL");
            if let Some(search) = &filter.search {
                q.push(" AND c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ");
                q.push_bind(search.clone());
                // The index holds live contacts only: newest first with nothing else to filter,
                // exactly the rows of this page are read.
                if only_search && !counting && paging.newest_forward() {
                    if let Some(after) = &paging.after {
                        q.push(" AND rowid < ").push_bind(after.id());
                    }
                    q.push(format_args!(
                        " ORDER BY rowid DESC LIMIT {})",
                        paging.per_page + 1
                    ));
                } else {
                    q.push(format_args!(" ORDER BY rowid DESC LIMIT {SEARCH_LIMIT})"));
                }
            }
            if let Some(status) = filter.status {
                q.push(" AND c.status = ").push_bind(status.as_str());
            }
            if let Some(tag) = &filter.tag {
                if common_tag && !counting {
                    q.push(" AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag = ")
                        .push_bind(tag.clone())
                        .push(")");
                } else {
                    q.push(" AND c.id IN (SELECT contact_id FROM contact_tags WHERE tag = ")
                        .push_bind(tag.clone())
                        .push(")");
                }
            }
            if let Some(owner) = filter.owner {
                q.push(" AND c.owner_id = ").push_bind(owner);
            }
            if let Some(company) = filter.company {
                q.push(" AND c.company_id = ").push_bind(company);
            }
        };
        // A search alone is counted in the search index, a tag alone in the tags (both hold only
        // live contacts).
        let count = if only_search {
            search_count("contacts", "contacts_fts", filter.search.clone())
        } else if only_tag {
            let tag = filter.tag.clone().unwrap_or_default();
            Count::Query(Box::new(move |q| {
                q.push("SELECT count(*) FROM (SELECT 1 FROM contact_tags WHERE tag = ")
                    .push_bind(tag.clone())
                    .push(format_args!(" LIMIT {SEARCH_LIMIT})"));
            }))
        } else if filter.search.is_none()
            && filter.status.is_none()
            && filter.tag.is_none()
            && filter.owner.is_none()
            && filter.company.is_none()
        {
            Count::Unfiltered("contacts")
        } else {
            Count::Rows
        };
        paging::page(self, CONTACT_ROW, from, count, paging, contact_row).await
    }

    /// One page of live companies.
    pub async fn list_companies(
        &self,
        filter: &CompanyFilter,
        paging: &Paging,
    ) -> Result<Page<CompanyRow>, sqlx::Error> {
        let only_search =
            filter.search.is_some() && filter.industry.is_none() && filter.owner.is_none();
        // An owner or industry with few companies is read through its own index, not by walking
        // the whole sort order.
        let rare_owner = match filter.owner {
            Some(owner) => {
                self.is_rare("companies", "companies_by_owner", "owner_id", owner)
                    .await?
            }
            None => false,
        };
        let rare_industry = match &filter.industry {
            Some(industry) => {
                self.is_rare(
                    "companies",
                    "companies_live_by_industry",
                    "industry",
                    industry.clone(),
                )
                .await?
            }
            None => false,
        };
        let walk_index = if filter.search.is_some() {
            None
        } else if rare_industry {
            Some("companies_live_by_industry")
        } else if rare_owner {
            Some("companies_by_owner")
        } else {
            paging.index
        };
        let from = |q: &mut QueryBuilder<'_, Sqlite>, counting: bool| {
            q.push(" FROM companies co");
            if let Some(index) = walk_index {
                q.push(format_args!(" INDEXED BY {index}"));
            }
            if !counting {
                q.push(" LEFT JOIN users u ON u.id = co.owner_id");
            }
            q.push(" WHERE co.deleted_at IS NULL");
            if let Some(search) = &filter.search {
                q.push(" AND co.id IN (SELECT rowid FROM companies_fts WHERE companies_fts MATCH ");
                q.push_bind(search.clone());
                if only_search && !counting && paging.newest_forward() {
                    if let Some(after) = &paging.after {
                        q.push(" AND rowid < ").push_bind(after.id());
                    }
                    q.push(format_args!(
                        " ORDER BY rowid DESC LIMIT {})",
                        paging.per_page + 1
                    ));
                } else {
                    q.push(format_args!(" ORDER BY rowid DESC LIMIT {SEARCH_LIMIT})"));
                }
            }
            if let Some(industry) = &filter.industry {
                q.push(" AND co.industry = ").push_bind(industry.clone());
            }
            if let Some(owner) = filter.owner {
                q.push(" AND co.owner_id = ").push_bind(owner);
            }
        };
        let count = if only_search {
            search_count("companies", "companies_fts", filter.search.clone())
        } else if filter.search.is_none() && filter.industry.is_none() && filter.owner.is_none() {
            Count::Unfiltered("companies")
        } else {
            Count::Rows
        };
        paging::page(self, COMPANY_ROW, from, count, paging, company_row).await
    }

    /// Whether fewer than [`RARE_BELOW`] live rows of `table` have `value` in `column` (read
    /// through `index`, at most that many entries).
    async fn is_rare<T>(
        &self,
        table: &str,
        index: &str,
        column: &str,
        value: T,
    ) -> Result<bool, sqlx::Error>
    where
        T: for<'e> sqlx::Encode<'e, Sqlite> + sqlx::Type<Sqlite> + Send + 'static,
    {
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM {table} INDEXED BY {index} \
             WHERE {column} = ? AND deleted_at IS NULL LIMIT {RARE_BELOW})"
        );
        let seen: i64 = sqlx::query_scalar(&sql)
            .bind(value)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(seen < RARE_BELOW)
    }

    /// A live contact.
    pub async fn contact(&self, id: i64) -> Result<Option<ContactView>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT c.*, coalesce(co.name, '') AS company_name, ow.name AS owner_name,
                    cb.name AS created_by_name, ub.name AS updated_by_name
             FROM contacts c
             LEFT JOIN companies co ON co.id = c.company_id AND co.deleted_at IS NULL
             LEFT JOIN users ow ON ow.id = c.owner_id
             LEFT JOIN users cb ON cb.id = c.created_by
             LEFT JOIN users ub ON ub.id = c.updated_by
             WHERE c.id = ? AND c.deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        row.map(|row| {
            let company_name: String = row.try_get("company_name")?;
            Ok(ContactView {
                id: row.try_get("id")?,
                version: row.try_get("version")?,
                first_name: row.try_get("first_name")?,
                last_name: row.try_get("last_name")?,
                email: row.try_get("email")?,
                phone: row.try_get("phone")?,
                job_title: row.try_get("job_title")?,
                company_id: if company_name.is_empty() {
                    None
                } else {
                    row.try_get("company_id")?
                },
                company_name,
                city: row.try_get("city")?,
                status: status_of(row.try_get("status")?)?,
                tags: tags_of(row.try_get("tags")?)?,
                notes: row.try_get("notes")?,
                owner_id: row.try_get("owner_id")?,
                owner_name: row
                    .try_get::<Option<String>, _>("owner_name")?
                    .unwrap_or_default(),
                created: stamp(&row, "created_at", "created_by_name")?,
                updated: stamp(&row, "updated_at", "updated_by_name")?,
            })
        })
        .transpose()
    }

    /// A live company.
    pub async fn company(&self, id: i64) -> Result<Option<CompanyView>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT co.*, ow.name AS owner_name, cb.name AS created_by_name,
                    ub.name AS updated_by_name
             FROM companies co
             LEFT JOIN users ow ON ow.id = co.owner_id
             LEFT JOIN users cb ON cb.id = co.created_by
             LEFT JOIN users ub ON ub.id = co.updated_by
             WHERE co.id = ? AND co.deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        row.map(|row| {
            Ok(CompanyView {
                id: row.try_get("id")?,
                version: row.try_get("version")?,
                name: row.try_get("name")?,
                domain: row.try_get("domain")?,
                industry: row.try_get("industry")?,
                size: row.try_get("size")?,
                phone: row.try_get("phone")?,
                website: row.try_get("website")?,
                street: row.try_get("street")?,
                city: row.try_get("city")?,
                postal_code: row.try_get("postal_code")?,
                country: row.try_get("country")?,
                notes: row.try_get("notes")?,
                owner_id: row.try_get("owner_id")?,
                owner_name: row
                    .try_get::<Option<String>, _>("owner_name")?
                    .unwrap_or_default(),
                created: stamp(&row, "created_at", "created_by_name")?,
                updated: stamp(&row, "updated_at", "updated_by_name")?,
            })
        })
        .transpose()
    }

    /// The first `limit` live contacts of a company, by name.
    pub async fn company_contacts(
        &self,
        company_id: i64,
        limit: u32,
    ) -> Result<Vec<ContactRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CONTACT_ROW} FROM contacts c
             LEFT JOIN companies co ON co.id = c.company_id
             LEFT JOIN users u ON u.id = c.owner_id
             WHERE c.company_id = ? AND c.deleted_at IS NULL
             ORDER BY c.sort_name, c.id LIMIT ?"
        ))
        .bind(company_id)
        .bind(limit)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(contact_row).collect()
    }

    /// Live companies whose name (ignoring case) or domain is `text`.
    pub async fn find_companies(&self, text: &str) -> Result<Vec<CompanyMatch>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, name, domain FROM companies
             WHERE deleted_at IS NULL AND (sort_name = lower(?1) OR (domain <> '' AND domain = lower(?1)))
             ORDER BY id LIMIT 5",
        )
        .bind(text.trim())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CompanyMatch {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    domain: row.try_get("domain")?,
                })
            })
            .collect()
    }

    /// The distinct industries of live companies, for the filter.
    pub async fn industries(&self) -> Result<Vec<String>, sqlx::Error> {
        // A skip scan of the industry index: one lookup per distinct value, not one per company.
        sqlx::query_scalar(
            "WITH RECURSIVE i(industry, n) AS (
                 SELECT min(industry), 1 FROM companies
                 WHERE deleted_at IS NULL AND industry > ''
                 UNION ALL
                 SELECT (SELECT min(industry) FROM companies
                         WHERE deleted_at IS NULL AND industry > i.industry), n + 1
                 FROM i WHERE i.industry IS NOT NULL AND n < 200)
             SELECT industry FROM i WHERE industry IS NOT NULL",
        )
        .fetch_all(&mut *self.conn().await?)
        .await
    }

    pub async fn create_contact(
        &self,
        draft: &ContactDraft,
        company_id: Option<i64>,
        user_id: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        let query = sqlx::query(
            "INSERT INTO contacts (first_name, last_name, email, phone, phone_digits, phone_search,
                 job_title, company_id, city, status, tags, notes, owner_id,
                 updated_at, updated_by, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14, ?15)
             RETURNING id",
        );
        let row = bind_contact(query, draft, company_id, user_id, now)
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(classify)?;
        self.forget_total("contacts");
        Ok(row.try_get(0)?)
    }

    /// Saves `draft` over contact `id` if it is still at `version`.
    pub async fn update_contact(
        &self,
        id: i64,
        version: i64,
        draft: &ContactDraft,
        company_id: Option<i64>,
        user_id: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        let query = sqlx::query(
            "UPDATE contacts SET first_name = ?1, last_name = ?2, email = ?3, phone = ?4,
                 phone_digits = ?5, phone_search = ?6, job_title = ?7, company_id = ?8, city = ?9,
                 status = ?10, tags = ?11, notes = ?12, owner_id = ?13, updated_at = ?14,
                 updated_by = ?15, version = version + 1
             WHERE id = ?16 AND version = ?17 AND deleted_at IS NULL",
        );
        let updated = bind_contact(query, draft, company_id, user_id, now)
            .bind(id)
            .bind(version)
            .execute(&mut *self.conn().await?)
            .await
            .map_err(classify)?;
        if updated.rows_affected() == 1 {
            return Ok(());
        }
        self.why_not_written("contacts", id).await
    }

    pub async fn create_company(
        &self,
        draft: &CompanyDraft,
        user_id: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        let query = sqlx::query(
            "INSERT INTO companies (name, domain, industry, size, phone, website, street, city,
                 postal_code, country, notes, owner_id, updated_at, updated_by, created_at,
                 created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?14)
             RETURNING id",
        );
        let row = bind_company(query, draft, user_id, now)
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(classify)?;
        self.forget_total("companies");
        // Contacts are found by their company's name: their search counts change too.
        self.forget_total("contacts");
        Ok(row.try_get(0)?)
    }

    pub async fn update_company(
        &self,
        id: i64,
        version: i64,
        draft: &CompanyDraft,
        user_id: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        let query = sqlx::query(
            "UPDATE companies SET name = ?1, domain = ?2, industry = ?3, size = ?4, phone = ?5,
                 website = ?6, street = ?7, city = ?8, postal_code = ?9, country = ?10,
                 notes = ?11, owner_id = ?12, updated_at = ?13, updated_by = ?14,
                 version = version + 1
             WHERE id = ?15 AND version = ?16 AND deleted_at IS NULL",
        );
        let updated = bind_company(query, draft, user_id, now)
            .bind(id)
            .bind(version)
            .execute(&mut *self.conn().await?)
            .await
            .map_err(classify)?;
        if updated.rows_affected() == 1 {
            return Ok(());
        }
        self.why_not_written("companies", id).await
    }

    /// After an update that changed nothing: was the record stale, or gone?
    async fn why_not_written(&self, table: &str, id: i64) -> Result<(), WriteError> {
        let live: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT 1 FROM {table} WHERE id = ? AND deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Err(if live.is_some() {
            WriteError::Stale
        } else {
            WriteError::Missing
        })
    }

    /// Moves a live record to the trash; false if there is none.
    pub async fn trash_record(
        &self,
        kind: RecordKind,
        id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET deleted_at = ?1, updated_at = ?1, updated_by = ?2, version = version + 1
             WHERE id = ?3 AND deleted_at IS NULL",
            table_of(kind)
        ))
        .bind(now)
        .bind(user_id)
        .bind(id)
        .execute(&mut *self.conn().await?)
        .await?;
        self.forget_total(table_of(kind));
        self.forget_total("contacts");
        Ok(done.rows_affected() == 1)
    }

    /// Brings a record back from the trash. `Duplicate` when a live record has since taken its
    /// e-mail or domain; `Missing` when it is not in the trash.
    pub async fn restore_record(
        &self,
        kind: RecordKind,
        id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<(), WriteError> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET deleted_at = NULL, updated_at = ?1, updated_by = ?2,
                 version = version + 1
             WHERE id = ?3 AND deleted_at IS NOT NULL",
            table_of(kind)
        ))
        .bind(now)
        .bind(user_id)
        .bind(id)
        .execute(&mut *self.conn().await?)
        .await
        .map_err(classify)?;
        self.forget_total(table_of(kind));
        self.forget_total("contacts");
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(WriteError::Missing)
        }
    }

    /// The records in the trash, most recently deleted first.
    /// Up to `limit` records in the trash, most recently deleted first, after `after`
    /// (`deleted_at`, kind, id of the last item of the previous page).
    pub async fn trash(
        &self,
        after: Option<(i64, RecordKind, i64)>,
        limit: u32,
    ) -> Result<Vec<TrashItem>, sqlx::Error> {
        let (at, kind, id) = after.map_or((i64::MAX, "~", i64::MAX), |(at, kind, id)| {
            (at, kind.as_str(), id)
        });
        let rows = sqlx::query(
            "SELECT * FROM (
                 SELECT 'contact' AS kind, id, trim(first_name || ' ' || last_name) AS name,
                        deleted_at FROM contacts WHERE deleted_at IS NOT NULL AND deleted_at <= ?1
                 UNION ALL
                 SELECT 'company', id, name, deleted_at FROM companies
                 WHERE deleted_at IS NOT NULL AND deleted_at <= ?1)
             WHERE (deleted_at, kind, id) < (?1, ?2, ?3)
             ORDER BY deleted_at DESC, kind DESC, id DESC LIMIT ?4",
        )
        .bind(at)
        .bind(kind)
        .bind(id)
        .bind(limit)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TrashItem {
                    kind: row
                        .try_get::<&str, _>("kind")?
                        .parse()
                        .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    deleted_at: row.try_get("deleted_at")?,
                })
            })
            .collect()
    }

    /// Deletes for good what has been in the trash since before `before`; returns how many.
    pub async fn empty_trash(&self, before: i64) -> Result<u64, sqlx::Error> {
        let mut conn = self.conn().await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let contacts = sqlx::query("DELETE FROM contacts WHERE deleted_at < ?")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let companies = sqlx::query("DELETE FROM companies WHERE deleted_at < ?")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        self.forget_total("contacts");
        self.forget_total("companies");
        Ok(contacts + companies)
    }

    /// Users who can own records (active ones), by name.
    pub async fn owners(&self) -> Result<Vec<(i64, String)>, sqlx::Error> {
        let rows = sqlx::query("SELECT id, name FROM users WHERE active ORDER BY name, id")
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("name")?)))
            .collect()
    }
}

type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds a contact's fields, then who saved it and when (parameters 1 to 15).
fn bind_contact<'q>(
    query: SqliteQuery<'q>,
    draft: &'q ContactDraft,
    company_id: Option<i64>,
    user_id: i64,
    now: i64,
) -> SqliteQuery<'q> {
    let phone = draft.phone.as_ref();
    query
        .bind(&draft.first_name)
        .bind(&draft.last_name)
        .bind(draft.email.as_ref().map_or("", |e| e.as_str()))
        .bind(phone.map_or("", |p| p.typed()))
        .bind(phone.map_or("", |p| p.digits()))
        .bind(phone.map(|p| p.search_tokens()).unwrap_or_default())
        .bind(&draft.job_title)
        .bind(company_id)
        .bind(&draft.city)
        .bind(draft.status.as_str())
        .bind(serde_json::to_string(draft.tags.as_slice()).unwrap_or_else(|_| "[]".into()))
        .bind(&draft.notes)
        .bind(draft.owner_id)
        .bind(now)
        .bind(user_id)
}

/// Binds a company's fields, then who saved it and when (parameters 1 to 14).
fn bind_company<'q>(
    query: SqliteQuery<'q>,
    draft: &'q CompanyDraft,
    user_id: i64,
    now: i64,
) -> SqliteQuery<'q> {
    query
        .bind(&draft.name)
        .bind(draft.domain.as_ref().map_or("", |d| d.as_str()))
        .bind(&draft.industry)
        .bind(draft.size)
        .bind(draft.phone.as_ref().map_or("", |p| p.typed()))
        .bind(&draft.website)
        .bind(&draft.street)
        .bind(&draft.city)
        .bind(&draft.postal_code)
        .bind(&draft.country)
        .bind(&draft.notes)
        .bind(draft.owner_id)
        .bind(now)
        .bind(user_id)
}

fn table_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Contact => "contacts",
        RecordKind::Company => "companies",
    }
}
