//! The tables behind a comparison's views as files: CSV (one table) and XLSX (every table of the
//! view, a sheet each, and a sheet saying what the figures are). Figures keep their symbols: a
//! value DfE did not publish is `-` in both (a text cell in the workbook), numbers are numbers
//! in the workbook, shown at the measure's decimal places.

use actix_web::HttpResponse;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::error::ApiError;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A figure and the decimal places it is shown at.
    Number(f64, usize),
    /// A figure not given: `-` (not published), `c`, `z`, `x` or `low`.
    Symbol(String),
}

impl Cell {
    /// A figure, or `-` where there is none.
    pub fn figure(value: Option<f64>, dps: Option<i32>) -> Cell {
        match value {
            Some(v) if v.is_finite() => Cell::Number(v, places(dps)),
            _ => Cell::Symbol("-".into()),
        }
    }

    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    /// As a CSV field: a figure as published (not rounded), a symbol as it is.
    fn csv(&self) -> String {
        match self {
            Cell::Text(t) | Cell::Symbol(t) => t.clone(),
            Cell::Number(v, _) => v.to_string(),
        }
    }
}

/// Decimal places to show: the measure's, one when it says none, at most six.
pub fn places(dps: Option<i32>) -> usize {
    usize::try_from(dps.unwrap_or(1)).unwrap_or(1).min(6)
}

/// A table of a view.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet's name (at most 31 characters, as Excel allows).
    pub name: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Which file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// The `format` of a query: none for the page itself.
    pub fn of(text: Option<&str>) -> Result<Option<FileFormat>, ApiError> {
        match text.map(str::trim) {
            None | Some("" | "html") => Ok(None),
            Some("csv") => Ok(Some(FileFormat::Csv)),
            Some("xlsx") => Ok(Some(FileFormat::Xlsx)),
            Some(other) => {
                Err(ApiError::bad_request(Some("format"), format!("{other:?} is not a format: csv or xlsx")))
            }
        }
    }
}

/// A file name made safe: letters, digits and dashes (DfE's codes hold `%`, `&` and spaces).
pub fn file_name(parts: &[&str], ext: &str) -> String {
    let joined = parts.join("-");
    let mut out = String::new();
    for c in joined.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    format!("{}.{ext}", out.trim_matches('-'))
}

/// One table as CSV.
pub fn csv(table: &Table) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(format!("writing CSV: {e}"));
    w.write_record(&table.head).map_err(fail)?;
    for row in &table.rows {
        w.write_record(row.iter().map(Cell::csv)).map_err(fail)?;
    }
    w.into_inner().map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))
}

/// Every table as a sheet of one workbook, after a sheet of notes.
pub fn xlsx(notes: &[String], tables: &[Table]) -> Result<Vec<u8>, ApiError> {
    let fail = |e: XlsxError| ApiError::Internal(format!("writing XLSX: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    {
        let sheet = book.add_worksheet().set_name("About").map_err(fail)?;
        sheet.set_column_width(0, 100).map_err(fail)?;
        for (i, note) in notes.iter().enumerate() {
            sheet.write_string(row_of(i)?, 0, note).map_err(fail)?;
        }
    }
    for table in tables {
        let sheet = book.add_worksheet().set_name(&table.name).map_err(fail)?;
        for (c, head) in table.head.iter().enumerate() {
            sheet.write_string_with_format(0, col_of(c)?, head, &bold).map_err(fail)?;
            sheet.set_column_width(col_of(c)?, if c == 0 { 40 } else { 16 }).map_err(fail)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = row_of(r + 1)?;
            for (c, cell) in row.iter().enumerate() {
                let c = col_of(c)?;
                match cell {
                    Cell::Text(t) | Cell::Symbol(t) => sheet.write_string(r, c, t).map_err(fail)?,
                    Cell::Number(v, dps) => {
                        let pattern =
                            if *dps == 0 { "#,##0".to_string() } else { format!("#,##0.{}", "0".repeat(*dps)) };
                        sheet
                            .write_number_with_format(r, c, *v, &Format::new().set_num_format(&pattern))
                            .map_err(fail)?
                    }
                };
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

fn row_of(i: usize) -> Result<u32, ApiError> {
    u32::try_from(i).map_err(|_| ApiError::Internal("too many rows for a sheet".into()))
}

fn col_of(i: usize) -> Result<u16, ApiError> {
    u16::try_from(i).map_err(|_| ApiError::Internal("too many columns for a sheet".into()))
}

/// The file as a download.
pub fn respond(format: FileFormat, name: &str, bytes: Vec<u8>) -> HttpResponse {
    let kind = match format {
        FileFormat::Csv => "text/csv; charset=utf-8",
        FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, kind))
        .insert_header((CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .body(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            name: "Over the years".into(),
            head: vec!["Period".into(), "County Durham".into()],
            rows: vec![
                vec![Cell::text("2023"), Cell::figure(Some(4.1), Some(1))],
                vec![Cell::text("2022, revised"), Cell::figure(None, Some(1))],
                vec![Cell::text("2021"), Cell::Symbol("c".into())],
            ],
        }
    }

    #[test]
    fn csv_keeps_figures_as_published_and_symbols_as_they_are() {
        let text = String::from_utf8(csv(&table()).unwrap()).unwrap();
        assert_eq!(text, "Period,County Durham\n2023,4.1\n\"2022, revised\",-\n2021,c\n");
    }

    #[test]
    fn a_workbook_is_a_zip_with_a_sheet_per_table() {
        let bytes = xlsx(&["Infant mortality".into()], &[table()]).unwrap();
        // An XLSX file is a zip archive: it starts with the zip signature.
        assert_eq!(&bytes[..2], b"PK");
        // Excel refuses sheet names over 31 characters: so does the writer.
        let long = Table { name: "x".repeat(40), ..table() };
        assert!(xlsx(&[], &[long]).is_err());
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name(&["durham", "KS2 % RWM & exp"], "csv"), "durham-KS2-RWM-exp.csv");
        assert_eq!(FileFormat::of(Some("xlsx")).unwrap(), Some(FileFormat::Xlsx));
        assert!(FileFormat::of(Some("pdf")).is_err());
    }
}
