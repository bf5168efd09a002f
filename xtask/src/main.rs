//! `cargo xtask <task>`: see `cargo xtask help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use xtask::{codegen, spec};

const USAGE: &str = "\
usage:
  cargo xtask codegen [--check] [--spec FILE] [--out DIR]
      generate crates/chat-api/src/generated from spec/openapi.json;
      --check writes nothing and fails when the checked-in code is stale
  cargo xtask scratch --spec FILE --out DIR
      generate any spec (e.g. the whole upstream one) into a throwaway crate at DIR
  cargo xtask spec [--upstream FILE] [--overlay FILE] [--out FILE]
      extract the Chat Completions part of an upstream OpenAPI spec
      (default spec/upstream/openapi.json), patch it with spec/overlay.json,
      and write spec/openapi.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is xtask/; the workspace is its parent.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(args: &[String]) -> Result<(), String> {
    let (task, rest) = args.split_first().ok_or_else(|| USAGE.to_owned())?;
    let mut flags = Flags::parse(rest)?;
    let root = workspace_root();
    match task.as_str() {
        "codegen" => {
            let started = Instant::now();
            let spec = flags
                .path("--spec")
                .unwrap_or_else(|| root.join(codegen::SPEC));
            let out = flags
                .path("--out")
                .unwrap_or_else(|| root.join(codegen::OUT_DIR));
            let check = flags.switch("--check");
            flags.finish()?;
            let generated = codegen::generate(&spec)?;
            if check {
                let stale = codegen::check(&generated, &out);
                if stale.is_empty() {
                    println!(
                        "codegen --check: {} files up to date",
                        generated.files.len()
                    );
                    return Ok(());
                }
                for file in &stale {
                    eprintln!("stale: {}\n{}", file.path.display(), file.diff);
                }
                return Err(format!(
                    "{} generated file(s) are stale: run `cargo xtask codegen`",
                    stale.len()
                ));
            }
            let written = codegen::write(&generated, &out)?;
            println!("{}", codegen::summary(&generated, written, started));
            Ok(())
        }
        "scratch" => {
            let started = Instant::now();
            let spec = flags.path("--spec").ok_or("--spec FILE is required")?;
            let out = flags.path("--out").ok_or("--out DIR is required")?;
            flags.finish()?;
            let generated = xtask::scratch::write(&spec, &out, &root.join("crates/chat-api"))?;
            println!(
                "{}",
                codegen::summary(&generated, generated.files.len(), started)
            );
            Ok(())
        }
        "spec" => {
            let upstream = flags
                .path("--upstream")
                .unwrap_or_else(|| root.join(spec::UPSTREAM));
            let out = flags
                .path("--out")
                .unwrap_or_else(|| root.join(codegen::SPEC));
            let overlay = flags
                .path("--overlay")
                .unwrap_or_else(|| root.join(xtask::overlay::OVERLAY));
            flags.finish()?;
            let summary = spec::extract_file(&upstream, &overlay, &out)?;
            println!("{summary}");
            Ok(())
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n{USAGE}")),
    }
}

struct Flags {
    args: Vec<String>,
}

impl Flags {
    fn parse(args: &[String]) -> Result<Self, String> {
        Ok(Flags {
            args: args.to_vec(),
        })
    }

    fn switch(&mut self, name: &str) -> bool {
        let before = self.args.len();
        self.args.retain(|a| a != name);
        before != self.args.len()
    }

    fn path(&mut self, name: &str) -> Option<PathBuf> {
        let i = self.args.iter().position(|a| a == name)?;
        if i + 1 >= self.args.len() {
            return None;
        }
        let value = self.args.remove(i + 1);
        self.args.remove(i);
        Some(PathBuf::from(value))
    }

    fn finish(self) -> Result<(), String> {
        match self.args.first() {
            None => Ok(()),
            Some(extra) => Err(format!("unexpected argument `{extra}`\n{USAGE}")),
        }
    }
}
