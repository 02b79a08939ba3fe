use super::*;

fn tool(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What imgctl writes, skopeo and umoci read (docs/DESIGN.md §8). Skipped without the tools.
#[test]
fn interop_with_skopeo_and_umoci() {
    let (d, l) = new_layout();
    let m = image(&l, &[&tar(1)]);
    l.set_ref(Some("v1"), m.clone()).unwrap();
    l.set_ref(Some("other"), image(&l, &[&tar(2)])).unwrap();
    let root = l.root().to_str().unwrap();
    if tool("skopeo") {
        let out = std::process::Command::new("skopeo")
            .args(["inspect", &format!("oci:{root}:v1")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["Digest"], m.digest().to_string());
        assert_eq!(v["Architecture"], "amd64");
    } else {
        eprintln!("skopeo not installed: skipped");
    }
    if tool("umoci") {
        let out = std::process::Command::new("umoci")
            .args(["ls", "--layout", root])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "umoci ls: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|t| t == "v1")
        );
        let bundle = d.path().join("bundle");
        let out = std::process::Command::new("umoci")
            .args([
                "unpack",
                "--rootless",
                "--image",
                &format!("{root}:v1"),
                bundle.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "umoci unpack: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        eprintln!("umoci not installed: skipped");
    }
}
