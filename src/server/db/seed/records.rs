//! Companies and contacts for a bulk load: realistic names, reserved `.example` domains, unique
//! e-mails, many rows to a statement and many statements to a transaction.

use fake::faker::address::en::{CityName, CountryName, PostCode, StreetName};
use fake::faker::company::en::{CompanyName, Industry};
use fake::faker::job::en::Title as JobTitle;
use fake::faker::lorem::en::Sentence;
use fake::faker::name::en::{FirstName, LastName};
use fake::faker::phone_number::en::PhoneNumber as FakePhone;
use fake::rand::rngs::StdRng;
use fake::rand::RngExt;
use fake::Fake;
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};

use super::{slug, Progress, SeedPlan, ROWS_PER_STATEMENT, ROWS_PER_TRANSACTION};
use crate::domain::{ContactStatus, PhoneNumber};

const TAGS: [&str; 16] = [
    "vip",
    "newsletter",
    "trade show",
    "partner",
    "referral",
    "webinar",
    "enterprise",
    "smb",
    "renewal",
    "churn risk",
    "beta",
    "event",
    "inbound",
    "outbound",
    "decision maker",
    "champion",
];

/// Loads `plan`'s companies, then its contacts (some at those companies), then their activities
/// and tasks.
#[allow(clippy::too_many_arguments)]
pub(super) async fn load(
    conn: &mut SqliteConnection,
    plan: SeedPlan,
    rng: &mut StdRng,
    users: &[i64],
    creator: Option<i64>,
    now: i64,
    first_company: i64,
    first_contact: i64,
    progress: &mut dyn Progress,
) -> anyhow::Result<()> {
    let two_years = 2 * 365 * 24 * 3600;
    let owner = |rng: &mut StdRng| -> Option<i64> {
        (!users.is_empty() && rng.random_bool(0.9)).then(|| users[rng.random_range(0..users.len())])
    };

    // Companies: remember their names and domains for the contacts that work there.
    progress.stage("companies", plan.companies);
    let mut companies: Vec<(String, String)> = Vec::with_capacity(plan.companies as usize);
    let mut done = 0u64;
    while done < plan.companies {
        let mut tx = conn.begin().await?;
        let in_tx = (plan.companies - done).min(ROWS_PER_TRANSACTION as u64);
        let mut written = 0u64;
        while written < in_tx {
            let n = (in_tx - written).min(ROWS_PER_STATEMENT as u64);
            let mut rows = Vec::with_capacity(n as usize);
            for i in 0..n {
                let id = first_company + (done + written + i) as i64;
                let name: String = CompanyName().fake_with_rng(rng);
                let domain = format!("{}-{id}.example", slug(&name));
                let created = now - rng.random_range(0..two_years);
                let updated = rng.random_range(created..=now);
                let size: Option<i64> = rng.random_bool(0.8).then(|| {
                    let exp: f64 = rng.random_range(0.0..4.5);
                    10f64.powf(exp) as i64
                });
                let phone: String = FakePhone().fake_with_rng(rng);
                let notes = if rng.random_bool(0.3) {
                    Sentence(5..15).fake_with_rng(rng)
                } else {
                    String::new()
                };
                rows.push((
                    id,
                    name,
                    domain,
                    Industry().fake_with_rng::<String, _>(rng),
                    size,
                    phone,
                    StreetName().fake_with_rng::<String, _>(rng),
                    CityName().fake_with_rng::<String, _>(rng),
                    PostCode().fake_with_rng::<String, _>(rng),
                    CountryName().fake_with_rng::<String, _>(rng),
                    notes,
                    owner(rng),
                    created,
                    updated,
                ));
            }
            let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO companies (id, name, domain, industry, size, phone, website, street, \
                 city, postal_code, country, notes, owner_id, created_at, created_by, updated_at, \
                 updated_by) ",
            );
            insert.push_values(&rows, |mut b, row| {
                b.push_bind(row.0)
                    .push_bind(&row.1)
                    .push_bind(&row.2)
                    .push_bind(&row.3)
                    .push_bind(row.4)
                    .push_bind(&row.5)
                    .push_bind(format!("https://www.{}", row.2))
                    .push_bind(&row.6)
                    .push_bind(&row.7)
                    .push_bind(&row.8)
                    .push_bind(&row.9)
                    .push_bind(&row.10)
                    .push_bind(row.11)
                    .push_bind(row.12)
                    .push_bind(creator)
                    .push_bind(row.13)
                    .push_bind(creator);
            });
            insert.build().execute(&mut *tx).await?;
            companies.extend(rows.into_iter().map(|r| (r.1, r.2)));
            written += n;
            progress.advance(n);
        }
        tx.commit().await?;
        done += in_tx;
    }

    progress.stage("contacts", plan.contacts);
    let mut seeded: Vec<super::work::Seeded> = Vec::with_capacity(plan.contacts as usize);
    let mut done = 0u64;
    while done < plan.contacts {
        let mut tx = conn.begin().await?;
        let in_tx = (plan.contacts - done).min(ROWS_PER_TRANSACTION as u64);
        let mut written = 0u64;
        while written < in_tx {
            let n = (in_tx - written).min(ROWS_PER_STATEMENT as u64);
            let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO contacts (id, first_name, last_name, email, phone, phone_digits, \
                 phone_search, job_title, company_id, city, status, tags, notes, owner_id, \
                 created_at, created_by, updated_at, updated_by) ",
            );
            let rows: Vec<_> = (0..n)
                .map(|i| {
                    let id = first_contact + (done + written + i) as i64;
                    let owner = owner(rng);
                    contact_row(rng, id, &companies, first_company, now, two_years, owner)
                })
                .collect();
            seeded.extend(rows.iter().map(|r| (r.id, r.company_id, r.created)));
            insert.push_values(&rows, |mut b, row| {
                b.push_bind(row.id)
                    .push_bind(&row.first)
                    .push_bind(&row.last)
                    .push_bind(&row.email)
                    .push_bind(row.phone.as_ref().map_or("", |p| p.typed()))
                    .push_bind(row.phone.as_ref().map_or("", |p| p.digits()))
                    .push_bind(
                        row.phone
                            .as_ref()
                            .map(|p| p.search_tokens())
                            .unwrap_or_default(),
                    )
                    .push_bind(&row.job_title)
                    .push_bind(row.company_id)
                    .push_bind(&row.city)
                    .push_bind(row.status.as_str())
                    .push_bind(&row.tags)
                    .push_bind(&row.notes)
                    .push_bind(row.owner)
                    .push_bind(row.created)
                    .push_bind(creator)
                    .push_bind(row.updated)
                    .push_bind(creator);
            });
            insert.build().execute(&mut *tx).await?;
            written += n;
            progress.advance(n);
        }
        tx.commit().await?;
        done += in_tx;
    }
    super::work::load(conn, rng, &seeded, users, now, progress).await
}

struct ContactSeed {
    id: i64,
    first: String,
    last: String,
    email: String,
    phone: Option<PhoneNumber>,
    job_title: String,
    company_id: Option<i64>,
    city: String,
    status: ContactStatus,
    tags: String,
    notes: String,
    owner: Option<i64>,
    created: i64,
    updated: i64,
}

fn contact_row(
    rng: &mut StdRng,
    id: i64,
    companies: &[(String, String)],
    first_company: i64,
    now: i64,
    span: i64,
    owner: Option<i64>,
) -> ContactSeed {
    let first: String = FirstName().fake_with_rng(rng);
    let last: String = LastName().fake_with_rng(rng);
    let company = (!companies.is_empty() && rng.random_bool(0.9))
        .then(|| rng.random_range(0..companies.len()));
    let domain = company.map_or_else(
        || ["example.com", "example.net", "example.org"][rng.random_range(0..3)].to_owned(),
        |i| companies[i].1.clone(),
    );
    let email = format!("{}.{}.{id}@{domain}", slug(&first), slug(&last)).replace("..", ".");
    let phone_text: String = FakePhone().fake_with_rng(rng);
    let status = match rng.random_range(0..10) {
        0..=3 => ContactStatus::Lead,
        4..=5 => ContactStatus::Prospect,
        6..=8 => ContactStatus::Customer,
        _ => ContactStatus::Inactive,
    };
    let tag_count = rng.random_range(0..4);
    let mut tags: Vec<&str> = Vec::new();
    for _ in 0..tag_count {
        let tag = TAGS[rng.random_range(0..TAGS.len())];
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let created = now - rng.random_range(0..span);
    ContactSeed {
        id,
        email,
        phone: PhoneNumber::parse(&phone_text).ok().flatten(),
        job_title: JobTitle().fake_with_rng(rng),
        company_id: company.map(|i| first_company + i as i64),
        city: CityName().fake_with_rng(rng),
        status,
        tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()),
        notes: if rng.random_bool(0.2) {
            Sentence(4..12).fake_with_rng(rng)
        } else {
            String::new()
        },
        owner,
        created,
        updated: rng.random_range(created..=now),
        first,
        last,
    }
}
