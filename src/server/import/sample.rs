//! `/import/sample.csv` and `/import/sample-companies.csv`: small files in the format an export
//! writes (and an import reads), to start a spreadsheet from. Built with the `csv` crate from the
//! export's own columns (less the times, which an import does not read), so they cannot drift.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::domain::{neutralise, RecordKind, COMPANY_COLUMNS, CONTACT_COLUMNS};

/// Two people: every field filled for the first (a company by name and domain, tags, a note over
/// two lines), only the name and e-mail for the second.
const CONTACTS: [[&str; 12]; 2] = [
    [
        "Ada",
        "Lovelace",
        "ada@example.com",
        "+44 20 7946 0958",
        "Analyst",
        "Analytical Engines",
        "engines.example",
        "London",
        "customer",
        "vip, newsletter",
        "",
        "Met at the conference.\nPrefers e-mail.",
    ],
    [
        "Grace",
        "Hopper",
        "grace@example.org",
        "",
        "",
        "",
        "",
        "",
        "lead",
        "",
        "",
        "",
    ],
];

const COMPANIES: [[&str; 12]; 2] = [
    [
        "Analytical Engines",
        "engines.example",
        "Manufacturing",
        "40",
        "+44 20 7946 0000",
        "https://engines.example",
        "12 Marylebone Road",
        "London",
        "NW1 5LR",
        "United Kingdom",
        "",
        "Our oldest customer.",
    ],
    ["Compiler Works", "", "", "", "", "", "", "", "", "", "", ""],
];

/// The sample file for `kind` (contacts unless companies), with a byte order mark as an export.
pub fn sample(kind: RecordKind) -> Result<Vec<u8>, csv::Error> {
    let (columns, rows): (&[&str], &[[&str; 12]]) = match kind {
        RecordKind::Company => (&COMPANY_COLUMNS[..12], &COMPANIES),
        _ => (&CONTACT_COLUMNS[..12], &CONTACTS),
    };
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record(columns)?;
    for row in rows {
        out.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

fn download(kind: RecordKind, name: &str) -> Response {
    match sample(kind) {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                        .unwrap_or(HeaderValue::from_static("attachment")),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot write the sample file");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /import/sample.csv`.
pub async fn contacts() -> Response {
    download(RecordKind::Contact, "clientele-contacts-sample.csv")
}

/// `GET /import/sample-companies.csv`.
pub async fn companies() -> Response {
    download(RecordKind::Company, "clientele-companies-sample.csv")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{guess_mapping, restore};

    fn read(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
        let text = std::str::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("a byte order mark");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(|c| restore(c).to_owned()).collect())
            .collect();
        (header, rows)
    }

    #[test]
    fn every_column_of_a_sample_is_recognised_and_its_cells_read_back_as_written() {
        for (kind, rows) in [
            (RecordKind::Contact, &CONTACTS),
            (RecordKind::Company, &COMPANIES),
        ] {
            let (header, read_rows) = read(&sample(kind).unwrap());
            let mapping = guess_mapping(kind, &header);
            assert!(
                mapping.iter().all(Option::is_some),
                "{kind:?}: {header:?} → {mapping:?}"
            );
            let expected: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect();
            assert_eq!(read_rows, expected);
        }
    }
}
