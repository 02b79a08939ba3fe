//! A stage's image config (OCI image spec `config.json`, with Docker's `Healthcheck`, `Shell`,
//! `OnBuild` extensions): the base's config with the plan's steps applied, one `history` entry
//! per step and the new layers' `rootfs.diff_ids`. Pure: JSON in, JSON out.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::plan::{Stage, StepOp};
use crate::error::{Error, Result};

/// Applies `stage`'s steps to `base` (a config document; `Value::Null` for scratch).
/// `diff_ids` has one `sha256:…` per `COPY`/`ADD` step, in order (the uncompressed layer
/// digests); `created` is an RFC 3339 time for `created` and the new history entries. Docker's
/// rule that `ENTRYPOINT` resets a `CMD` inherited from the base (not one set in this stage)
/// applies, and so does BuildKit's and buildah's: a config whose `Env` has no `PATH` gets
/// [`DEFAULT_PATH`](super::plan::DEFAULT_PATH) appended (not for `os` windows). Errors: a
/// diff_id count that does not match the layer steps (kind Other).
pub fn apply(base: &Value, stage: &Stage, diff_ids: &[String], created: &str) -> Result<Value> {
    apply_layers(base, stage, diff_ids, &BTreeSet::new(), created)
}

/// [`apply`] where the steps at indices `more` (e.g. a `WORKDIR` that created its directory)
/// added a layer too: `diff_ids` then has one entry per COPY/ADD step and per step in
/// `more`, in step order, and those steps' history entries are not `empty_layer`.
pub fn apply_layers(
    base: &Value,
    stage: &Stage,
    diff_ids: &[String],
    more: &BTreeSet<usize>,
    created: &str,
) -> Result<Value> {
    let adds_layer = |i: usize, op: &StepOp| matches!(op, StepOp::Copy(_)) || more.contains(&i);
    let layers = stage
        .steps
        .iter()
        .enumerate()
        .filter(|(i, s)| adds_layer(*i, &s.op))
        .count();
    if layers != diff_ids.len() {
        return Err(Error::other(format!(
            "{} layers for {layers} COPY/ADD steps",
            diff_ids.len()
        )));
    }
    let mut doc = match base {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    doc.entry("architecture").or_insert(json!(""));
    doc.entry("os").or_insert(json!("linux"));
    let mut cfg = match doc.remove("config") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if doc.get("os").and_then(Value::as_str) != Some("windows") {
        let env = cfg.entry("Env").or_insert_with(|| json!([]));
        if let Value::Array(a) = env
            && !a
                .iter()
                .any(|e| e.as_str().is_some_and(|e| e.starts_with("PATH=")))
        {
            a.push(json!(format!("PATH={}", super::plan::DEFAULT_PATH)));
        }
    }
    let mut history = match doc.remove("history") {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    let mut rootfs_ids = match doc.get("rootfs").and_then(|r| r.get("diff_ids")) {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let mut cmd_set = false;
    let mut new_ids = diff_ids.iter();
    for (index, step) in stage.steps.iter().enumerate() {
        if more.contains(&index) {
            rootfs_ids.push(json!(new_ids.next().expect("counted above")));
        }
        let obj = |cfg: &mut Map<String, Value>, key: &str| -> Map<String, Value> {
            match cfg.remove(key) {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            }
        };
        match &step.op {
            StepOp::Copy(_) => {
                rootfs_ids.push(json!(new_ids.next().expect("counted above")));
            }
            StepOp::Env(pairs) => {
                let mut env: Vec<String> = cfg
                    .get("Env")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                for (k, v) in pairs {
                    let entry = format!("{k}={v}");
                    match env.iter().position(|e| e.split('=').next() == Some(k)) {
                        Some(i) => env[i] = entry,
                        None => env.push(entry),
                    }
                }
                cfg.insert("Env".into(), json!(env));
            }
            StepOp::Label(pairs) => {
                let mut l = obj(&mut cfg, "Labels");
                for (k, v) in pairs {
                    l.insert(k.clone(), json!(v));
                }
                cfg.insert("Labels".into(), Value::Object(l));
            }
            StepOp::Workdir(w) => {
                cfg.insert("WorkingDir".into(), json!(w));
            }
            StepOp::Expose(ports) => {
                let mut e = obj(&mut cfg, "ExposedPorts");
                for p in ports {
                    e.insert(p.clone(), json!({}));
                }
                cfg.insert("ExposedPorts".into(), Value::Object(e));
            }
            StepOp::User(u) => {
                cfg.insert("User".into(), json!(u));
            }
            StepOp::Volume(v) => {
                let mut e = obj(&mut cfg, "Volumes");
                for p in v {
                    e.insert(p.clone(), json!({}));
                }
                cfg.insert("Volumes".into(), Value::Object(e));
            }
            StepOp::StopSignal(s) => {
                cfg.insert("StopSignal".into(), json!(s));
            }
            StepOp::Entrypoint(v) => {
                cfg.insert("Entrypoint".into(), json!(v));
                if !cmd_set {
                    cfg.remove("Cmd");
                }
            }
            StepOp::Cmd(v) => {
                cfg.insert("Cmd".into(), json!(v));
                cmd_set = true;
            }
            StepOp::Healthcheck(h) => {
                let mut m = Map::new();
                m.insert("Test".into(), json!(h.test));
                for (k, v) in [
                    ("Interval", h.interval),
                    ("Timeout", h.timeout),
                    ("StartPeriod", h.start_period),
                    ("StartInterval", h.start_interval),
                    ("Retries", h.retries),
                ] {
                    if v != 0 {
                        m.insert(k.into(), json!(v));
                    }
                }
                cfg.insert("Healthcheck".into(), Value::Object(m));
            }
            StepOp::Shell(v) => {
                cfg.insert("Shell".into(), json!(v));
            }
            StepOp::Onbuild(t) => {
                let mut a = match cfg.remove("OnBuild") {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                a.push(json!(t));
                cfg.insert("OnBuild".into(), Value::Array(a));
            }
            StepOp::Maintainer(m) => {
                doc.insert("author".into(), json!(m));
            }
            StepOp::Arg(_) => {}
        }
        let mut h = Map::new();
        h.insert("created".into(), json!(created));
        h.insert("created_by".into(), json!(step.created_by));
        if !adds_layer(index, &step.op) {
            h.insert("empty_layer".into(), json!(true));
        }
        history.push(Value::Object(h));
    }
    // The base's ONBUILD triggers are not inherited (Docker clears them after running them).
    if !matches!(stage.base, super::plan::Base::Stage(_))
        && !stage
            .steps
            .iter()
            .any(|s| matches!(s.op, StepOp::Onbuild(_)))
    {
        cfg.remove("OnBuild");
    }
    doc.insert("created".into(), json!(created));
    doc.insert("config".into(), Value::Object(cfg));
    doc.insert(
        "rootfs".into(),
        json!({"type": "layers", "diff_ids": rootfs_ids}),
    );
    doc.insert("history".into(), Value::Array(history));
    Ok(Value::Object(doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::dockerfile::parse;
    use crate::build::plan::{BaseConfig, PlanOptions, plan};

    fn stage(text: &str) -> Stage {
        let o = PlanOptions {
            target_platform: "linux/amd64".into(),
            build_platform: "linux/amd64".into(),
            ..PlanOptions::default()
        };
        let p = plan(&parse(text, "Dockerfile").unwrap(), &o, &|_, _| {
            Some(BaseConfig::default())
        })
        .unwrap();
        p.stages[p.target].clone()
    }

    #[test]
    fn training_config_inherits_and_records_history() {
        let base = json!({
            "architecture": "amd64", "os": "linux",
            "config": {"Env": ["PATH=/usr/bin", "ASPNETCORE_URLS=http://+:80"], "Cmd": ["bash"], "User": "app"},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:aa"]},
            "history": [{"created_by": "base"}]
        });
        let s = stage(
            "FROM b\nCOPY ./published /app\nWORKDIR /app\nEXPOSE 5000/tcp\nENV ASPNETCORE_URLS http://*:5000\nENTRYPOINT [\"dotnet\", \"test.dll\"]\n",
        );
        let c = apply(&base, &s, &["sha256:bb".into()], "2024-01-01T00:00:00Z").unwrap();
        let cfg = &c["config"];
        assert_eq!(
            cfg["Env"],
            json!(["PATH=/usr/bin", "ASPNETCORE_URLS=http://*:5000"])
        );
        assert_eq!(cfg["WorkingDir"], "/app");
        assert_eq!(cfg["ExposedPorts"], json!({"5000/tcp": {}}));
        assert_eq!(cfg["Entrypoint"], json!(["dotnet", "test.dll"]));
        assert_eq!(cfg["User"], "app");
        // ENTRYPOINT resets the inherited CMD.
        assert!(cfg.get("Cmd").is_none());
        assert_eq!(c["rootfs"]["diff_ids"], json!(["sha256:aa", "sha256:bb"]));
        let h = c["history"].as_array().unwrap();
        assert_eq!(h.len(), 6);
        assert_eq!(h[1]["created_by"], "COPY ./published /app # buildkit");
        assert!(h[1].get("empty_layer").is_none());
        assert_eq!(h[2]["empty_layer"], true);
        assert_eq!(c["created"], "2024-01-01T00:00:00Z");
        assert!(apply(&base, &s, &[], "x").is_err());
    }

    #[test]
    fn cmd_set_in_stage_survives_entrypoint() {
        let s = stage(
            "FROM scratch\nCMD [\"a\"]\nENTRYPOINT [\"e\"]\nLABEL x=1\nHEALTHCHECK --retries=2 CMD true\n",
        );
        let c = apply(&Value::Null, &s, &[], "t").unwrap();
        assert_eq!(c["config"]["Cmd"], json!(["a"]));
        assert_eq!(c["config"]["Labels"], json!({"x": "1"}));
        assert_eq!(
            c["config"]["Healthcheck"],
            json!({"Test": ["CMD-SHELL", "true"], "Retries": 2})
        );
        assert_eq!(c["rootfs"]["diff_ids"], json!([]));
    }

    #[test]
    fn a_config_without_path_gets_buildkits_default() {
        let s = stage("FROM scratch\nENV A=1\n");
        let c = apply(&Value::Null, &s, &[], "t").unwrap();
        assert_eq!(
            c["config"]["Env"],
            json!([
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "A=1"
            ])
        );
        // A base with PATH keeps its own; Windows gets none.
        let base = json!({"os": "linux", "config": {"Env": ["PATH=/bin"]}});
        let c = apply(&base, &s, &[], "t").unwrap();
        assert_eq!(c["config"]["Env"], json!(["PATH=/bin", "A=1"]));
        let c = apply(&json!({"os": "windows"}), &s, &[], "t").unwrap();
        assert_eq!(c["config"]["Env"], json!(["A=1"]));
    }
}
