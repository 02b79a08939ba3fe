use super::*;

/// The results of a plan of `total` images over two mappings (images 0..4 from mapping 1,
/// the rest from mapping 2), image `i` copied with `i` bytes, `failed` ones failed.
fn plan_results(total: usize, failed: &[usize]) -> Vec<ImageResult> {
    (0..total)
        .map(|i| {
            let fail = failed.contains(&i);
            ImageResult {
                mapping: if i < 4 { 1 } else { 2 },
                source: format!("src.example/app:t{i:02}"),
                destination: format!("dst.example/app:t{i:02}"),
                digest: (!fail).then(|| format!("sha256:{i:064x}")),
                action: if fail { Action::Failed } else { Action::Copied },
                bytes: if fail { 0 } else { i as u64 },
                error: fail.then(|| "boom".to_string()),
                hint: None,
                unplanned: false,
                referrers: None,
                error_kind: None,
                error_hint: None,
                error_registry: None,
            }
        })
        .collect()
}

/// The entry every shard reports for mapping `m` (1-based) that could not be planned.
fn unplanned(m: usize) -> ImageResult {
    ImageResult {
        mapping: m,
        source: format!("src.example/gone{m}"),
        destination: format!("dst.example/gone{m}"),
        digest: None,
        action: Action::Failed,
        bytes: 0,
        error: Some("cannot list tags".into()),
        hint: None,
        unplanned: true,
        referrers: None,
        error_kind: None,
        error_hint: None,
        error_registry: None,
    }
}

/// Shard `k`/`n` of `all`, as `imgctl --format json sync --shard k/n` reports it (through
/// its JSON text, as the CLI reads it back), with `extra` entries (unplanned mappings).
fn shard_report(all: &[ImageResult], k: usize, n: usize, extra: &[ImageResult]) -> SyncReport {
    let shard = Shard { index: k, count: n };
    let mut images = shard.take(all.to_vec());
    let planned = images.len();
    images.extend(extra.iter().cloned());
    let outcome = SyncOutcome {
        images: Vec::new(),
        not_run: 0,
        seconds: k as f64,
    };
    let mut o = outcome;
    o.add_unplanned(images);
    let r = SyncReport::new(
        &o,
        false,
        Some(shard),
        (planned, all.len(), extra.len()),
        &["mapping 3 (src.example/x): no tag matches".to_string()],
    );
    let text = serde_json::to_string_pretty(&r).unwrap();
    SyncReport::parse(&format!("shard-{k}.json"), &text).unwrap()
}

fn named(rs: Vec<SyncReport>) -> Vec<(String, SyncReport)> {
    rs.into_iter()
        .map(|r| (format!("{}.json", r.shard.clone().unwrap_or_default()), r))
        .collect()
}

#[test]
fn shards_merge_back_into_plan_order_with_counts_added() {
    let all = plan_results(11, &[5]);
    let gone = [unplanned(3)];
    // Given out of order.
    let reports = vec![
        shard_report(&all, 3, 3, &gone),
        shard_report(&all, 1, 3, &gone),
        shard_report(&all, 2, 3, &gone),
    ];
    let m = merge(named(reports)).unwrap();
    assert_eq!(m.shard.as_deref(), Some(MERGED));
    let dests: Vec<&str> = m.images.iter().map(|i| i.destination.as_str()).collect();
    let mut want: Vec<String> = all.iter().map(|i| i.destination.clone()).collect();
    want.push("dst.example/gone3".into());
    assert_eq!(dests, want.iter().map(String::as_str).collect::<Vec<_>>());
    for (got, exp) in m.images.iter().zip(&all) {
        assert_eq!(got.digest, exp.digest);
    }
    let s = &m.summary;
    assert_eq!(
        (s.planned, s.planned_total, s.unplanned, s.copied, s.failed),
        (11, 11, 1, 10, 2),
        "{s:?}"
    );
    assert_eq!(s.bytes, (0..11u64).filter(|&i| i != 5).sum::<u64>());
    assert_eq!(s.seconds, 3.0, "the longest shard's");
    assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    // The merged document has the shape of a run's.
    let v = serde_json::to_value(&m).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
    assert_eq!(v["summary"]["plannedTotal"], 11);
    assert_eq!(v["images"][11]["unplanned"], true);
}

#[test]
fn a_stopped_shard_keeps_its_prefix_and_not_run_count() {
    let all = plan_results(6, &[]);
    let mut r2 = shard_report(&all, 2, 2, &[]);
    // Shard 2/2 (plan images 1, 3, 5) stopped after its first image.
    r2.images.truncate(1);
    r2.images[0].action = Action::Failed;
    r2.summary.not_run = 2;
    let m = merge(named(vec![shard_report(&all, 1, 2, &[]), r2])).unwrap();
    let order: Vec<&str> = m.images.iter().map(|i| i.destination.as_str()).collect();
    assert_eq!(
        order,
        [
            "dst.example/app:t00",
            "dst.example/app:t01",
            "dst.example/app:t02",
            "dst.example/app:t04"
        ]
    );
    assert_eq!(
        (m.summary.failed, m.summary.not_run, m.summary.copied),
        (1, 2, 3)
    );
}

#[test]
fn one_unsharded_report_passes_through() {
    let all = plan_results(3, &[]);
    let o = SyncOutcome {
        images: all.clone(),
        not_run: 0,
        seconds: 1.0,
    };
    let r = SyncReport::new(&o, false, None, (3, 3, 0), &[]);
    let m = merge(vec![("all.json".into(), r)]).unwrap();
    assert_eq!(m.shard, None);
    assert_eq!(m.images.len(), 3);
}

fn merge_err(reports: Vec<(String, SyncReport)>) -> String {
    let e = merge(reports).unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Usage, "{e}");
    e.to_string()
}

#[test]
fn inconsistent_reports_are_refused_by_name() {
    let all = plan_results(8, &[]);
    let other = plan_results(9, &[]);
    let r = |k, n| shard_report(&all, k, n, &[]);

    let e = merge_err(named(vec![r(1, 2), r(1, 2)]));
    assert!(e.contains("both shard 1/2"), "{e}");

    let e = merge_err(named(vec![r(1, 2), shard_report(&other, 2, 2, &[])]));
    assert!(e.contains("different plans: plannedTotal 9 and 8"), "{e}");

    let e = merge_err(named(vec![r(1, 2), r(2, 3)]));
    assert!(e.contains("different splits"), "{e}");

    let e = merge_err(named(vec![r(1, 4), r(3, 4)]));
    assert!(
        e.contains("no report of shards 2/4, 4/4 (got 2 of 4)"),
        "{e}"
    );

    let mut dry = r(2, 2);
    dry.dry_run = true;
    let e = merge_err(named(vec![r(1, 2), dry]));
    assert!(e.contains("mix a dry run"), "{e}");

    let mut short = r(2, 2);
    short.images.pop();
    let e = merge_err(named(vec![r(1, 2), short]));
    assert!(e.contains("shard 2/2 of a plan of 8 images has 4"), "{e}");

    let merged = merge(named(vec![r(1, 2), r(2, 2)])).unwrap();
    let e = merge_err(vec![
        ("m.json".into(), merged),
        ("1/2.json".into(), r(1, 2)),
    ]);
    assert!(e.contains("m.json is a merged report already"), "{e}");

    let o = SyncOutcome {
        images: all.clone(),
        not_run: 0,
        seconds: 1.0,
    };
    let whole = SyncReport::new(&o, false, None, (8, 8, 0), &[]);
    let e = merge_err(vec![
        ("whole.json".into(), whole),
        ("1/2.json".into(), r(1, 2)),
    ]);
    assert!(
        e.contains("whole.json is the report of a whole plan"),
        "{e}"
    );

    assert!(merge_err(Vec::new()).contains("no report"));
}

#[test]
fn other_documents_are_not_sync_reports() {
    for (text, why) in [
        (
            "{\"digest\": \"sha256:00\", \"reference\": \"x\"}",
            "unknown field",
        ),
        ("[1, 2]", "invalid type"),
        ("not json", "expected"),
        ("", "EOF"),
    ] {
        let e = SyncReport::parse("r.json", text).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
        let msg = e.to_string();
        assert!(msg.starts_with("r.json is not a sync report"), "{msg}");
        assert!(msg.contains(why), "{msg}");
    }
}
