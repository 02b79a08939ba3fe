//! The Kubernetes launcher of a sharded sync, `examples/k8s-sync-job.yaml`: its Indexed Job
//! is checked field by field, and its container's command runs with `sh` as each pod would
//! (JOB_COMPLETION_INDEX 0..N-1, the Secret's variables set, the ConfigMap's file mounted),
//! on the example's own configuration pointed at real registries on loopback; the pods'
//! reports merge into one that holds every image of the plan once. The GitHub Actions matrix
//! of README.md is run by tests/action.rs.

// Linux packages (docker-registry, …): compiled out elsewhere, where tests/portability.rs
// says so.
#![cfg(target_os = "linux")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::*;
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

fn manifest() -> Vec<Yaml> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/k8s-sync-job.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect()
}

fn s(v: &Yaml) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// Every environment variable a sync configuration names for credentials.
fn credential_variables(config: &Yaml) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, r) in config["registries"].as_mapping().unwrap() {
        for key in ["env", "username_env", "password_env"] {
            if let Some(v) = r["credentials"].get(key) {
                out.insert(s(v).to_string());
            }
        }
    }
    out
}

/// Images of the source: `library/nginx` and `library/alpine` tags, some the example's
/// selection (semver >=1.26; 3.N) takes and some it leaves. Returns `repo:tag` → digest.
fn populate(sb: &Imgctl, src: &Registry) -> BTreeMap<String, String> {
    let layout = sb.dir().join("layout");
    let mut digests = BTreeMap::new();
    let tags = [
        (
            "library/nginx",
            ["1.25.5", "1.26.0", "1.26.1", "1.27.0", "1.27.1"].as_slice(),
        ),
        (
            "library/alpine",
            ["3.18", "3.19", "3.20", "edge"].as_slice(),
        ),
    ];
    let (user, password) = src.push_creds().unwrap();
    for (n, (repo, tags)) in tags.iter().enumerate() {
        for (i, tag) in tags.iter().enumerate() {
            let name = format!("{}-{tag}", repo.replace('/', "-"));
            let digest = build_image(
                &layout,
                &name,
                vec![
                    vec![TarEntry::file("etc/os-release", "ID=imgctl-test-base\n")],
                    vec![TarEntry::file("app.txt", format!("{n} {i}\n"))],
                ],
                &Platform::default(),
            );
            sb.run_ok(&[
                "-q",
                "--creds",
                &format!("{user}:{password}"),
                "copy",
                &format!("oci:{}:{name}", layout.display()),
                &format!("docker://{}", src.reference(&format!("{repo}:{tag}"))),
            ]);
            digests.insert(format!("{repo}:{tag}"), digest);
        }
    }
    digests
}

#[test]
fn k8s_indexed_job_runs_one_shard_per_pod_and_the_reports_merge() {
    let docs = manifest();
    let config_map = docs.iter().find(|d| d["kind"] == "ConfigMap").unwrap();
    let job = docs.iter().find(|d| d["kind"] == "Job").unwrap();
    assert_eq!(job["apiVersion"], "batch/v1");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().unwrap() as usize;
    assert!(n >= 2, "{n} shards");
    assert_eq!(
        spec["parallelism"].as_u64(),
        Some(n as u64),
        "one pod per shard at once"
    );
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    // A configuration error (exit 2) fails the Job instead of being retried.
    let rule = &spec["podFailurePolicy"]["rules"][0];
    assert_eq!(rule["action"], "FailJob");
    assert_eq!(rule["onExitCodes"]["values"][0].as_u64(), Some(2));
    let containers = pod["containers"].as_sequence().unwrap();
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert_eq!(rule["onExitCodes"]["containerName"], c["name"]);
    assert!(
        c.get("terminationMessagePath").is_none(),
        "the script writes the default one"
    );
    let command: Vec<&str> = c["command"].as_sequence().unwrap().iter().map(s).collect();
    assert_eq!(&command[..2], ["/bin/sh", "-c"]);
    let script = command[2];

    // The mounts: the ConfigMap's file and the binary the init container installs.
    let volumes = pod["volumes"].as_sequence().unwrap();
    let mut mounts = BTreeMap::new();
    for m in c["volumeMounts"].as_sequence().unwrap() {
        let v = volumes.iter().find(|v| v["name"] == m["name"]).unwrap();
        mounts.insert(s(&m["mountPath"]).to_string(), v.clone());
    }
    let (config_dir, _) = mounts
        .iter()
        .find(|(_, v)| v["configMap"]["name"] == config_map["metadata"]["name"])
        .expect("the ConfigMap is mounted");
    let config_text = s(&config_map["data"]["mirror.yaml"]);
    assert!(
        script.contains(&format!("{config_dir}/mirror.yaml")),
        "{script}"
    );
    let init = &pod["initContainers"][0];
    let (bin_dir, _) = mounts
        .iter()
        .find(|(_, v)| v.get("emptyDir").is_some())
        .expect("the binary's volume");
    assert!(
        init["volumeMounts"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|m| m["mountPath"] == bin_dir.as_str()),
        "the init container installs into the volume the sync container runs from"
    );
    let install: Vec<&str> = init["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert!(install[2].contains("sha256sum -c"), "{}", install[2]);

    // Credentials: every variable the configuration names comes from the Secret.
    let config: Yaml = serde_yaml_ng::from_str(config_text).unwrap();
    let named = credential_variables(&config);
    let env: BTreeMap<&str, &Yaml> = c["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| (s(&e["name"]), &e["valueFrom"]["secretKeyRef"]))
        .collect();
    assert_eq!(
        env.keys().map(|k| k.to_string()).collect::<BTreeSet<_>>(),
        named
    );
    for (k, r) in &env {
        assert_eq!(r["key"], *k);
        assert_eq!(r["name"], "imgctl-mirror-credentials");
    }

    // The configuration is valid: imgctl reads it and stops at the first variable not set.
    let sb = Imgctl::new();
    let cfg = sb.dir().join("example.yaml");
    std::fs::write(&cfg, config_text).unwrap();
    let out = sb
        .cmd()
        .args(["sync", "--dry-run"])
        .arg(&cfg)
        .env_remove("DOCKERHUB_CREDS")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("DOCKERHUB_CREDS"),
        "{}",
        describe(&out)
    );

    // The same configuration, its registries replaced by two on loopback that want the
    // credentials the Secret provides.
    let src = Registry::start(Mode::Token);
    let dst = Registry::start(Mode::Token);
    let source = populate(&sb, &src);
    let pods = sb.dir().join("pods");
    let config_here = pods.join("config");
    std::fs::create_dir_all(&config_here).unwrap();
    std::fs::write(
        config_here.join("mirror.yaml"),
        config_text
            .replace("docker.io", &src.host())
            .replace("myreg.azurecr.io", &dst.host()),
    )
    .unwrap();
    // The binary: a wrapper that records its arguments and runs the real one.
    let bin_here = pods.join("bin");
    std::fs::create_dir_all(&bin_here).unwrap();
    let args_log = pods.join("args");
    let wrapper = bin_here.join("imgctl");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            args_log.display(),
            env!("CARGO_BIN_EXE_imgctl")
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&wrapper).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&wrapper, perms).unwrap();
    let secret: BTreeMap<&str, String> = [
        ("DOCKERHUB_CREDS", format!("{USER}:{PASSWORD}")),
        ("ACR_USERNAME", USER.to_string()),
        ("ACR_PASSWORD", PASSWORD.to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        secret
            .keys()
            .map(|k| k.to_string())
            .collect::<BTreeSet<_>>(),
        named
    );

    let mut reports: Vec<PathBuf> = Vec::new();
    for index in 0..n {
        let termination = pods.join(format!("termination-{index}"));
        let script = script
            .replace(bin_dir.as_str(), &bin_here.display().to_string())
            .replace(config_dir.as_str(), &config_here.display().to_string())
            .replace("/dev/termination-log", &termination.display().to_string());
        let proto = sb.cmd();
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(&script);
        for (k, v) in proto.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let out = cmd
            .envs(&secret)
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let message = std::fs::read_to_string(&termination).unwrap_or_default();
        assert_eq!(code(&out), 0, "pod {index}: {}\n{message}", describe(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "pod {index}'s log is not its report alone: {e}: {}",
                describe(&out)
            )
        });
        assert_eq!(doc["shard"], format!("{}/{n}", index + 1));
        let path = pods.join(format!("shard-{index}.json"));
        std::fs::write(&path, &out.stdout).unwrap();
        reports.push(path);
    }
    let args = std::fs::read_to_string(&args_log).unwrap();
    let shards: Vec<&str> = args
        .lines()
        .map(|l| {
            l.split_once("--shard ")
                .unwrap()
                .1
                .split(' ')
                .next()
                .unwrap()
        })
        .collect();
    let want: Vec<String> = (1..=n).map(|k| format!("{k}/{n}")).collect();
    assert_eq!(shards, want, "{args}");

    // `imgctl sync --merge-reports shard-*.json`: every selected image once, with its digest.
    let out = sb
        .cmd()
        .args(["--format", "json", "sync", "--merge-reports"])
        .args(&reports)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    let selected = [
        "library/alpine:3.18",
        "library/alpine:3.19",
        "library/alpine:3.20",
        "library/nginx:1.26.0",
        "library/nginx:1.26.1",
        "library/nginx:1.27.0",
        "library/nginx:1.27.1",
    ];
    assert_eq!(merged["summary"]["plannedTotal"], selected.len());
    assert_eq!(merged["summary"]["copied"], selected.len(), "{merged}");
    let mut got: Vec<(String, String)> = merged["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let dest = i["destination"].as_str().unwrap();
            let (_, repo_tag) = dest.split_once("/mirror/").unwrap();
            (
                format!("library/{repo_tag}"),
                i["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String)> = selected
        .iter()
        .map(|r| (r.to_string(), source[*r].clone()))
        .collect();
    assert_eq!(got, want);
    // The destination holds them.
    let d = dst.reference("mirror/nginx:1.27.1");
    let held = sb.run_ok(&[
        "--creds",
        &format!("{USER}:{PASSWORD}"),
        "digest",
        &format!("docker://{d}"),
    ]);
    assert_eq!(held.trim(), source["library/nginx:1.27.1"]);
}
