//! DfE's periods, written as LAIT publishes them (`2023`, `2023-24`, `2015/16`, `2014-16`,
//! `2013/14-15/16`, with `(prov)`, `(Rev)`, `(Final)` or `(OT)` after), read as a start, an
//! end, a kind and a status; the label is kept for display.
//!
//! A single year is read by the measure's year type: a calendar year; the academic year (1
//! September to 31 August) or financial year (1 April to 31 March) that ends in it, as DfE
//! labels key stage results and spending. `2023-24` and `2023/24` are one academic or financial
//! year (financial only where the measure's year type says so); `2014-16` is the three calendar
//! years 2014 to 2016, and `2013/14-15/16` three academic or financial years, both `rolling`.

use chrono::NaiveDate;

/// A period read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// `financial`, `academic`, `calendar` or `rolling`.
    pub kind: &'static str,
    /// `final`, `provisional`, `revised` or `outturn`.
    pub status: &'static str,
}

/// How a measure counts its years, from the dictionary's `Year_Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearType {
    Academic,
    Financial,
    Calendar,
}

impl YearType {
    pub fn of(dictionary: &str) -> YearType {
        let t = dictionary.to_ascii_lowercase();
        if t.contains("academic") {
            YearType::Academic
        } else if t.contains("financial") {
            YearType::Financial
        } else {
            YearType::Calendar
        }
    }
}

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A year written with four digits, from 1990 to 2100.
fn year(text: &str) -> Option<i32> {
    let y: i32 = text.parse().ok().filter(|_| text.len() == 4)?;
    (1990..=2100).contains(&y).then_some(y)
}

/// The second year of `2023-24` or `2023/24`: two digits after a four-digit year.
fn following(first: i32, text: &str) -> Option<i32> {
    if text.len() == 4 {
        return year(text);
    }
    let yy: i32 = text.parse().ok().filter(|_| text.len() == 2)?;
    let y = first / 100 * 100 + yy;
    Some(if y < first { y + 100 } else { y })
}

/// The year from 1 September or 1 April of `first` to the end of the next one's.
fn school_or_financial(first: i32, last: i32, years: YearType) -> Option<(NaiveDate, NaiveDate)> {
    match years {
        YearType::Financial => Some((day(first, 4, 1)?, day(last, 3, 31)?)),
        _ => Some((day(first, 9, 1)?, day(last, 8, 31)?)),
    }
}

/// Reads a period label; the reason when it is not one.
pub fn parse(label: &str, years: YearType) -> Result<Period, String> {
    let text = label.trim();
    let (body, status) = match text.split_once('(') {
        Some((body, rest)) => {
            let status = match rest.trim_end_matches(')').trim().to_ascii_lowercase().as_str() {
                "prov" | "provisional" => "provisional",
                "rev" | "revised" => "revised",
                "final" => "final",
                "ot" => "outturn",
                other => return Err(format!("{label:?}: the status ({other}) is not one DfE uses")),
            };
            (body.trim(), status)
        }
        None => (text, "final"),
    };
    let bad =
        || format!("{label:?} is not a period DfE writes (a year such as 2023, 2023-24, 2014-16 or 2013/14-15/16)");
    // `2013/14-15/16`: three academic or financial years.
    if let Some((from, to)) = body.split_once('-').filter(|(f, t)| f.contains('/') && t.contains('/')) {
        let (a, _) = from.split_once('/').ok_or_else(bad)?;
        let (_, d) = to.split_once('/').ok_or_else(bad)?;
        let first = year(a).ok_or_else(bad)?;
        let last = following(first, d).ok_or_else(bad)?;
        if last != first + 3 {
            return Err(bad());
        }
        let (start, end) = school_or_financial(first, last, years).ok_or_else(bad)?;
        return Ok(Period { start, end, kind: "rolling", status });
    }
    // `2023-24`, `2023/24` (one year) or `2014-16` (three calendar years).
    if let Some((a, b)) = body.split_once(['-', '/']) {
        let first = year(a).ok_or_else(bad)?;
        let last = following(first, b).ok_or_else(bad)?;
        return match last - first {
            1 => {
                let (start, end) = school_or_financial(first, last, years).ok_or_else(bad)?;
                let kind = if years == YearType::Financial { "financial" } else { "academic" };
                Ok(Period { start, end, kind, status })
            }
            2 => Ok(Period {
                start: day(first, 1, 1).ok_or_else(bad)?,
                end: day(last, 12, 31).ok_or_else(bad)?,
                kind: "rolling",
                status,
            }),
            _ => Err(bad()),
        };
    }
    let y = year(body).ok_or_else(bad)?;
    match years {
        YearType::Calendar => Ok(Period {
            start: day(y, 1, 1).ok_or_else(bad)?,
            end: day(y, 12, 31).ok_or_else(bad)?,
            kind: "calendar",
            status,
        }),
        YearType::Academic => {
            let (start, end) = school_or_financial(y - 1, y, years).ok_or_else(bad)?;
            Ok(Period { start, end, kind: "academic", status })
        }
        YearType::Financial => {
            let (start, end) = school_or_financial(y - 1, y, years).ok_or_else(bad)?;
            Ok(Period { start, end, kind: "financial", status })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn read(label: &str, years: YearType) -> (NaiveDate, NaiveDate, &'static str, &'static str) {
        let p = parse(label, years).unwrap();
        (p.start, p.end, p.kind, p.status)
    }

    #[test]
    fn every_way_lait_writes_a_period_is_read() {
        use YearType::*;
        assert_eq!(read("2023", Calendar), (d("2023-01-01"), d("2023-12-31"), "calendar", "final"));
        assert_eq!(read("2023", Academic), (d("2022-09-01"), d("2023-08-31"), "academic", "final"));
        assert_eq!(read("2023", Financial), (d("2022-04-01"), d("2023-03-31"), "financial", "final"));
        assert_eq!(read("2023-24", Financial), (d("2023-04-01"), d("2024-03-31"), "financial", "final"));
        assert_eq!(read("2023-24", Academic), (d("2023-09-01"), d("2024-08-31"), "academic", "final"));
        assert_eq!(read("2015/16", Academic), (d("2015-09-01"), d("2016-08-31"), "academic", "final"));
        assert_eq!(read("1999-00", Financial), (d("1999-04-01"), d("2000-03-31"), "financial", "final"));
        assert_eq!(read("2014-16", Calendar), (d("2014-01-01"), d("2016-12-31"), "rolling", "final"));
        assert_eq!(read("2013/14-15/16", Financial), (d("2013-04-01"), d("2016-03-31"), "rolling", "final"));
        assert_eq!(read("2025 (prov)", Academic).3, "provisional");
        assert_eq!(read("2024-25 (OT)", Financial), (d("2024-04-01"), d("2025-03-31"), "financial", "outturn"));
        assert_eq!(read("2022 (Rev)", Calendar).3, "revised");
        assert_eq!(read("2021 (Final)", Calendar).3, "final");
    }

    #[test]
    fn what_is_not_a_period_is_refused_with_the_reason() {
        for label in ["0", "", "23", "2023-27", "2013/14-14/15", "2023 (guess)", "twenty", "2023-2x"] {
            let e = parse(label, YearType::Calendar).unwrap_err();
            assert!(e.contains(&format!("{label:?}")), "{e}");
        }
    }
}
