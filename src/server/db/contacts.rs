//! Contacts: their list (filtered, searched, sorted, paged), one contact, and writes with
//! optimistic locking.

use super::sql::{self, Builder, Row};

use super::paging::{self, Count, Paging, SortKey, Sorts};
use super::records::{classify, export_cells, stamp, SearchIn, WriteError, SEARCH_LIMIT};
use super::Db;
use crate::domain::{
    contact_name, ContactDraft, ContactRow, ContactStatus, ContactView, ListQuery, Page,
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

fn status_of(text: &str) -> Result<ContactStatus, sqlx::Error> {
    text.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}

fn tags_of(json: &str) -> Result<Vec<String>, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// How the contacts list sorts (the first is the default), each walking its index.
#[rustfmt::skip]
const CONTACT_SORTS: Sorts = Sorts {
    id: "c.id",
    keys: &[
        SortKey { name: "name", key: "c.sort_name", text_key: true, index: Some("contacts_live_by_name") },
        SortKey { name: "email", key: "c.email", text_key: true, index: Some("contacts_live_by_email") },
        SortKey { name: "city", key: "c.city", text_key: true, index: Some("contacts_live_by_city") },
        SortKey { name: "updated", key: "c.updated_at", text_key: false, index: Some("contacts_live_by_updated") },
        SortKey { name: "newest", key: "c.id", text_key: false, index: None },
    ],
};

/// What the contacts Search looks through.
const CONTACT_SEARCH: SearchIn = SearchIn {
    table: "contacts",
    id: "c.id",
    index: "contacts_fts",
    activity_column: "contact_id",
};

pub(super) const CONTACT_ROW: &str =
    "c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, \
     coalesce(co.name, '') AS company_name, c.city, c.status, c.tags, \
     coalesce(u.name, '') AS owner_name, c.updated_at";

/// A contact for an export, in the order of [`crate::domain::CONTACT_COLUMNS`].
const CONTACT_EXPORT: &str =
    "c.first_name, c.last_name, c.email, c.phone, c.job_title, coalesce(co.name, '') AS company, \
     coalesce(co.domain, '') AS company_domain, c.city, c.status, c.tags, \
     coalesce(u.email, '') AS owner, c.notes, c.created_at, c.updated_at";

fn contact_cells(row: &Row) -> Result<Vec<String>, sqlx::Error> {
    export_cells(
        row,
        &[
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "company",
            "company_domain",
            "city",
            "status",
            "tags",
            "owner",
            "notes",
            "created_at",
            "updated_at",
        ],
    )
}

pub(super) fn contact_row(row: &Row) -> Result<ContactRow, sqlx::Error> {
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

impl Db {
    /// One page of live contacts.
    pub async fn list_contacts(
        &self,
        filter: &ContactFilter,
        query: &ListQuery,
    ) -> Result<Page<ContactRow>, sqlx::Error> {
        let paging = CONTACT_SORTS.paging(query);
        self.contacts_page(filter, &paging, CONTACT_ROW, contact_row, true)
            .await
    }

    /// `rows` of the list `query` describes from its top, or after `after` (the `next` of the
    /// batch before), uncounted, each with every field for an export (see
    /// [`crate::domain::CONTACT_COLUMNS`]).
    pub async fn export_contacts(
        &self,
        filter: &ContactFilter,
        query: &ListQuery,
        rows: u32,
        after: Option<&str>,
    ) -> Result<Page<Vec<String>>, sqlx::Error> {
        let paging = CONTACT_SORTS.paging(query).batch(rows, after);
        self.contacts_page(filter, &paging, CONTACT_EXPORT, contact_cells, false)
            .await
    }

    /// A page of live contacts with the columns `select`, read by `map`; with their total if
    /// `counted`.
    async fn contacts_page<T>(
        &self,
        filter: &ContactFilter,
        paging: &Paging,
        select: &str,
        map: fn(&Row) -> Result<T, sqlx::Error>,
        counted: bool,
    ) -> Result<Page<T>, sqlx::Error> {
        // A common tag is best checked row by row while walking the sort order; a rare one is
        // best read first, then sorted.
        let common_tag = match &filter.tag {
            Some(tag) => {
                let seen: i64 = sql::query_scalar(
                    "SELECT count(*) FROM (SELECT 1 FROM contact_tags WHERE tag = ? LIMIT 2000) AS n",
                )
                .bind(tag)
                .fetch_one(&mut self.conn().await?)
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
                self.is_rare("contacts", "contacts_by_owner", "owner_id", owner.into())
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
        let from = |q: &mut Builder<'_>, counting: bool| {
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
                // Newest first with nothing else to filter, exactly the rows of this page are read.
                let newest = (only_search && !counting)
                    .then(|| paging.newest_page())
                    .flatten();
                CONTACT_SEARCH.push_filter(q, search, newest);
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
        // A search alone is counted among its matches, a tag alone in the tags (which hold only
        // live contacts).
        let count = if only_search {
            CONTACT_SEARCH.count(filter.search.clone())
        } else if only_tag {
            let tag = filter.tag.clone().unwrap_or_default();
            Count::Query(Box::new(move |q| {
                q.push("SELECT count(*) FROM (SELECT 1 FROM contact_tags WHERE tag = ")
                    .push_bind(tag.clone())
                    .push(format_args!(" LIMIT {SEARCH_LIMIT}) AS n"));
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
        let count = if counted { count } else { Count::Skip };
        paging::page(self, select, from, count, paging, map).await
    }

    /// A live contact.
    pub async fn contact(&self, id: i64) -> Result<Option<ContactView>, sqlx::Error> {
        let row = sql::query(
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
        .fetch_optional(&mut self.conn().await?)
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

    pub async fn create_contact(
        &self,
        draft: &ContactDraft,
        company_id: Option<i64>,
        user_id: i64,
        now: i64,
    ) -> Result<i64, WriteError> {
        let query = sql::query(
            "INSERT INTO contacts (first_name, last_name, email, phone, phone_digits, phone_search,
                 job_title, company_id, city, status, tags, notes, owner_id,
                 updated_at, updated_by, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14, ?15)
             RETURNING id",
        );
        let row = bind_contact(query, draft, company_id, user_id, now)
            .fetch_one(&mut self.conn().await?)
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
        let query = sql::query(
            "UPDATE contacts SET first_name = ?1, last_name = ?2, email = ?3, phone = ?4,
                 phone_digits = ?5, phone_search = ?6, job_title = ?7, company_id = ?8, city = ?9,
                 status = ?10, tags = ?11, notes = ?12, owner_id = ?13, updated_at = ?14,
                 updated_by = ?15, version = version + 1
             WHERE id = ?16 AND version = ?17 AND deleted_at IS NULL",
        );
        let query = bind_contact(query, draft, company_id, user_id, now)
            .bind(id)
            .bind(version);
        self.update_versioned(query, "contacts", id).await
    }
}

/// Binds a contact's fields, then who saved it and when (parameters 1 to 15).
fn bind_contact<'q>(
    query: sql::Query<'q>,
    draft: &'q ContactDraft,
    company_id: Option<i64>,
    user_id: i64,
    now: i64,
) -> sql::Query<'q> {
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
