//! Companies: their list (filtered, searched, sorted, paged), one company and its contacts, the
//! lookups a contact form needs, and writes with optimistic locking.

use super::sql::{self, Builder, Row};

use super::contacts::{contact_row, CONTACT_ROW};
use super::paging::{self, Count, Paging, SortKey, Sorts};
use super::records::{classify, export_cells, stamp, SearchIn, WriteError};
use super::Db;
use crate::domain::{CompanyDraft, CompanyRow, CompanyView, ContactRow, ListQuery, Page};

/// What narrows the companies list.
#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    pub search: Option<String>,
    pub industry: Option<String>,
    pub owner: Option<i64>,
}

/// A company a typed name or domain may mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyMatch {
    pub id: i64,
    pub name: String,
    pub domain: String,
}

/// What the companies Search looks through.
const COMPANY_SEARCH: SearchIn = SearchIn {
    table: "companies",
    id: "co.id",
    index: "companies_fts",
    activity_column: "company_id",
};

const COMPANY_ROW: &str = "co.id, co.name, co.domain, co.industry, co.size, co.city, \
     coalesce(u.name, '') AS owner_name, co.updated_at";

/// How the companies list sorts (the first is the default), each walking its index.
#[rustfmt::skip]
const COMPANY_SORTS: Sorts = Sorts {
    id: "co.id",
    keys: &[
        SortKey { name: "name", key: "co.sort_name", text_key: true, index: Some("companies_live_by_name") },
        SortKey { name: "domain", key: "co.domain", text_key: true, index: Some("companies_live_by_domain") },
        SortKey { name: "city", key: "co.city", text_key: true, index: Some("companies_live_by_city") },
        SortKey { name: "updated", key: "co.updated_at", text_key: false, index: Some("companies_live_by_updated") },
        SortKey { name: "newest", key: "co.id", text_key: false, index: None },
    ],
};

/// A company for an export, in the order of [`crate::domain::COMPANY_COLUMNS`].
const COMPANY_EXPORT: &str =
    "co.name, co.domain, co.industry, co.size, co.phone, co.website, co.street, co.city, \
     co.postal_code, co.country, coalesce(u.email, '') AS owner, co.notes, co.created_at, \
     co.updated_at";

fn company_cells(row: &Row) -> Result<Vec<String>, sqlx::Error> {
    export_cells(
        row,
        &[
            "name",
            "domain",
            "industry",
            "size",
            "phone",
            "website",
            "street",
            "city",
            "postal_code",
            "country",
            "owner",
            "notes",
            "created_at",
            "updated_at",
        ],
    )
}

fn company_row(row: &Row) -> Result<CompanyRow, sqlx::Error> {
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

impl Db {
    /// One page of live companies.
    pub async fn list_companies(
        &self,
        filter: &CompanyFilter,
        query: &ListQuery,
    ) -> Result<Page<CompanyRow>, sqlx::Error> {
        let paging = COMPANY_SORTS.paging(query);
        self.companies_page(filter, &paging, COMPANY_ROW, company_row, true)
            .await
    }

    /// `rows` of the list `query` describes from its top, or after `after` (the `next` of the
    /// batch before), uncounted, each with every field for an export (see
    /// [`crate::domain::COMPANY_COLUMNS`]).
    pub async fn export_companies(
        &self,
        filter: &CompanyFilter,
        query: &ListQuery,
        rows: u32,
        after: Option<&str>,
    ) -> Result<Page<Vec<String>>, sqlx::Error> {
        let paging = COMPANY_SORTS.paging(query).batch(rows, after);
        self.companies_page(filter, &paging, COMPANY_EXPORT, company_cells, false)
            .await
    }

    /// A page of live companies with the columns `select`, read by `map`; with their total if
    /// `counted`.
    async fn companies_page<T>(
        &self,
        filter: &CompanyFilter,
        paging: &Paging,
        select: &str,
        map: fn(&Row) -> Result<T, sqlx::Error>,
        counted: bool,
    ) -> Result<Page<T>, sqlx::Error> {
        let only_search =
            filter.search.is_some() && filter.industry.is_none() && filter.owner.is_none();
        // An owner or industry with few companies is read through its own index, not by walking
        // the whole sort order.
        let rare_owner = match filter.owner {
            Some(owner) => {
                self.is_rare("companies", "companies_by_owner", "owner_id", owner.into())
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
                    industry.as_str().into(),
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
        let from = |q: &mut Builder<'_>, counting: bool| {
            q.push(" FROM companies co");
            if let Some(index) = walk_index {
                q.push(format_args!(" INDEXED BY {index}"));
            }
            if !counting {
                q.push(" LEFT JOIN users u ON u.id = co.owner_id");
            }
            q.push(" WHERE co.deleted_at IS NULL");
            if let Some(search) = &filter.search {
                // Newest first with nothing else to filter, exactly the rows of this page are read.
                let newest = (only_search && !counting)
                    .then(|| paging.newest_page())
                    .flatten();
                COMPANY_SEARCH.push_filter(q, search, newest);
            }
            if let Some(industry) = &filter.industry {
                q.push(" AND co.industry = ").push_bind(industry.clone());
            }
            if let Some(owner) = filter.owner {
                q.push(" AND co.owner_id = ").push_bind(owner);
            }
        };
        let count = if only_search {
            COMPANY_SEARCH.count(filter.search.clone())
        } else if filter.search.is_none() && filter.industry.is_none() && filter.owner.is_none() {
            Count::Unfiltered("companies")
        } else {
            Count::Rows
        };
        let count = if counted { count } else { Count::Skip };
        paging::page(self, select, from, count, paging, map).await
    }

    /// A live company.
    pub async fn company(&self, id: i64) -> Result<Option<CompanyView>, sqlx::Error> {
        let row = sql::query(
            "SELECT co.*, ow.name AS owner_name, cb.name AS created_by_name,
                    ub.name AS updated_by_name
             FROM companies co
             LEFT JOIN users ow ON ow.id = co.owner_id
             LEFT JOIN users cb ON cb.id = co.created_by
             LEFT JOIN users ub ON ub.id = co.updated_by
             WHERE co.id = ? AND co.deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut self.conn().await?)
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
        let rows = sql::query(&format!(
            "SELECT {CONTACT_ROW} FROM contacts c
             LEFT JOIN companies co ON co.id = c.company_id
             LEFT JOIN users u ON u.id = c.owner_id
             WHERE c.company_id = ? AND c.deleted_at IS NULL
             ORDER BY c.sort_name, c.id LIMIT ?"
        ))
        .bind(company_id)
        .bind(limit)
        .fetch_all(&mut self.conn().await?)
        .await?;
        rows.iter().map(contact_row).collect()
    }

    /// Live companies whose name (ignoring case) or domain is `text`.
    pub async fn find_companies(&self, text: &str) -> Result<Vec<CompanyMatch>, sqlx::Error> {
        let rows = sql::query(
            // Two index lookups (by name, by domain): an OR of both would scan the table.
            "SELECT id, name, domain FROM companies WHERE deleted_at IS NULL AND sort_name = lower(?1)
             UNION
             SELECT id, name, domain FROM companies
             WHERE deleted_at IS NULL AND domain <> '' AND domain = lower(?1)
             ORDER BY id LIMIT 5",
        )
        .bind(text.trim())
        .fetch_all(&mut self.conn().await?)
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
        sql::query_scalar(
            "WITH RECURSIVE i(industry, n) AS (
                 SELECT min(industry), 1 FROM companies
                 WHERE deleted_at IS NULL AND industry > ''
                 UNION ALL
                 SELECT (SELECT min(industry) FROM companies
                         WHERE deleted_at IS NULL AND industry > i.industry), n + 1
                 FROM i WHERE i.industry IS NOT NULL AND n < 200)
             SELECT industry FROM i WHERE industry IS NOT NULL",
        )
        .fetch_all(&mut self.conn().await?)
        .await
    }

    pub async fn create_company(
        &self,
        draft: &CompanyDraft,
        user_id: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        let query = sql::query(
            "INSERT INTO companies (name, domain, industry, size, phone, website, street, city,
                 postal_code, country, notes, owner_id, updated_at, updated_by, created_at,
                 created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?14)
             RETURNING id",
        );
        let row = bind_company(query, draft, user_id, now)
            .fetch_one(&mut self.conn().await?)
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
        let query = sql::query(
            "UPDATE companies SET name = ?1, domain = ?2, industry = ?3, size = ?4, phone = ?5,
                 website = ?6, street = ?7, city = ?8, postal_code = ?9, country = ?10,
                 notes = ?11, owner_id = ?12, updated_at = ?13, updated_by = ?14,
                 version = version + 1
             WHERE id = ?15 AND version = ?16 AND deleted_at IS NULL",
        );
        let query = bind_company(query, draft, user_id, now)
            .bind(id)
            .bind(version);
        self.update_versioned(query, "companies", id).await
    }
}

/// Binds a company's fields, then who saved it and when (parameters 1 to 14).
fn bind_company<'q>(
    query: sql::Query<'q>,
    draft: &'q CompanyDraft,
    user_id: i64,
    now: i64,
) -> sql::Query<'q> {
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
