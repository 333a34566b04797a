//! Imports the reference data that government publishes about every English authority, from
//! the files as an operator downloads them: DfE's Local Authority Interactive Tool (the values
//! in long form, gzipped or not; the data dictionary; the statistical neighbour workbooks, read
//! with calamine) and the ONS-to-DfE geography. A release is read whole first: a file missing,
//! unreadable or without the columns it should have stores nothing; a row that cannot be read is
//! refused with its line and reason and the rest is stored, all in one transaction; the same
//! files again change nothing.

pub mod periods;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{Days, NaiveDate, NaiveDateTime};
use platform_db::DbConnection;
use platform_db::repo::reference::{self as repo, Area, Measure, Neighbour, Place, Release, Value};
use sha2::{Digest, Sha256};

use periods::YearType;

/// A row that could not be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refused {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub release: Release,
    /// False when the same release was already imported (nothing changed).
    pub changed: bool,
    pub refused: Vec<Refused>,
}

impl Report {
    /// The report in words, the first `shown` refusals listed.
    pub fn render(&self, shown: usize) -> String {
        let r = &self.release;
        let mut out = format!(
            "{}: {} rows read, {} values stored, {} values missing (-), {} rows refused{}",
            r.source,
            r.rows_read,
            r.values_stored,
            r.values_missing,
            r.rows_refused,
            if self.changed { "" } else { "; the same release was already imported: nothing changed" }
        );
        let mut by_file: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &self.refused {
            *by_file.entry(f.file.as_str()).or_default() += 1;
        }
        if !by_file.is_empty() {
            let parts: Vec<String> = by_file.iter().map(|(f, n)| format!("{n} in {f}")).collect();
            out.push_str(&format!("\nrefused: {}", parts.join(", ")));
        }
        for f in self.refused.iter().take(shown) {
            out.push_str(&format!("\n  {} line {}: {}", f.file, f.line, f.reason));
        }
        if self.refused.len() > shown {
            out.push_str(&format!("\n  … and {} more", self.refused.len() - shown));
        }
        out
    }
}

/// The line a CSV record starts on (a record can span lines); the header is line 1.
fn line_of(record: &Result<csv::StringRecord, csv::Error>, index: usize) -> u64 {
    record.as_ref().ok().and_then(csv::StringRecord::position).map_or(index as u64 + 2, csv::Position::line)
}

/// Reads a file whole, adding its bytes to the release's fingerprint.
fn read(path: &Path, hash: &mut Sha256) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    hash.update(&bytes);
    Ok(bytes)
}

/// The first of `names` that exists in `dir`.
fn find(dir: &Path, names: &[&str]) -> anyhow::Result<PathBuf> {
    names
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
        .with_context(|| format!("{} has none of {}", dir.display(), names.join(", ")))
}

/// A CSV's columns by name; an error naming those missing.
fn columns(headers: &csv::StringRecord, file: &str, wanted: &[&str]) -> anyhow::Result<HashMap<String, usize>> {
    let at: HashMap<String, usize> = headers.iter().enumerate().map(|(i, h)| (h.trim().to_string(), i)).collect();
    let missing: Vec<&str> = wanted.iter().copied().filter(|w| !at.contains_key(*w)).collect();
    if !missing.is_empty() {
        bail!("{file} has no column {}", missing.join(", "));
    }
    Ok(at)
}

/// A date the dictionary writes as an Excel day number (45809) or as text (2025-06-01).
fn dictionary_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(n) = text.parse::<u64>() {
        return NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(n)).filter(|_| n > 0);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y")).ok()
}

/// The region of an authority as the values file names it, as the code of its region's area.
fn region_key(name: &str) -> String {
    let n = name.trim().to_ascii_lowercase();
    match n.as_str() {
        "inner london" => "london (inner)".into(),
        "outer london" => "london (outer)".into(),
        _ => n,
    }
}

/// Imports LAIT from `dir`: `bds_long.csv.gz` (or `.csv`), `lait_data_dictionary.csv` and the
/// statistical neighbour workbooks `sn_may_2025.xlsx` and `sn_april_2021.xlsx` (each if there).
pub fn import_lait(conn: &mut DbConnection, dir: &Path, now: NaiveDateTime) -> anyhow::Result<Report> {
    let mut hash = Sha256::new();
    let mut refused = Vec::new();

    // The dictionary: one measure per code (a second entry is refused, the first kept).
    let dict_name = "lait_data_dictionary.csv";
    let dict_bytes = read(&find(dir, &[dict_name])?, &mut hash)?;
    // The dictionary is not all UTF-8 (DfE's text has stray Windows characters): read leniently.
    let dict_text = String::from_utf8_lossy(&dict_bytes).into_owned();
    let mut dict = csv::ReaderBuilder::new().flexible(true).from_reader(dict_text.as_bytes());
    let want = [
        "Measure_short",
        "Measure",
        "Topic",
        "Polarity",
        "y_axis_name",
        "dps",
        "Year_Type",
        "No_Quartile",
        "Description",
        "Methodology",
        "Hyperlink(s)",
        "Last Update",
    ];
    let at = columns(dict.headers().context("reading the dictionary's header")?, dict_name, &want)?;
    let mut measures: Vec<Measure> = Vec::new();
    let mut years: HashMap<String, YearType> = HashMap::new();
    let mut released_on: Option<NaiveDate> = None;
    for (i, record) in dict.records().enumerate() {
        let line = line_of(&record, i);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                refused.push(Refused { file: dict_name.into(), line, reason: e.to_string() });
                continue;
            }
        };
        let get = |c: &str| record.get(at[c]).unwrap_or("").trim().to_string();
        let code = get("Measure_short");
        if code.is_empty() {
            refused.push(Refused { file: dict_name.into(), line, reason: "no Measure_short".into() });
            continue;
        }
        if years.contains_key(&code) {
            refused.push(Refused {
                file: dict_name.into(),
                line,
                reason: format!("a second entry for {code} (the first is kept)"),
            });
            continue;
        }
        let polarity = match get("Polarity").as_str() {
            "High" => "high",
            "Low" => "low",
            _ => "none",
        };
        let last = get("Last Update");
        if let Some(d) = dictionary_date(&last) {
            released_on = released_on.max(Some(d));
        }
        years.insert(code.clone(), YearType::of(&get("Year_Type")));
        measures.push(Measure {
            code,
            title: get("Measure"),
            topic: get("Topic"),
            polarity: polarity.into(),
            unit: get("y_axis_name"),
            dps: get("dps").parse().ok(),
            year_type: get("Year_Type"),
            // `N` in No_Quartile marks a measure DfE does not band in quartiles.
            quartiles: get("No_Quartile") != "N",
            description: get("Description"),
            methodology: get("Methodology"),
            source: get("Hyperlink(s)"),
            last_update: dictionary_date(&last).map_or(last, |d| d.to_string()),
        });
    }

    // The values, in long form.
    let values_path = find(dir, &["bds_long.csv.gz", "bds_long.csv"])?;
    let values_name = values_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let raw = read(&values_path, &mut hash)?;
    let text = if values_name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .with_context(|| format!("{values_name} is not a gzip file"))?;
        out
    } else {
        raw
    };
    let mut rows = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_slice());
    let want = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number", "Region"];
    let at = columns(rows.headers().context("reading the values' header")?, &values_name, &want)?;
    let mut areas: BTreeMap<String, Area> = BTreeMap::new();
    let mut area_regions: Vec<(String, String)> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    let (mut rows_read, mut missing) = (0i32, 0i32);
    for (i, record) in rows.records().enumerate() {
        rows_read += 1;
        let line = line_of(&record, i);
        let mut refuse = |reason: String| refused.push(Refused { file: values_name.clone(), line, reason });
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                refuse(e.to_string());
                continue;
            }
        };
        let get = |c: &str| record.get(at[c]).unwrap_or("").trim();
        let measure = get("Short Desc");
        let Some(year_type) = years.get(measure) else {
            refuse(format!("the measure {measure:?} is not in the data dictionary"));
            continue;
        };
        let code = get("LA Number");
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            refuse(format!("the area's number {code:?} is not DfE's three digits"));
            continue;
        }
        let period = match periods::parse(get("Years"), *year_type) {
            Ok(p) => p,
            Err(e) => {
                refuse(e);
                continue;
            }
        };
        let value = match get("Values") {
            "-" | "" => None,
            v => match v.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n),
                _ => {
                    refuse(format!("the value {v:?} is not a number or -"));
                    continue;
                }
            },
        };
        let key = (measure.to_string(), code.to_string(), get("Years").to_string());
        if !seen.insert(key) {
            refuse(format!("a second value for {measure} in {} for {}", get("LA and Regions"), get("Years")));
            continue;
        }
        if value.is_none() {
            missing += 1;
        }
        if !areas.contains_key(code) {
            let region = get("Region");
            let kind = if code == "970" {
                "england"
            } else if region.eq_ignore_ascii_case("NA") || region.is_empty() {
                "region"
            } else {
                "authority"
            };
            if kind == "authority" {
                area_regions.push((code.to_string(), region_key(region)));
            }
            areas.insert(
                code.to_string(),
                Area { code: code.into(), kind: kind.into(), name: get("LA and Regions").into(), region: None },
            );
        }
        values.push(Value {
            measure: measure.into(),
            area: code.into(),
            period: get("Years").into(),
            period_start: period.start,
            period_end: period.end,
            period_kind: period.kind.into(),
            period_status: period.status.into(),
            value,
        });
    }
    // Each authority's region, by the region's name as its own rows give it.
    let regions: HashMap<String, String> =
        areas.values().filter(|a| a.kind == "region").map(|a| (a.name.to_ascii_lowercase(), a.code.clone())).collect();
    for (code, region) in area_regions {
        if let Some(a) = areas.get_mut(&code) {
            a.region = regions.get(&region).cloned();
        }
    }

    // The statistical neighbours.
    let mut neighbours = Vec::new();
    for (file, edition) in [("sn_may_2025.xlsx", "2025-05"), ("sn_april_2021.xlsx", "2021-04")] {
        let path = dir.join(file);
        if !path.is_file() {
            continue;
        }
        read(&path, &mut hash)?;
        neighbours.extend(read_neighbours(&path, file, edition, &areas, &mut refused)?);
    }

    let release = Release {
        source: "lait".into(),
        sha256: format!("{:x}", hash.finalize()),
        imported_at: now,
        released_on,
        rows_read,
        values_stored: i32::try_from(values.len()).unwrap_or(i32::MAX),
        values_missing: missing,
        rows_refused: i32::try_from(refused.len()).unwrap_or(i32::MAX),
    };
    let areas: Vec<Area> = areas.into_values().collect();
    let changed = repo::replace_lait(conn, &release, &measures, &areas, &values, &neighbours)?;
    let release = if changed { release } else { repo::release(conn, "lait")?.unwrap_or(release) };
    Ok(Report { release, changed, refused })
}

/// A cell as text: numbers without a fraction written as whole numbers.
fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        calamine::Data::Int(i) => i.to_string(),
        other => other.to_string().trim().to_string(),
    }
}

/// One statistical neighbour workbook: the header (`LA num`, …, `SN1`, `SNP`, … `SN10`, `SNP`)
/// is found where it is (DfE puts it on the third row); each authority's ten, with closeness.
fn read_neighbours(
    path: &Path,
    file: &str,
    edition: &str,
    areas: &BTreeMap<String, Area>,
    refused: &mut Vec<Refused>,
) -> anyhow::Result<Vec<Neighbour>> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).with_context(|| format!("{file} is not a workbook"))?;
    let sheet = book.sheet_names().first().cloned().with_context(|| format!("{file} has no sheet"))?;
    let range = book.worksheet_range(&sheet).with_context(|| format!("reading {file}"))?;
    let mut rows = range.rows().enumerate();
    let header = rows
        .by_ref()
        .find(|(_, r)| r.first().is_some_and(|c| cell_text(c).eq_ignore_ascii_case("LA num")))
        .map(|(_, r)| r.iter().map(cell_text).collect::<Vec<_>>())
        .with_context(|| format!("{file} has no header row starting \"LA num\""))?;
    let sn: Vec<usize> = (1..=10)
        .map(|k| {
            header.iter().position(|h| *h == format!("SN{k}")).with_context(|| format!("{file} has no column SN{k}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut out = Vec::new();
    for (i, row) in rows {
        let line = i as u64 + 1;
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        let code = cells.first().cloned().unwrap_or_default();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            // Below the table DfE keeps notes and the old groups: the table ends here.
            break;
        }
        if !areas.contains_key(&code) {
            refused.push(Refused {
                file: file.into(),
                line,
                reason: format!("authority {code} has no values in the release"),
            });
            continue;
        }
        let mut group = Vec::new();
        for (rank, col) in sn.iter().enumerate() {
            let n = cells.get(*col).cloned().unwrap_or_default();
            let closeness = cells.get(col + 1).cloned().unwrap_or_default();
            if !areas.contains_key(&n) {
                refused.push(Refused {
                    file: file.into(),
                    line,
                    reason: format!("neighbour {} of {code} ({n:?}) has no values in the release", rank + 1),
                });
                group.clear();
                break;
            }
            group.push(Neighbour {
                edition: edition.into(),
                area: code.clone(),
                rank: i32::try_from(rank + 1).unwrap_or(10),
                neighbour: n,
                closeness,
            });
        }
        out.extend(group);
    }
    Ok(out)
}

/// Imports the ONS-to-DfE lookup from `dir`: `las.csv` (`new_la_code`, `la_name`,
/// `parent_geography_code`, `status`, `old_la_code`; `x` for no DfE code).
pub fn import_geography(conn: &mut DbConnection, dir: &Path, now: NaiveDateTime) -> anyhow::Result<Report> {
    let mut hash = Sha256::new();
    let name = "las.csv";
    let bytes = read(&find(dir, &[name])?, &mut hash)?;
    let mut rows = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
    let at = columns(
        rows.headers().context("reading the header")?,
        name,
        &["new_la_code", "la_name", "parent_geography_code", "status", "old_la_code"],
    )?;
    let (mut places, mut refused, mut seen) = (Vec::new(), Vec::new(), HashSet::new());
    let mut rows_read = 0;
    for (i, record) in rows.records().enumerate() {
        rows_read += 1;
        let line = line_of(&record, i);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                refused.push(Refused { file: name.into(), line, reason: e.to_string() });
                continue;
            }
        };
        let get = |c: &str| record.get(at[c]).unwrap_or("").trim().to_string();
        let ons = get("new_la_code");
        let valid = ons.len() == 9 && ons.starts_with('E') && ons[1..].bytes().all(|b| b.is_ascii_digit());
        if !valid {
            refused.push(Refused { file: name.into(), line, reason: format!("{ons:?} is not an English ONS code") });
            continue;
        }
        if !seen.insert(ons.clone()) {
            refused.push(Refused { file: name.into(), line, reason: format!("a second row for {ons}") });
            continue;
        }
        let dfe = get("old_la_code");
        let dfe = (dfe.len() == 3 && dfe.bytes().all(|b| b.is_ascii_digit())).then_some(dfe);
        let region = get("parent_geography_code");
        places.push(Place {
            ons_code: ons,
            dfe_code: dfe,
            name: get("la_name"),
            region_ons_code: (!region.is_empty()).then_some(region),
            status: get("status"),
        });
    }
    let release = Release {
        source: "geography".into(),
        sha256: format!("{:x}", hash.finalize()),
        imported_at: now,
        released_on: None,
        rows_read,
        values_stored: i32::try_from(places.len()).unwrap_or(i32::MAX),
        values_missing: 0,
        rows_refused: i32::try_from(refused.len()).unwrap_or(i32::MAX),
    };
    let changed = repo::replace_geography(conn, &release, &places)?;
    let release = if changed { release } else { repo::release(conn, "geography")?.unwrap_or(release) };
    Ok(Report { release, changed, refused })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionarys_dates_are_excel_day_numbers_or_text() {
        assert_eq!(dictionary_date("45809"), NaiveDate::from_ymd_opt(2025, 6, 1));
        assert_eq!(dictionary_date("2025-06-01"), NaiveDate::from_ymd_opt(2025, 6, 1));
        assert_eq!(dictionary_date("NA"), None);
    }

    #[test]
    fn an_authoritys_region_is_found_by_the_name_its_rows_give() {
        assert_eq!(region_key("Inner London"), "london (inner)");
        assert_eq!(region_key("Yorkshire and The Humber"), "yorkshire and the humber");
    }
}
