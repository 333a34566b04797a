//! Builds the plugin workspace (`plugins/`) to WebAssembly with a nested cargo, in a target
//! folder under OUT_DIR (sharing the outer one deadlocks), then wraps each core module as a
//! component with wit-component. Test programs that must import WASI are built for wasm32-wasip2,
//! whose linker makes components itself.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The frameworks the platform ships.
const FRAMEWORKS: &[&str] = &["durham", "central-bedfordshire", "sunderland", "kent", "southwark", "national-baseline"];

/// Test programs built for wasm32-unknown-unknown (they import nothing).
const TEST_PROGRAMS: &[&str] = &[
    "spin",
    "memory-bomb",
    "deep-recursion",
    "trap",
    "huge-output",
    "trap-mid-batch",
    "stateful",
    "bad-describe",
    "bad-dates",
    "next-version",
    "moving-schedule",
    "legacy-v1-0",
];

/// Test programs built for wasm32-wasip2, to prove the host refuses what they import.
const WASI_TEST_PROGRAMS: &[&str] = &["imports-clock", "imports-files"];

fn main() {
    if let Err(e) = run() {
        println!("cargo::error={e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let plugins = manifest_dir.join("../../plugins").canonicalize().map_err(|e| format!("plugins folder: {e}"))?;
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let test_programs = std::env::var_os("CARGO_FEATURE_TEST_PROGRAMS").is_some();
    watch(&plugins)?;

    let mut generated = String::from("/// The built-in frameworks.\npub const FRAMEWORKS: &[Artifact] = &[\n");
    build(&plugins, &out, "wasm32-unknown-unknown", FRAMEWORKS)?;
    for name in FRAMEWORKS {
        let path = componentize(&out, name)?;
        generated.push_str(&entry(name, &path));
    }
    generated.push_str("];\n");

    if test_programs {
        build(&plugins, &out, "wasm32-unknown-unknown", TEST_PROGRAMS)?;
        build(&plugins, &out, "wasm32-wasip2", WASI_TEST_PROGRAMS)?;
        generated.push_str(
            "/// Adversarial and broken plugins for the host's tests.\npub const TEST_PROGRAMS: &[Artifact] = &[\n",
        );
        for name in TEST_PROGRAMS {
            let path = componentize(&out, name)?;
            generated.push_str(&entry(name, &path));
        }
        for name in WASI_TEST_PROGRAMS {
            let built = out.join("wasm-target/wasm32-wasip2/release").join(format!("{}.wasm", name.replace('-', "_")));
            generated.push_str(&entry(name, &built));
        }
        generated.push_str("];\n");
    }
    std::fs::write(out.join("artifacts.rs"), generated).map_err(|e| e.to_string())
}

fn entry(name: &str, path: &Path) -> String {
    format!("    Artifact {{ id: {name:?}, bytes: include_bytes!({:?}) }},\n", path.display().to_string())
}

/// Re-run when any source of the plugin workspace changes (its own target folder aside).
fn watch(dir: &Path) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        if path.is_dir() {
            watch(&path)?;
        } else {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }
    Ok(())
}

fn ensure_target(target: &str) -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc).args(["--print", "sysroot"]).output().map_err(|e| format!("{rustc}: {e}"))?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    if Path::new(&sysroot).join("lib/rustlib").join(target).exists() {
        return Ok(());
    }
    let status = Command::new("rustup")
        .args(["target", "add", target])
        .status()
        .map_err(|e| format!("the Rust target {target} is missing and rustup could not be run to add it: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`rustup target add {target}` failed")) }
}

fn build(plugins: &Path, out: &Path, target: &str, packages: &[&str]) -> Result<(), String> {
    ensure_target(target)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(plugins)
        .args(["build", "--release", "--locked", "--target", target, "--target-dir"])
        .arg(out.join("wasm-target"));
    for p in packages {
        cmd.args(["-p", p]);
    }
    // The outer build's settings are for the host, not for wasm.
    for var in
        ["CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS", "CARGO_BUILD_TARGET", "CARGO_TARGET_DIR", "RUSTC_WORKSPACE_WRAPPER"]
    {
        cmd.env_remove(var);
    }
    let status = cmd.status().map_err(|e| format!("running cargo for the plugins: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("building the plugins {packages:?} for {target} failed")) }
}

/// Wraps a core module built for wasm32-unknown-unknown as a component.
fn componentize(out: &Path, name: &str) -> Result<PathBuf, String> {
    let core = out.join("wasm-target/wasm32-unknown-unknown/release").join(format!("{}.wasm", name.replace('-', "_")));
    let module = std::fs::read(&core).map_err(|e| format!("{}: {e}", core.display()))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.validate(true).encode())
        .map_err(|e| format!("making {name} a component: {e:#}"))?;
    let path = out.join(format!("{name}.component.wasm"));
    std::fs::write(&path, component).map_err(|e| e.to_string())?;
    Ok(path)
}
