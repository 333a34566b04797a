//! Plugin call costs: a warm call on a kept instance with a record holding strings; a fresh
//! store, instantiation and call (what the platform does per request), with its p50 and p99;
//! and the same review-schedule logic run natively and in the plugin. Run with
//! `cargo bench -p platform-plugins`; figures go in BENCHMARKS.md.

use std::time::{Duration, Instant};

use commissioning_sdk::Guest;
use std::hint::black_box;

use criterion::Criterion;
use platform_plugins::types::{Item, Subject};
use platform_plugins::{HostOptions, PluginHost};

fn artifact(id: &str) -> &'static [u8] {
    plugin_artifacts::FRAMEWORKS.iter().find(|a| a.id == id).map(|a| a.bytes).unwrap_or_default()
}

fn item() -> Item {
    Item {
        id: "service-0193".into(),
        kind: "service".into(),
        tier: Some("targeted".into()),
        level_of_need: Some("2".into()),
        area: Some("Peckham and Nunhead and Peckham Rye".into()),
        attributes: vec![],
    }
}

/// A trust's contract register: 40 contracts over three years.
fn subjects() -> Vec<Subject> {
    (0..40)
        .map(|i| Subject {
            id: format!("contract-{i}"),
            kind: "contract".into(),
            title: format!("Contract {i}"),
            contract_kind: Some("block".into()),
            tier: Some("targeted".into()),
            start: format!("2025-{:02}-01", 1 + i % 12),
            end: Some(format!("2028-{:02}-28", 1 + i % 12)),
            value_pence: 10_000_000,
            attributes: vec![],
        })
        .collect()
}

fn sdk_subjects() -> Vec<commissioning_sdk::Subject> {
    subjects()
        .into_iter()
        .map(|s| commissioning_sdk::Subject {
            id: s.id,
            kind: s.kind,
            title: s.title,
            contract_kind: s.contract_kind,
            tier: s.tier,
            start: s.start,
            end: s.end,
            value_pence: s.value_pence,
            attributes: vec![],
        })
        .collect()
}

fn percentiles(host: &PluginHost, plugin: &platform_plugins::Plugin) {
    let items = vec![item()];
    let mut samples: Vec<Duration> = Vec::with_capacity(20_000);
    for _ in 0..2_000 {
        let _ = host.classify(plugin, items.clone());
    }
    for _ in 0..20_000 {
        let t = Instant::now();
        black_box(host.classify(plugin, items.clone()).ok());
        samples.push(t.elapsed());
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    println!(
        "fresh instantiate + call (southwark classify, 1 item), 20000 samples: p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    );
}

fn main() {
    let host = PluginHost::new(HostOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let southwark = host.load(artifact("southwark")).unwrap_or_else(|e| panic!("{e}"));
    let baseline = host.load(artifact("national-baseline")).unwrap_or_else(|e| panic!("{e}"));
    let mut c = Criterion::default().sample_size(60).measurement_time(Duration::from_secs(4)).configure_from_args();

    let items = vec![item()];
    let mut warm = host.instantiate(&southwark).unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("warm call: classify one record of strings", |b| {
        b.iter(|| black_box(warm.world.call_classify(&mut warm.store, black_box(&items)).ok()))
    });
    c.bench_function("fresh store + instantiate + call: classify one record", |b| {
        b.iter(|| black_box(host.classify(&southwark, black_box(items.clone())).ok()))
    });

    let subjects = subjects();
    let mut warm_baseline = host.instantiate(&baseline).unwrap_or_else(|e| panic!("{e}"));
    let today = String::from("2026-11-24");
    c.bench_function("review-schedule of 40 contracts: plugin, warm", |b| {
        b.iter(|| {
            black_box(
                warm_baseline.world.call_review_schedule(&mut warm_baseline.store, &today, black_box(&subjects)).ok(),
            )
        })
    });
    c.bench_function("review-schedule of 40 contracts: plugin, fresh instance", |b| {
        b.iter(|| {
            black_box(
                host.review_schedule(
                    &baseline,
                    chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
                    black_box(subjects.clone()),
                )
                .ok(),
            )
        })
    });
    let native = sdk_subjects();
    c.bench_function("review-schedule of 40 contracts: native", |b| {
        b.iter(|| {
            black_box(
                commissioning_sdk::baseline::NationalBaseline::review_schedule(
                    "2026-11-24".into(),
                    black_box(native.clone()),
                )
                .ok(),
            )
        })
    });
    c.final_summary();
    percentiles(&host, &southwark);
}
