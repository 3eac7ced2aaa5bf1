//! Records as rows of a spreadsheet: the columns of an export (which an import reads back) and
//! the guard against formulas a spreadsheet would run.

use std::borrow::Cow;

/// The columns of a contacts export, in order.
pub const CONTACT_COLUMNS: [&str; 14] = [
    "First name",
    "Last name",
    "E-mail",
    "Phone",
    "Job title",
    "Company",
    "Company domain",
    "City",
    "Status",
    "Tags",
    "Owner",
    "Notes",
    "Created",
    "Updated",
];

/// The columns of a companies export, in order.
pub const COMPANY_COLUMNS: [&str; 14] = [
    "Name",
    "Domain",
    "Industry",
    "Employees",
    "Phone",
    "Website",
    "Street",
    "City",
    "Postal code",
    "Country",
    "Owner",
    "Notes",
    "Created",
    "Updated",
];

/// What a spreadsheet reads as the start of a formula (OWASP's list: `=`, `+`, `-`, `@`, and a tab
/// or carriage return, which some spreadsheets skip before one).
fn starts_a_formula(text: &str) -> bool {
    text.trim_start_matches('\'')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as it is written to a file a spreadsheet may open: text that would start a formula gets
/// a leading `'`, which spreadsheets show as text and never evaluate. So that [`restore`] can
/// undo it exactly, text that already starts with apostrophes before such a character gets one
/// more.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if starts_a_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The value a cell held before [`neutralise`].
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_a_formula(cell) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_as_text() {
        for formula in ["=1+1", "+44 20 7946 0958", "-2", "@SUM(A1)", "\t=x", "\r=x"] {
            assert_eq!(neutralise(formula), format!("'{formula}"));
        }
        for plain in ["Ann", "ann@example.com", "", "1+1", " =x", "a-b"] {
            assert_eq!(neutralise(plain), plain);
        }
    }

    #[test]
    fn every_value_comes_back_exactly() {
        for value in [
            "=1+1", "'=1+1", "''=1+1", "'", "'plain", "''", "+44", "'+44", "-", "plain", "",
        ] {
            assert_eq!(restore(&neutralise(value)), value, "{value:?}");
        }
    }
}
