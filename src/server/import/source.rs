//! Reading an uploaded file as CSV rows, whatever it turns out to hold: UTF-8 with or without a
//! byte order mark, comma, semicolon or tab separated, quoted fields with line breaks (the `csv`
//! crate), and a clear message for anything else — binary data, another encoding, an empty file,
//! a record too long to be a spreadsheet row. Memory stays bounded by one record.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::domain::detect_delimiter;

/// Longest record read, in bytes: far beyond any spreadsheet row, and what a row costs in memory.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

const BOM: &[u8] = b"\xef\xbb\xbf";

const SAVE_AS_UTF8: &str =
    "Save it from your spreadsheet as \u{201c}CSV UTF-8\u{201d} and try again.";

/// Counts the bytes read since the last record and refuses to go far past the limit.
struct Capped<R> {
    inner: R,
    since_record: Arc<AtomicU64>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.since_record.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > MAX_RECORD_BYTES + 64 * 1024 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TooLong,
            ));
        }
        Ok(n)
    }
}

#[derive(Debug)]
struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a record is too long")
    }
}

impl std::error::Error for TooLong {}

/// A CSV file being read, row by row.
pub struct Source {
    reader: csv::Reader<Capped<BufReader<File>>>,
    since_record: Arc<AtomicU64>,
    pub header: Vec<String>,
    last_line: u64,
}

impl Source {
    /// Opens `path` and reads its header row; the error is what to tell the user.
    pub fn open(path: &Path) -> Result<Self, String> {
        let mut file = File::open(path).map_err(|e| format!("The file cannot be read ({e})."))?;
        let mut head = Vec::with_capacity(64 * 1024);
        (&mut file)
            .take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(|e| format!("The file cannot be read ({e})."))?;
        let skip = if head.starts_with(BOM) { BOM.len() } else { 0 };
        let text = &head[skip..];
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err("The file is empty.".into());
        }
        if text.contains(&0) {
            return Err(format!(
                "This is not a CSV file: it holds binary data (a spreadsheet's own format?). {SAVE_AS_UTF8}"
            ));
        }
        if let Err(e) = std::str::from_utf8(text) {
            // A character cut by the end of what was read is no error.
            if e.error_len().is_some() {
                let line = 1 + text[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                return Err(format!("Line {line} is not UTF-8 text. {SAVE_AS_UTF8}"));
            }
        }
        let delimiter = detect_delimiter(text);
        file.seek(SeekFrom::Start(skip as u64))
            .map_err(|e| format!("The file cannot be read ({e})."))?;
        let since_record = Arc::new(AtomicU64::new(0));
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(Capped {
                inner: BufReader::new(file),
                since_record: Arc::clone(&since_record),
            });
        let mut source = Self {
            reader,
            since_record,
            header: Vec::new(),
            last_line: 0,
        };
        let Some((_, header)) = source.next_row()? else {
            return Err("The file is empty.".into());
        };
        source.header = header;
        Ok(source)
    }

    /// The next row that holds anything, with the line it starts on; `None` at the end. An error
    /// is the end of the file as far as it can be read, and what to tell the user.
    pub fn next_row(&mut self) -> Result<Option<(u64, Vec<String>)>, String> {
        let mut record = csv::ByteRecord::new();
        loop {
            self.since_record.store(0, Ordering::Relaxed);
            match self.reader.read_byte_record(&mut record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(error) => {
                    let next = self.last_line + 1;
                    let too_long = matches!(error.kind(), csv::ErrorKind::Io(e) if e.get_ref().is_some_and(|e| e.is::<TooLong>()));
                    return Err(if too_long {
                        format!(
                            "The row starting after line {} is longer than 1 MB: this does not look like a spreadsheet's rows.",
                            self.last_line
                        )
                    } else {
                        format!("The file cannot be read from line {next}: {error}.")
                    });
                }
            }
            let line = record.position().map_or(self.last_line + 1, |p| p.line());
            self.last_line = line;
            if record
                .iter()
                .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            let cells = record
                .iter()
                .map(|cell| String::from_utf8(cell.to_vec()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| format!("Line {line} is not UTF-8 text. {SAVE_AS_UTF8}"))?;
            return Ok(Some((line, cells)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rows = Vec<(u64, Vec<String>)>;

    fn source_of(bytes: &[u8]) -> Result<(Vec<String>, Rows), String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut source = Source::open(&path)?;
        let mut rows = Vec::new();
        while let Some(row) = source.next_row()? {
            rows.push(row);
        }
        Ok((source.header.clone(), rows))
    }

    #[test]
    fn separators_quotes_and_a_byte_order_mark_are_read() {
        let (header, rows) =
            source_of(b"\xef\xbb\xbfName;Notes\nAnn;\"two\nlines; and a semicolon\"\n\n;\nBob;x\n")
                .unwrap();
        assert_eq!(header, ["Name", "Notes"]);
        assert_eq!(
            rows,
            [
                (
                    2,
                    vec!["Ann".to_owned(), "two\nlines; and a semicolon".to_owned()]
                ),
                (6, vec!["Bob".to_owned(), "x".to_owned()]),
            ]
        );
        let (_, rows) = source_of(b"a\tb\n1\t2\n").unwrap();
        assert_eq!(rows[0].1, ["1", "2"]);
    }

    #[test]
    fn files_that_are_not_csv_text_are_explained() {
        assert_eq!(source_of(b"").unwrap_err(), "The file is empty.");
        assert_eq!(source_of(b" \n\n").unwrap_err(), "The file is empty.");
        assert!(source_of(b"PK\x03\x04\x00\x00binary")
            .unwrap_err()
            .contains("binary data"));
        // Latin-1 "é" on line 2.
        let latin1 = source_of(b"Name\nJos\xe9\n").unwrap_err();
        assert!(latin1.starts_with("Line 2 is not UTF-8"), "{latin1}");
    }

    #[test]
    fn a_huge_record_stops_the_reading_with_a_message() {
        let mut file = b"Name,Notes\nAnn,short\nBob,\"".to_vec();
        file.extend(std::iter::repeat_n(b'x', 3 << 20));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, &file).unwrap();
        let mut source = Source::open(&path).unwrap();
        assert_eq!(source.next_row().unwrap().unwrap().0, 2);
        let error = source.next_row().unwrap_err();
        assert!(error.contains("longer than 1 MB"), "{error}");
    }
}
