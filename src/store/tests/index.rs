use super::*;
use crate::store::index::check_ref_name;

#[test]
fn sets_resolves_and_removes_refs() {
    let (_d, l) = new_layout();
    let a = image(&l, &[&tar(1)]);
    let b = image(&l, &[&tar(2)]);
    l.set_ref(Some("v1"), a.clone()).unwrap();
    l.set_ref(Some("v2"), a.clone()).unwrap();
    assert_eq!(l.resolve("v1").unwrap().digest(), a.digest());
    // Replace in place, keeping order.
    l.set_ref(Some("v1"), b.clone()).unwrap();
    assert_eq!(l.ref_names().unwrap(), ["v1", "v2"]);
    assert_eq!(l.resolve("v1").unwrap().digest(), b.digest());
    assert_eq!(
        l.resolve("v1").unwrap().annotations().as_ref().unwrap()[REF_NAME],
        "v1"
    );
    // Unnamed entries are not duplicated; a ref.name inside `desc` does not sneak in.
    let c = image(&l, &[&tar(3)]);
    let mut tagged = c.clone();
    tagged.set_annotations(Some([(REF_NAME.to_string(), "sneaky".to_string())].into()));
    l.set_ref(None, tagged.clone()).unwrap();
    l.set_ref(None, tagged).unwrap();
    assert_eq!(l.manifests().unwrap().len(), 3);
    assert_eq!(l.ref_names().unwrap(), ["v1", "v2"]);
    // A digest that has a name gets no unnamed entry besides it
    l.set_ref(None, b.clone()).unwrap();
    assert_eq!(l.manifests().unwrap().len(), 3);
    // Naming an unnamed image replaces its unnamed entry
    l.set_ref(Some("v3"), c.clone()).unwrap();
    assert_eq!(l.manifests().unwrap().len(), 3);
    assert_eq!(l.ref_names().unwrap(), ["v1", "v2", "v3"]);

    let e = l.resolve("nope").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(
        e.to_string().contains("\"nope\"")
            && e.to_string().contains(&l.root().display().to_string()),
        "{e}"
    );
    assert!(e.hint_text().unwrap().contains("\"v1\""));
    assert_eq!(l.resolve_default().unwrap_err().kind(), ErrorKind::Usage);

    assert_eq!(l.remove_ref("v2").unwrap().digest(), a.digest());
    assert_eq!(l.remove_ref("v2").unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(l.resolve_ref(Some("v1")).unwrap().digest(), b.digest());

    assert_eq!(
        l.set_ref(Some("bad name"), a.clone()).unwrap_err().kind(),
        ErrorKind::Usage
    );
    let absent = desc(manifest::OCI_MANIFEST, b"{}");
    assert_eq!(
        l.set_ref(Some("x"), absent).unwrap_err().kind(),
        ErrorKind::NotFound
    );

    let (_d2, single) = new_layout();
    assert_eq!(
        single.resolve_default().unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let only = image(&single, &[&tar(3)]);
    single.set_ref(Some("only"), only.clone()).unwrap();
    assert_eq!(single.resolve_ref(None).unwrap().digest(), only.digest());
}

#[test]
fn ref_name_grammar() {
    for ok in [
        "v1",
        "1.0.0",
        "app/latest",
        "a--b",
        "sha256-abc",
        "a_b+c@d:e",
        "A9",
    ] {
        check_ref_name(ok).unwrap();
    }
    for bad in [
        "", "-v1", "v1-", "a..b", "a---b", "a//b", "/a", "a b", "a\\b", "é",
    ] {
        assert!(check_ref_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn keeps_foreign_fields_of_index_json() {
    let (_d, l) = new_layout();
    let a = image(&l, &[&tar(1)]);
    let foreign = serde_json::json!({
        "schemaVersion": 2,
        "annotations": { "com.example.owner": "ops" },
        "x-extension": [1, 2],
        "manifests": [{
            "mediaType": manifest::OCI_MANIFEST, "digest": a.digest().to_string(), "size": a.size(),
            "annotations": { REF_NAME: "theirs", "com.example.note": "keep me" },
            "x-unknown": true,
        }],
    });
    fs::write(l.index_path(), serde_json::to_vec(&foreign).unwrap()).unwrap();
    l.set_ref(Some("mine"), a.clone()).unwrap();
    let after: Value = serde_json::from_slice(&fs::read(l.index_path()).unwrap()).unwrap();
    assert_eq!(after["annotations"]["com.example.owner"], "ops");
    assert_eq!(after["x-extension"], serde_json::json!([1, 2]));
    assert_eq!(after["mediaType"], manifest::OCI_INDEX);
    assert_eq!(
        after["manifests"][0]["annotations"]["com.example.note"],
        "keep me"
    );
    assert_eq!(after["manifests"][0]["x-unknown"], true);
    assert_eq!(after["manifests"][1]["annotations"][REF_NAME], "mine");
    // And it is still an index oci-spec accepts.
    serde_json::from_value::<oci_spec::image::ImageIndex>(after).unwrap();
}

#[test]
fn concurrent_set_ref_loses_nothing() {
    let (_d, l) = new_layout();
    let a = image(&l, &[&tar(1)]);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            // Each thread opens the layout itself, as another process would.
            let root = l.root().to_path_buf();
            let a = a.clone();
            std::thread::spawn(move || {
                let l = Layout::open(&root).unwrap();
                for i in 0..10 {
                    l.set_ref(Some(&format!("t{t}-{i}")), a.clone()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut names = l.ref_names().unwrap();
    names.sort();
    let mut want: Vec<String> = (0..8)
        .flat_map(|t| (0..10).map(move |i| format!("t{t}-{i}")))
        .collect();
    want.sort();
    assert_eq!(names, want);
}
