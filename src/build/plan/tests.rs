//! Unit tests of the plan: stages, ARG scoping, expansion, refusals.

use super::*;
use crate::build::dockerfile::parse;
use crate::error::ErrorKind;

fn opts() -> PlanOptions {
    PlanOptions {
        target_platform: "linux/arm64".into(),
        build_platform: "linux/amd64".into(),
        ..PlanOptions::default()
    }
}
fn base(_: &str, _: Option<&str>) -> Option<BaseConfig> {
    Some(BaseConfig {
        env: vec!["PATH=/usr/bin".into()],
        workdir: String::new(),
        shell: None,
        onbuild: vec![],
    })
}
fn mk(text: &str, o: &PlanOptions) -> Result<BuildPlan> {
    plan(&parse(text, "Dockerfile")?, o, &base)
}

#[test]
fn training_dockerfile_plan() {
    let t = "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY ./published /app\nWORKDIR /app\nEXPOSE 5000/tcp\nENV ASPNETCORE_URLS http://*:5000\nENTRYPOINT [\"dotnet\", \"test.dll\"]\n";
    let p = mk(t, &opts()).unwrap();
    assert_eq!(p.target, 0);
    let s = &p.stages[0];
    assert!(s.needed);
    assert_eq!(
        s.base,
        Base::Image("mcr.microsoft.com/dotnet/aspnet:8.0".into())
    );
    let by: Vec<&str> = s.steps.iter().map(|s| s.created_by.as_str()).collect();
    assert_eq!(
        by,
        [
            "COPY ./published /app # buildkit",
            "WORKDIR /app",
            "EXPOSE map[5000/tcp:{}]",
            "ENV ASPNETCORE_URLS=http://*:5000",
            "ENTRYPOINT [\"dotnet\" \"test.dll\"]",
        ]
    );
    assert_eq!(s.steps[0].line, 2);
    assert!(!s.steps[0].empty_layer());
    assert!(s.steps[1].empty_layer());
    match &s.steps[0].op {
        StepOp::Copy(c) => {
            assert_eq!(c.dest, "/app");
            assert_eq!(c.from, CopyFrom::Context);
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn args_build_args_and_scoping() {
    let t = "ARG TAG=3.20\nARG REG\nFROM ${REG:-docker.io}/alpine:$TAG AS base\nARG TAG\nARG OTHER=x$TAG\nENV P=$PATH:/app TAG=env\nLABEL t=$TAG a=$TARGETARCH\nFROM base\nLABEL t=[$TAG]\n";
    let mut o = opts();
    o.build_args.insert("TAG".into(), "3.21".into());
    o.build_args.insert("UNUSED".into(), "1".into());
    let p = mk(t, &o).unwrap();
    assert_eq!(
        p.stages[0].base,
        Base::Image("docker.io/alpine:3.21".into())
    );
    let ops: Vec<&StepOp> = p.stages[0].steps.iter().map(|s| &s.op).collect();
    assert_eq!(
        ops[0],
        &StepOp::Arg(vec![("TAG".into(), Some("3.21".into()))])
    );
    assert_eq!(
        ops[1],
        &StepOp::Arg(vec![("OTHER".into(), Some("x3.21".into()))])
    );
    assert_eq!(
        ops[2],
        &StepOp::Env(vec![
            ("P".into(), "/usr/bin:/app".into()),
            ("TAG".into(), "env".into())
        ])
    );
    // ENV wins over ARG; platform args are not visible in a stage without ARG.
    assert_eq!(
        ops[3],
        &StepOp::Label(vec![("t".into(), "env".into()), ("a".into(), "".into())])
    );
    // The second stage builds on the first and inherits its ENV, not its ARGs.
    assert_eq!(p.stages[1].base, Base::Stage(0));
    assert_eq!(
        p.stages[1].steps[0].op,
        StepOp::Label(vec![("t".into(), "[env]".into())])
    );
    assert_eq!(p.unused_build_args, ["UNUSED"]);
    assert!(p.stages[0].needed && p.stages[1].needed);
}

#[test]
fn blank_base_is_an_error() {
    let e = mk("ARG IMG\nFROM $IMG\n", &opts()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert_eq!(
        e.to_string(),
        "Dockerfile:2: base name ($IMG) should not be blank"
    );
}

#[test]
fn run_is_refused_with_its_line() {
    let e = mk("FROM scratch\nCOPY a /a\nRUN make\n", &opts()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert!(e.to_string().starts_with("Dockerfile:3: RUN"), "{e}");
    assert!(e.hint_text().unwrap().contains("RUN-less"));
}

#[test]
fn multi_stage_target_and_copy_from() {
    let t = "FROM scratch AS build\nCOPY src /out/\nFROM scratch AS unused\nCOPY x /x\nFROM alpine AS final\nCOPY --from=build /out /app/\nCOPY --from=0 /out/a /a\nCOPY --from=busybox:1 /bin/busybox /bin/\n";
    let p = mk(t, &opts()).unwrap();
    assert_eq!(p.target, 2);
    let needed: Vec<bool> = p.stages.iter().map(|s| s.needed).collect();
    assert_eq!(needed, [true, false, true]);
    let froms: Vec<CopyFrom> = p.stages[2]
        .steps
        .iter()
        .map(|s| match &s.op {
            StepOp::Copy(c) => c.from.clone(),
            o => panic!("{o:?}"),
        })
        .collect();
    assert_eq!(
        froms,
        [
            CopyFrom::Stage(0),
            CopyFrom::Stage(0),
            CopyFrom::Image("busybox:1".into())
        ]
    );
    let refs: Vec<String> =
        base_images(&pre_plan(&parse(t, "Dockerfile").unwrap(), &opts()).unwrap())
            .into_iter()
            .map(|b| b.reference)
            .collect();
    assert_eq!(refs, ["alpine", "busybox:1"]);
    let mut o = opts();
    o.target = Some("BUILD".into());
    let p = mk(t, &o).unwrap();
    assert_eq!(p.target, 0);
    o.target = Some("nope".into());
    let e = mk(t, &o).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert!(e.to_string().contains("\"nope\""), "{e}");
    // A stage used before it is defined.
    let e = mk(
        "FROM scratch AS a\nCOPY --from=b x /x\nFROM scratch AS b\n",
        &opts(),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("Dockerfile:2:"), "{e}");
}

#[test]
fn workdir_copy_dest_cmd_shell() {
    let t = "FROM scratch\nWORKDIR /a\nWORKDIR b\nWORKDIR ../c\nCOPY --chmod=755 --chown=1000:1000 x y ./\nCMD run it\nSHELL [\"/bin/bash\", \"-lc\"]\nENTRYPOINT exec app\n";
    let p = mk(t, &opts()).unwrap();
    let s = &p.stages[0].steps;
    assert_eq!(s[2].op, StepOp::Workdir("/a/c".into()));
    match &s[3].op {
        StepOp::Copy(c) => {
            assert_eq!(c.dest, "/a/c/");
            assert_eq!(c.chmod, Some(0o755));
            assert_eq!(c.chown.as_deref(), Some("1000:1000"));
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(
        s[4].op,
        StepOp::Cmd(vec!["/bin/sh".into(), "-c".into(), "run it".into()])
    );
    assert_eq!(s[4].created_by, "CMD [\"/bin/sh\" \"-c\" \"run it\"]");
    assert_eq!(
        s[6].op,
        StepOp::Entrypoint(vec!["/bin/bash".into(), "-lc".into(), "exec app".into()])
    );
    let e = mk("FROM scratch\nCOPY a b /file\n", &opts()).unwrap_err();
    assert!(e.to_string().contains("must be a directory"), "{e}");
    let e = mk("FROM scratch\nADD https://x.example/a /a\n", &opts()).unwrap_err();
    assert!(e.to_string().contains("URL"), "{e}");
    let e = mk("FROM scratch\nCOPY --chmod=u+x a /a\n", &opts()).unwrap_err();
    assert!(e.to_string().contains("octal"), "{e}");
}

#[test]
fn expose_volume_healthcheck() {
    let t = "FROM scratch\nARG P=80\nEXPOSE $P 53/udp 8000-8001\nVOLUME /data\nHEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD [\"curl\", \"-f\", \"http://localhost/\"]\nSTOPSIGNAL SIGTERM\nONBUILD COPY . /src\n";
    let p = mk(t, &opts()).unwrap();
    let s = &p.stages[0].steps;
    assert_eq!(
        s[1].op,
        StepOp::Expose(vec![
            "80/tcp".into(),
            "53/udp".into(),
            "8000/tcp".into(),
            "8001/tcp".into()
        ])
    );
    assert_eq!(s[2].op, StepOp::Volume(vec!["/data".into()]));
    match &s[3].op {
        StepOp::Healthcheck(h) => {
            assert_eq!(h.test, ["CMD", "curl", "-f", "http://localhost/"]);
            assert_eq!(h.interval, 90_000_000_000);
            assert_eq!(h.timeout, 500_000_000);
            assert_eq!(h.retries, 3);
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(s[4].op, StepOp::StopSignal("SIGTERM".into()));
    assert_eq!(s[5].op, StepOp::Onbuild("COPY . /src".into()));
    let e = mk("FROM scratch\nEXPOSE 70000\n", &opts()).unwrap_err();
    assert!(e.to_string().starts_with("Dockerfile:2: EXPOSE"), "{e}");
}

#[test]
fn paths() {
    assert_eq!(join_path("/", "app"), "/app");
    assert_eq!(join_path("/a/b", "../c/./d"), "/a/c/d");
    assert_eq!(join_path("/a", "/x/.."), "/");
    assert_eq!(go_duration("5m"), Some(300_000_000_000));
    assert_eq!(go_duration("5x"), None);
}

#[test]
fn a_stage_arg_of_a_platform_name_takes_the_built_platform() {
    let t = "FROM scratch\nARG TARGETARCH\nARG BUILDOS\nARG OTHER\nENV A=$TARGETARCH B=$BUILDOS C=$OTHER\n";
    let p = mk(t, &opts()).unwrap();
    assert_eq!(
        p.stages[0].steps[3].op,
        StepOp::Env(vec![
            ("A".into(), "arm64".into()),
            ("B".into(), "linux".into()),
            ("C".into(), "".into())
        ])
    );
}

#[test]
fn from_platform_expands_automatic_args_and_names_the_base_per_platform() {
    let t = "ARG P=linux/s390x\nFROM --platform=$BUILDPLATFORM img:1 AS b\nFROM --platform=${P} img:1 AS c\nFROM img:1\nCOPY --from=b /x /x\nCOPY --from=c /y /y\nCOPY --from=other:2 /z /z\n";
    let df = parse(t, "Dockerfile").unwrap();
    let p = pre_plan(&df, &opts()).unwrap();
    assert_eq!(p.stages[0].platform.as_deref(), Some("linux/amd64"));
    assert_eq!(p.stages[1].platform.as_deref(), Some("linux/s390x"));
    assert_eq!(p.stages[2].platform, None);
    let refs: Vec<(String, Option<String>, usize)> = base_images(&p)
        .into_iter()
        .map(|b| (b.reference, b.platform, b.line))
        .collect();
    assert_eq!(
        refs,
        [
            ("img:1".into(), Some("linux/amd64".into()), 2),
            ("img:1".into(), Some("linux/s390x".into()), 3),
            ("img:1".into(), None, 4),
            ("other:2".into(), None, 7),
        ]
    );
    // The config of each stage's base is asked for with that stage's platform.
    let asked = std::sync::Mutex::new(Vec::new());
    plan(&df, &opts(), &|r, p| {
        asked
            .lock()
            .unwrap()
            .push((r.to_string(), p.map(String::from)));
        Some(BaseConfig::default())
    })
    .unwrap();
    assert_eq!(
        asked.into_inner().unwrap(),
        [
            ("img:1".to_string(), Some("linux/amd64".to_string())),
            ("img:1".to_string(), Some("linux/s390x".to_string())),
            ("img:1".to_string(), None),
        ]
    );
}

#[test]
fn step_text_is_the_instruction_as_written_after_expansion() {
    let t = "FROM scratch\nARG PORT=5000\nEXPOSE $PORT/tcp\nENV URLS http://*:$PORT\nLABEL a=\"x y\"\nCOPY --chown=1:1 ./pub${PORT} /app\nENTRYPOINT [\"dotnet\", \"$PORT.dll\"]\nCMD run $PORT\n";
    let p = mk(t, &opts()).unwrap();
    let texts: Vec<&str> = p.stages[0].steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "ARG PORT=5000",
            "EXPOSE 5000/tcp",
            "ENV URLS http://*:5000",
            "LABEL a=\"x y\"",
            "COPY --chown=1:1 ./pub5000 /app",
            // Docker does not expand exec and shell forms.
            "ENTRYPOINT [\"dotnet\", \"$PORT.dll\"]",
            "CMD run $PORT",
        ]
    );
    // The history keeps Docker's forms.
    assert_eq!(p.stages[0].steps[1].created_by, "EXPOSE map[5000/tcp:{}]");
    assert_eq!(
        p.stages[0].steps[4].created_by,
        "COPY --chown=1:1 ./pub5000 /app # buildkit"
    );
    match &p.stages[0].steps[4].op {
        StepOp::Copy(c) => assert!(!c.literal_sources),
        o => panic!("{o:?}"),
    }
}

#[test]
fn every_stage_has_a_path_unless_windows() {
    let t = "FROM scratch\nENV P=$PATH\n";
    let p = mk(t, &opts()).unwrap();
    assert_eq!(
        p.stages[0].steps[0].op,
        StepOp::Env(vec![("P".into(), DEFAULT_PATH.into())])
    );
    let t = "FROM --platform=windows/amd64 scratch\nENV P=x$PATH\n";
    let p = mk(t, &opts()).unwrap();
    assert_eq!(
        p.stages[0].steps[0].op,
        StepOp::Env(vec![("P".into(), "x".into())])
    );
}
