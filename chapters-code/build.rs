//! Gives the library a fingerprint of its own sources and of the
//! workspace's lock file, `BACKPROP_SOURCE_HASH`, with which
//! `net::spiral_run_cached` names the spiral run it keeps: a change to any
//! source file or any dependency's version names a fresh run.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=../Cargo.lock");
    let mut all = vec![PathBuf::from("../Cargo.lock")];
    files(Path::new("src"), &mut all);
    all.sort();
    let mut hash = std::collections::hash_map::DefaultHasher::new();
    for path in &all {
        path.hash(&mut hash);
        std::fs::read(path).unwrap_or_default().hash(&mut hash);
    }
    println!(
        "cargo:rustc-env=BACKPROP_SOURCE_HASH={:016x}",
        hash.finish()
    );
}
