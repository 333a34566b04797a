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

        scorecard(&d, &api, &c.body);
        charts_and_downloads(&b, &durham_2023);
        groups(&d, &api);
        operator_upload(&d);
    }
}

/// The scorecard: every measure with a value for Durham, each as the measure's own comparison
/// says; filtered and sorted as asked; refused filters named; a need recorded from a row.
fn scorecard(d: &crate::accounts::Deployment, api: &crate::contracts::Api, infmort: &serde_json::Value) {
    let all = api.get("/api/v1/tenants/durham/comparison/scorecard");
    assert_eq!(all.status, 200, "{}", all.body);
    let rows = all.body["rows"].as_array().unwrap();
    assert!(rows.len() > 300, "most of DfE's measures have a value for Durham: {}", rows.len());
    assert_eq!(all.body["with_value"].as_u64().unwrap() as usize, rows.len());
    // Every measure of the dictionary is on it or counted as having no value for Durham.
    let measures = api.get("/api/v1/tenants/durham/comparison").body.as_array().unwrap().len() as u64;
    assert_eq!(rows.len() as u64 + all.body["without_value"].as_u64().unwrap(), measures);
    // The infant mortality row is what the measure's own comparison says.
    let row = rows.iter().find(|r| r["code"] == "InfMort").expect("InfMort on the scorecard");
    let latest = &infmort["latest"];
    for (a, b) in [
        ("value", "value"),
        ("rank", "rank"),
        ("of", "of"),
        ("band", "band"),
        ("direction", "direction"),
        ("period", "period"),
    ] {
        assert_eq!(row[a], latest[b], "{a}: {row} vs {latest}");
    }
    // A row per measure, by topic then title.
    let topics: Vec<&str> = rows.iter().map(|r| r["topic"].as_str().unwrap()).collect();
    assert!(topics.windows(2).all(|w| w[0] <= w[1]), "by topic");

    // Band D and worsening: exactly the rows that are both.
    let worst = api.get("/api/v1/tenants/durham/comparison/scorecard?band=D&direction=worsening");
    assert_eq!(worst.status, 200, "{}", worst.body);
    let expected = rows.iter().filter(|r| r["band"] == "D" && r["direction"] == "worsening").count();
    assert_eq!(worst.body["rows"].as_array().unwrap().len(), expected);
    assert!(expected > 0, "Durham has some measures in band D and worsening");
    // Sorted by band: D first, not banded last.
    let by_band = api.get("/api/v1/tenants/durham/comparison/scorecard?sort=band");
    let order: Vec<u8> = by_band.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["band"].as_str().map_or(0, |b| b.as_bytes()[0]))
        .collect();
    assert!(order.windows(2).all(|w| w[0] >= w[1] || w[1] == 0 && w[0] == 0), "D, C, B, A, then none");
    // One topic.
    let topic = row["topic"].as_str().unwrap();
    let one = api.get(&format!("/api/v1/tenants/durham/comparison/scorecard?topic={}", url_encode(topic)));
    assert!(one.body["rows"].as_array().unwrap().iter().all(|r| r["topic"] == topic));
    // A filter that is not one of its choices is refused by name; an unknown topic too.
    let bad = api.get("/api/v1/tenants/durham/comparison/scorecard?band=E");
    assert_eq!((bad.status, bad.body["field"].as_str()), (400, Some("band")), "{}", bad.body);
    let bad = api.get("/api/v1/tenants/durham/comparison/scorecard?topic=Astrology");
    assert_eq!((bad.status, bad.body["field"].as_str()), (400, Some("topic")), "{}", bad.body);

    // The page: filters kept, each measure linked; a commissioner records a need from a row, a
    // viewer cannot.
    let viewer = crate::support::sign_in(&d.server.base, &d.mail, "durham", "viewer@durham.example");
    let page = viewer.get("/t/durham/comparison/scorecard?band=D&direction=worsening&sort=rank");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body.matches("/t/durham/comparison?measure").count(), expected, "a link per row shown");
    assert!(!page.body.contains("Record a need"));
    let bad_page = viewer.get("/t/durham/comparison/scorecard?band=E");
    assert_eq!(bad_page.status, 400);
    assert!(bad_page.body.contains("href=\"#band\""), "the error summary links to the filter");
    let commissioner = crate::support::sign_in(&d.server.base, &d.mail, "durham", "commissioner@durham.example");
    let page = commissioner.get("/t/durham/comparison/scorecard?band=D&direction=worsening");
    let marker = "/t/durham/needs/new?";
    let at = page.body.find(marker).expect("a Record a need link");
    // (The page writes `&` and `=` in attributes as entities.)
    let link = page.body[at..].split('"').next().unwrap().replace("&amp;", "&").replace("&#x3D;", "=");
    let form = commissioner.get(&link);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("rank ") && form.body.contains("quartile band D") && form.body.contains("worsening"),
        "the measure is the need's evidence: {}",
        form.body
    );
    assert!(form.body.contains("DfE Local Authority Interactive Tool"), "and its source");
}

/// A query value written safely.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The measure's page draws its charts with the figures of its tables; the tables download as
/// CSV and XLSX with the same figures.
fn charts_and_downloads(b: &crate::support::Browser, durham_2023: &str) {
    let page = b.get("/t/durham/comparison?measure=InfMort");
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("role=\"img\"").count(), 2, "a line chart and a bar chart");
    // Each marker of the line chart is titled with its figure; the table beside it has the
    // same figure for the same period.
    let marked = format!("Durham, 2023: {}", durham_2023.parse::<f64>().map(|v| format!("{v:.1}")).unwrap());
    assert!(
        page.body.contains(&marked),
        "{marked} in the chart: {:?}",
        page.body.match_indices("2023: ").map(|(i, _)| &page.body[i.saturating_sub(40)..i + 12]).collect::<Vec<_>>()
    );
    let row = page.body.split("<tr>").find(|r| r.contains("<th scope=\"row\">2023</th>")).expect("2023 in the table");
    assert!(row.contains(&format!("<td>{}</td>", &marked["Durham, 2023: ".len()..])), "{row}");

    let csv = b.client.get(format!("{}/t/durham/comparison?measure=InfMort&format=csv", b.base)).send().unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("durham-InfMort-over-time.csv"));
    let text = csv.text().unwrap();
    let line = text.lines().find(|l| l.starts_with("2023,")).expect("2023 in the CSV");
    assert_eq!(
        line.split(',').nth(1),
        Some(durham_2023.parse::<f64>().unwrap().to_string().as_str()),
        "as published: {line}"
    );
    let bad = b.get("/t/durham/comparison?measure=InfMort&format=pdf");
    assert_eq!(bad.status, 400);

    let xlsx = b.client.get(format!("{}/t/durham/comparison?measure=InfMort&format=xlsx", b.base)).send().unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().unwrap().to_vec();
    use calamine::{DataType, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["About", "Over the years", "Comparators"]);
    let sheet = book.worksheet_range("Over the years").unwrap();
    let row = sheet.rows().find(|r| r[0] == "2023").expect("2023 in the workbook");
    assert_eq!(row[1].as_f64(), durham_2023.parse::<f64>().ok(), "a number, not text");
    let comparators = book.worksheet_range("Comparators").unwrap();
    assert_eq!(comparators.rows().count(), 11, "a head and ten neighbours");

    let card = b.client.get(format!("{}/t/durham/comparison/scorecard?format=csv&band=D", b.base)).send().unwrap();
    assert_eq!(card.status(), 200);
    let text = card.text().unwrap();
    assert!(text.lines().skip(1).all(|l| l.contains(",D,")), "only band D: {text}");
}

/// A group of the trust's own: created, compared against, changed by version, refused when
/// wrong, not seen by another trust, deleted.
fn groups(d: &crate::accounts::Deployment, api: &crate::contracts::Api) {
    let members = ["823", "394", "886", "210"];
    let made = api.post(
        "/api/v1/tenants/durham/comparison/groups",
        &serde_json::json!({"name": "Platform trusts", "members": members}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_string();
    let twice = api.post(
        "/api/v1/tenants/durham/comparison/groups",
        &serde_json::json!({"name": "Platform trusts", "members": ["823"]}),
    );
    assert_eq!((twice.status, twice.body["field"].as_str()), (409, Some("name")), "{}", twice.body);
    let bad = api
        .post("/api/v1/tenants/durham/comparison/groups", &serde_json::json!({"name": "Nowhere", "members": ["999"]}));
    assert_eq!((bad.status, bad.body["field"].as_str()), (422, Some("members")), "{}", bad.body);
    assert!(bad.body["message"].as_str().unwrap().contains("999"));

    let c = api.get(&format!("/api/v1/tenants/durham/comparison?measure=InfMort&group={id}"));
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["against"]["name"], "Platform trusts");
    let codes: Vec<&str> =
        c.body["neighbours"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap()).collect();
    assert_eq!(codes, members);
    let row = c.body["periods"].as_array().unwrap().iter().find(|p| p["period"] == "2023").unwrap();
    let theirs: Vec<f64> =
        members.iter().filter_map(|m| published("InfMort", m, "2023").2.parse::<f64>().ok()).collect();
    let mean = theirs.iter().sum::<f64>() / theirs.len() as f64;
    assert!((row["neighbours_mean"].as_f64().unwrap() - mean).abs() < 1e-9, "{row} vs {mean}");
    let card = api.get(&format!("/api/v1/tenants/durham/comparison/scorecard?group={id}"));
    assert_eq!(card.body["comparators"], 4);

    // A change at an old version is refused; at the current one it is saved.
    let stale = api.send(
        reqwest::Method::PUT,
        &format!("/api/v1/tenants/durham/comparison/groups/{id}"),
        Some(&serde_json::json!({"name": "Four trusts", "members": members})),
        Some("\"7\""),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    let saved = api.send(
        reqwest::Method::PUT,
        &format!("/api/v1/tenants/durham/comparison/groups/{id}"),
        Some(&serde_json::json!({"name": "Four trusts", "members": members})),
        made.etag.as_deref(),
    );
    assert_eq!((saved.status, saved.body["version"].as_i64()), (200, Some(2)), "{}", saved.body);

    // Another trust cannot see or use it.
    let southwark = crate::contracts::Api::new(d, "southwark", "commissioner@southwark.example");
    let theirs = southwark.get(&format!("/api/v1/tenants/southwark/comparison?measure=InfMort&group={id}"));
    assert_eq!(theirs.status, 404, "{}", theirs.body);
    assert_eq!(southwark.get("/api/v1/tenants/southwark/comparison/groups").body, serde_json::json!([]));

    // The page lists it with a scorecard against it; deleting it removes it.
    let b = crate::support::sign_in(&d.server.base, &d.mail, "durham", "commissioner@durham.example");
    let page = b.get("/t/durham/comparison/groups");
    assert!(
        page.body.contains("Four trusts") && page.body.contains(&format!("scorecard?group&#x3D;{id}")),
        "{}",
        page.body
    );
    let csrf = page.field("csrf");
    let gone = b.post(&format!("/t/durham/comparison/groups/{id}/delete"), &[("csrf", &csrf)]);
    assert_eq!(gone.status, 303, "{}", gone.body);
    assert_eq!(api.get("/api/v1/tenants/durham/comparison/groups").body, serde_json::json!([]));
}

/// An operator imports from the operator's page: the same release again changes nothing; a
/// file that is not the source's is refused and nothing is imported.
fn operator_upload(d: &crate::accounts::Deployment) {
    let op = crate::accounts::operator(d);
    let page = op.get("/operator");
    assert!(page.body.contains("Reference data") && page.body.contains("641"), "the releases imported: {}", page.body);
    let csrf = page.field("csrf");
    let upload = |source: &str, files: &[(&str, Vec<u8>)]| {
        let mut form =
            reqwest::blocking::multipart::Form::new().text("csrf", csrf.clone()).text("source", source.to_string());
        for (name, bytes) in files {
            form = form
                .part("files", reqwest::blocking::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
        }
        let r = op.client.post(format!("{}/operator/reference", op.base)).multipart(form).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let geo = std::fs::read(format!("{}/las.csv", shared("geography"))).unwrap();
    let (status, body) = upload("geography", &[("las.csv", geo.clone())]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("nothing changed"), "the same release as the command imported: {body}");
    let (status, body) = upload("geography", &[("passwords.txt", b"x".to_vec())]);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("passwords.txt") && body.contains("las.csv"), "{body}");
    let mut broken = String::from_utf8_lossy(&geo).into_owned();
    broken = broken.replacen("new_la_code", "code", 1);
    let (status, body) = upload("geography", &[("las.csv", broken.into_bytes())]);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("Nothing was imported") && body.contains("new_la_code"), "{body}");
    let (status, _) = upload("weather", &[("las.csv", geo)]);
    assert_eq!(status, 422);
}
