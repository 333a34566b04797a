//! The reference data imported as an operator would, from the files DfE and ONS publish (read
//! from `../shared/data/`, never copied into the project), through the real binary on both
//! backends: every row accounted for, published figures found as published, the same release
//! again changing nothing, and a broken release storing nothing.

use diesel::prelude::*;
use platform_db::schema::{ref_areas, ref_geography, ref_neighbours, ref_releases, ref_values};

use crate::support::{both_backends, run_platform};

/// A folder of the published data: `../shared/data/` beside the project (or where
/// `PLATFORM_SHARED_DATA` says), which the tests read and the project never copies.
fn shared(dir: &str) -> String {
    let root = std::env::var("PLATFORM_SHARED_DATA")
        .unwrap_or_else(|_| format!("{}/../../../shared/data", env!("CARGO_MANIFEST_DIR")));
    let path = format!("{root}/{dir}");
    assert!(
        std::path::Path::new(&path).is_dir(),
        "the published data is not at {path}: the tests read it from ../shared/data beside the project (or set PLATFORM_SHARED_DATA)"
    );
    path
}

/// What an independent reader (Python's csv module) finds in the published values file: the
/// rows, the `-` values, and the value of (measure, authority number, period) as written.
fn published(measure: &str, area: &str, period: &str) -> (usize, usize, String) {
    let script = format!(
        "import csv, gzip, sys\nrows = missing = 0\nfound = ''\nfor r in csv.DictReader(gzip.open(sys.argv[1], 'rt', encoding='utf-8')):\n    rows += 1\n    missing += r['Values'] == '-'\n    if (r['Short Desc'], r['LA Number'], r['Years']) == ({measure:?}, {area:?}, {period:?}): found = r['Values']\nprint(rows, missing, found)"
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script, &format!("{}/bds_long.csv.gz", shared("lait"))])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace();
    (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap_or("").to_string(),
    )
}

/// The figure after `before` in a report line (`641070 rows read` → 641070).
fn figure(text: &str, after: &str) -> usize {
    let at = text.find(after).unwrap_or_else(|| panic!("no {after:?} in {text}"));
    text[..at].rsplit([' ', ':']).find(|w| !w.is_empty()).unwrap().parse().unwrap()
}

both_backends! {
    fn dfes_published_data_is_imported_whole_and_again_changes_nothing(db) {
        let dir = db.dir.path();
        let env = [("DATABASE_URL", db.url.as_str())];
        assert_eq!(run_platform(dir, &env, &["migrate"]).code, Some(0));

        let run = run_platform(dir, &env, &["reference", "import", "lait", &shared("lait")]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let (rows, dashes, durham_2023) = published("InfMort", "840", "2023");
        assert_eq!(figure(&run.stdout, " rows read"), rows, "{}", run.stdout);
        // Every row of the values is stored or refused with its line and reason.
        let stored = figure(&run.stdout, " values stored");
        let refused = figure(&run.stdout, " in bds_long.csv.gz");
        assert_eq!(stored + refused, rows, "{}", run.stdout);
        assert!(refused < 1000, "{}", run.stdout);
        let missing = figure(&run.stdout, " values missing");
        assert!(missing <= dashes && missing + refused >= dashes, "the - values kept as none: {missing} of {dashes}");
        assert!(run.stdout.contains("\"0\" is not a period DfE writes"), "DfE's stray period is refused by name: {}", run.stdout);
        assert!(run.stdout.contains("a second entry for"), "the dictionary's repeated measures are named: {}", run.stdout);

        let mut conn = db.conn();
        let n: i64 = ref_values::table.count().get_result(&mut conn).unwrap();
        assert_eq!(n as usize, stored);
        // A published figure, as published: Durham's infant mortality in 2023.
        let value: Option<f64> = ref_values::table
            .filter(ref_values::measure.eq("InfMort")).filter(ref_values::area.eq("840")).filter(ref_values::period.eq("2023"))
            .select(ref_values::value).first(&mut conn).unwrap();
        assert_eq!(value, Some(durham_2023.parse::<f64>().unwrap()));
        // A value DfE wrote in scientific notation or as `-` is read as a number or as none.
        let (_, _, southwark) = published("InfMort", "210", "2023");
        let theirs: Option<f64> = ref_values::table
            .filter(ref_values::measure.eq("InfMort")).filter(ref_values::area.eq("210")).filter(ref_values::period.eq("2023"))
            .select(ref_values::value).first(&mut conn).unwrap();
        assert_eq!(theirs, southwark.parse::<f64>().ok());
        // Areas: authorities with their region, the regions, England.
        let durham: (String, Option<String>) = ref_areas::table.find("840").select((ref_areas::kind, ref_areas::region)).first(&mut conn).unwrap();
        assert_eq!(durham, ("authority".to_string(), Some("980".to_string())));
        let england: String = ref_areas::table.find("970").select(ref_areas::kind).first(&mut conn).unwrap();
        assert_eq!(england, "england");
        let southwark_region: Option<String> = ref_areas::table.find("210").select(ref_areas::region).first(&mut conn).unwrap();
        assert_eq!(southwark_region.as_deref(), Some("987"), "Inner London");
        // Durham's ten statistical neighbours of May 2025, nearest first.
        let neighbours: Vec<(i32, String)> = ref_neighbours::table
            .filter(ref_neighbours::edition.eq("2025-05")).filter(ref_neighbours::area.eq("840"))
            .order(ref_neighbours::rank.asc()).select((ref_neighbours::rank, ref_neighbours::closeness)).load(&mut conn).unwrap();
        assert_eq!(neighbours.len(), 10);
        assert_eq!(neighbours.iter().map(|(r, _)| *r).collect::<Vec<_>>(), (1..=10).collect::<Vec<_>>());

        // The same files again: nothing changes, the first import's date is kept.
        let first: chrono::NaiveDateTime = ref_releases::table.find("lait").select(ref_releases::imported_at).first(&mut conn).unwrap();
        let again = run_platform(dir, &env, &["reference", "import", "lait", &shared("lait")]);
        assert!(again.stdout.contains("nothing changed"), "{}", again.stdout);
        let kept: chrono::NaiveDateTime = ref_releases::table.find("lait").select(ref_releases::imported_at).first(&mut conn).unwrap();
        assert_eq!(first, kept);

        // The geography joins each founding trust's ONS code to DfE's code.
        let geo = run_platform(dir, &env, &["reference", "import", "geography", &shared("geography")]);
        assert_eq!(geo.code, Some(0), "{}{}", geo.stdout, geo.stderr);
        for (ons, dfe) in [("E06000047", "840"), ("E06000056", "823"), ("E08000024", "394"), ("E10000016", "886"), ("E09000028", "210")] {
            let code: Option<String> = ref_geography::table.find(ons).select(ref_geography::dfe_code).first(&mut conn).unwrap();
            assert_eq!(code.as_deref(), Some(dfe), "{ons}");
        }

        // A release without a column it needs stores nothing and says which.
        let broken = dir.join("broken");
        std::fs::create_dir_all(&broken).unwrap();
        let dictionary = std::fs::read_to_string(format!("{}/lait_data_dictionary.csv", shared("lait"))).unwrap_or_else(|_| {
            String::from_utf8_lossy(&std::fs::read(format!("{}/lait_data_dictionary.csv", shared("lait"))).unwrap()).into_owned()
        });
        std::fs::write(broken.join("lait_data_dictionary.csv"), dictionary.replacen("\"Polarity\"", "\"Direction\"", 1)).unwrap();
        std::fs::copy(format!("{}/bds_long.csv.gz", shared("lait")), broken.join("bds_long.csv.gz")).unwrap();
        let refused = run_platform(dir, &env, &["reference", "import", "lait", broken.to_str().unwrap()]);
        assert_ne!(refused.code, Some(0));
        assert!(refused.stderr.contains("no column Polarity"), "{}", refused.stderr);
        let still: i64 = ref_values::table.count().get_result(&mut conn).unwrap();
        assert_eq!(still as usize, stored, "nothing changed");

        // Through the API, as a Durham commissioner: Durham's infant mortality against its
        // neighbours, checked against the file read independently.
        let d = crate::accounts::Deployment::start(&db, true, &[]);
        let api = crate::contracts::Api::new(&d, "durham", "commissioner@durham.example");
        let before = api.get("/api/v1/tenants/durham/comparison?measure=NoSuchMeasure");
        assert_eq!(before.status, 404, "{}", before.body);
        let c = api.get("/api/v1/tenants/durham/comparison?measure=InfMort");
        assert_eq!(c.status, 200, "{}", c.body);
        assert_eq!(c.body["area_code"], "840");
        assert_eq!(c.body["measure"]["polarity"], "low");
        let row = c.body["periods"].as_array().unwrap().iter().find(|p| p["period"] == "2023").expect("2023").clone();
        assert_eq!(row["trust"].as_f64(), durham_2023.parse::<f64>().ok());
        let codes: Vec<String> = c.body["neighbours"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap().to_string()).collect();
        assert_eq!(codes.len(), 10);
        let theirs: Vec<f64> = codes.iter().filter_map(|code| published("InfMort", code, "2023").2.parse::<f64>().ok()).collect();
        let mean = theirs.iter().sum::<f64>() / theirs.len() as f64;
        assert!((row["neighbours_mean"].as_f64().unwrap() - mean).abs() < 1e-9, "{row} vs {mean}");
        assert_eq!(row["neighbours_with_values"].as_u64(), Some(theirs.len() as u64));
        assert_eq!(row["england"].as_f64(), published("InfMort", "970", "2023").2.parse::<f64>().ok());
        let latest = &c.body["latest"];
        assert!(latest["of"].as_u64().unwrap() > 140, "{latest}");
        assert!(["A", "B", "C", "D"].contains(&latest["band"].as_str().unwrap()), "{latest}");
        // The page shows the same, for every member of the trust.
        let b = crate::support::sign_in(&d.server.base, &d.mail, "durham", "viewer@durham.example");
        let page = b.get("/t/durham/comparison?measure=InfMort");
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Statistical neighbours") && page.body.contains("Durham"), "{}", page.body);
        let index = b.get("/t/durham/comparison");
        assert_eq!(index.status, 200);
        assert!(index.body.contains("/t/durham/comparison?measure") && index.body.contains("%25_2yr_olds"), "DfE's codes are written into links safely");
        let list = api.get("/api/v1/tenants/durham/comparison");
        assert_eq!(list.status, 200);
        assert!(list.body.as_array().unwrap().len() >= 400, "the measures, without one named");
    }
}
