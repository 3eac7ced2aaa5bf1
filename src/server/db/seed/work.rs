//! The team's work for `clientele seed`: about five activities per seeded contact (on the contact
//! and its company) and a task for about one contact in three, a third of them done, due within a
//! month either side of today. Same fixed random seed, same batching as the records.

use fake::faker::lorem::en::Sentence;
use fake::rand::rngs::StdRng;
use fake::rand::RngExt;
use fake::Fake;
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};

use super::{Progress, ROWS_PER_STATEMENT, ROWS_PER_TRANSACTION};

const KINDS: [&str; 4] = ["note", "call", "meeting", "email"];
const SUBJECTS: [&str; 10] = [
    "Intro call",
    "Follow-up",
    "Product demo",
    "Pricing question",
    "Contract review",
    "Quarterly check-in",
    "Sent the proposal",
    "Support issue",
    "Renewal talk",
    "Met at the trade show",
];
const TASKS: [&str; 6] = [
    "Call back",
    "Send the quote",
    "Prepare the demo",
    "Chase the invoice",
    "Book a meeting",
    "Send the contract",
];

/// A seeded contact: its id, its company and when it was created.
pub(super) type Seeded = (i64, Option<i64>, i64);

pub(super) async fn load(
    conn: &mut SqliteConnection,
    rng: &mut StdRng,
    contacts: &[Seeded],
    users: &[i64],
    now: i64,
    progress: &mut dyn Progress,
) -> anyhow::Result<()> {
    let user =
        |rng: &mut StdRng| (!users.is_empty()).then(|| users[rng.random_range(0..users.len())]);

    // Activities: 3 to 7 per contact.
    let counts: Vec<usize> = contacts.iter().map(|_| rng.random_range(3..=7)).collect();
    progress.stage("activities", counts.iter().sum::<usize>() as u64);
    let mut pending: Vec<ActivitySeed> = Vec::with_capacity(ROWS_PER_STATEMENT);
    let mut in_tx = 0;
    let mut tx = conn.begin().await?;
    for (&(contact, company, created), &n) in contacts.iter().zip(&counts) {
        for _ in 0..n {
            let at = rng.random_range(created..=now);
            let body: String = if rng.random_bool(0.3) {
                Sentence(6..20).fake_with_rng(rng)
            } else {
                String::new()
            };
            pending.push((
                KINDS[rng.random_range(0..KINDS.len())],
                SUBJECTS[rng.random_range(0..SUBJECTS.len())],
                body,
                at,
                contact,
                company,
                user(rng),
            ));
            if pending.len() == ROWS_PER_STATEMENT {
                insert_activities(&mut tx, &mut pending).await?;
                progress.advance(ROWS_PER_STATEMENT as u64);
                in_tx += ROWS_PER_STATEMENT;
                if in_tx >= ROWS_PER_TRANSACTION {
                    tx.commit().await?;
                    tx = conn.begin().await?;
                    in_tx = 0;
                }
            }
        }
    }
    let left = pending.len() as u64;
    insert_activities(&mut tx, &mut pending).await?;
    progress.advance(left);
    tx.commit().await?;

    // Tasks: one for about a third of the contacts.
    let with_task: Vec<&Seeded> = contacts.iter().filter(|_| rng.random_bool(0.3)).collect();
    progress.stage("tasks", with_task.len() as u64);
    for chunk in with_task.chunks(ROWS_PER_TRANSACTION) {
        let mut tx = conn.begin().await?;
        for rows in chunk.chunks(ROWS_PER_STATEMENT) {
            let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO tasks (title, due_at, due_time, assignee_id, contact_id, done_at, \
                 done_by, created_at, created_by, updated_at, updated_by) ",
            );
            let rows: Vec<_> = rows
                .iter()
                .map(|&&(contact, _, _)| {
                    let due = now + rng.random_range(-30..=30) * 86_400;
                    let due = due - due.rem_euclid(86_400) + 86_399;
                    let done = rng
                        .random_bool(0.33)
                        .then(|| now - rng.random_range(0..30 * 86_400));
                    (
                        TASKS[rng.random_range(0..TASKS.len())],
                        due,
                        user(rng),
                        contact,
                        done,
                    )
                })
                .collect();
            insert.push_values(&rows, |mut b, (title, due, assignee, contact, done)| {
                b.push_bind(*title)
                    .push_bind(*due)
                    .push_bind(0)
                    .push_bind(*assignee)
                    .push_bind(*contact)
                    .push_bind(*done)
                    .push_bind(done.and(*assignee))
                    .push_bind(now)
                    .push_bind(*assignee)
                    .push_bind(now)
                    .push_bind(*assignee);
            });
            insert.build().execute(&mut *tx).await?;
            progress.advance(rows.len() as u64);
        }
        tx.commit().await?;
    }
    Ok(())
}

type ActivitySeed = (
    &'static str,
    &'static str,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
);

/// Writes `rows` (and empties it) in one statement.
async fn insert_activities(
    tx: &mut SqliteConnection,
    rows: &mut Vec<ActivitySeed>,
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO activities (kind, subject, body, happened_at, contact_id, company_id, \
         author_id, updated_by, created_at, updated_at) ",
    );
    insert.push_values(
        rows.drain(..),
        |mut b, (kind, subject, body, at, contact, company, author)| {
            b.push_bind(kind)
                .push_bind(subject)
                .push_bind(body)
                .push_bind(at)
                .push_bind(contact)
                .push_bind(company)
                .push_bind(author)
                .push_bind(author)
                .push_bind(at)
                .push_bind(at);
        },
    );
    insert.build().execute(&mut *tx).await?;
    Ok(())
}
