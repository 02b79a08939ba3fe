//! `imgctl completion SHELL` and `imgctl man`: shell completions (clap_complete) and man pages
//! (clap_mangen) generated from the clap definitions. The checked-in `completions/` and `man/`
//! directories are this module's output; a unit test fails when they are out of date
//! (regenerate with `IMGCTL_REGENERATE=1 cargo test --bin imgctl generated_files`).

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use imgctl::error::{Error, Result};

use super::Cli;

/// The completion script for `shell`.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "imgctl", &mut out);
    out
}

/// The man pages: `imgctl.1` and one `imgctl-<command>.1` per subcommand, as (file name, roff).
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let render = |c: clap::Command| -> Result<Vec<u8>> {
        let mut out = Vec::new();
        clap_mangen::Man::new(c)
            .render(&mut out)
            .map_err(|e| Error::other(format!("cannot render man page: {e}")))?;
        Ok(examples_section(out))
    };
    let mut pages = vec![("imgctl.1".to_string(), render(cmd.clone())?)];
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("imgctl-{}", sub.get_name());
        // Title and NAME read `imgctl-copy` (man's convention, like git-commit(1)); the
        // SYNOPSIS shows the command as typed: `imgctl copy …`.
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("imgctl {}", sub.get_name()));
        pages.push((format!("{name}.1"), render(page)?));
    }
    Ok(pages)
}

/// Turns clap_mangen's `EXTRA` section (the command's `after_long_help`, which starts with
/// the `Examples:` heading) into an `EXAMPLES` section printed as written (no filling).
fn examples_section(page: Vec<u8>) -> Vec<u8> {
    let page = String::from_utf8(page).expect("clap_mangen writes UTF-8");
    let extra = format!(".SH EXTRA\n{}\n", super::examples::HEADING);
    let Some(start) = page.find(&extra) else {
        return page.into_bytes();
    };
    let body_start = start + extra.len();
    let body_end = page[body_start..]
        .find("\n.SH ")
        .map_or(page.len(), |i| body_start + i + 1);
    let body: String = page[body_start..body_end]
        .lines()
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    format!(
        "{}.SH EXAMPLES\n.nf\n.RS 4\n{body}.RE\n.fi\n{}",
        &page[..start],
        &page[body_end..]
    )
    .into_bytes()
}

/// `imgctl completion SHELL`: prints the script on stdout.
pub fn completion(shell: Shell) -> Result<()> {
    crate::output::write(&completion_script(shell));
    Ok(())
}

/// `imgctl man [--dir DIR]`: writes every page into DIR, or prints `imgctl.1` on stdout.
pub fn man(dir: Option<&Path>) -> Result<()> {
    let pages = man_pages()?;
    match dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            for (name, bytes) in pages {
                std::fs::write(d.join(name), bytes)?;
            }
        }
        None => crate::output::write(&pages[0].1),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shell a completion script is generated for, with its file name under `completions/`.
    const SHELLS: [(Shell, &str); 5] = [
        (Shell::Bash, "imgctl.bash"),
        (Shell::Zsh, "_imgctl"),
        (Shell::Fish, "imgctl.fish"),
        (Shell::PowerShell, "_imgctl.ps1"),
        (Shell::Elvish, "imgctl.elv"),
    ];

    /// The checked-in completions/ and man/ match what the current CLI generates.
    #[test]
    fn generated_files_are_up_to_date() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut expected: Vec<(std::path::PathBuf, Vec<u8>)> = SHELLS
            .iter()
            .map(|(s, f)| (root.join("completions").join(f), completion_script(*s)))
            .collect();
        for (name, bytes) in man_pages().unwrap() {
            expected.push((root.join("man").join(name), bytes));
        }
        if std::env::var_os("IMGCTL_REGENERATE").is_some() {
            for dir in ["completions", "man"] {
                let _ = std::fs::remove_dir_all(root.join(dir));
                std::fs::create_dir_all(root.join(dir)).unwrap();
            }
            for (p, b) in &expected {
                std::fs::write(p, b).unwrap();
            }
        }
        let mut stale = Vec::new();
        for (p, b) in &expected {
            if std::fs::read(p).ok().as_deref() != Some(b.as_slice()) {
                stale.push(p.display().to_string());
            }
        }
        for dir in ["completions", "man"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if !expected.iter().any(|(x, _)| *x == p) {
                    stale.push(format!("{} (no longer generated)", p.display()));
                }
            }
        }
        assert!(
            stale.is_empty(),
            "completions/man pages are out of date: {stale:?}\nregenerate with: IMGCTL_REGENERATE=1 cargo test --bin imgctl generated_files"
        );
    }
}
