//! Writes the book's figures into `src/figures/` (next to the chapters),
//! and removes any `.svg` there that no figure produces:
//!
//! ```text
//! cargo run -p backprop --features figures --bin figures
//! ```

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/figures");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let figures = backprop::figures::all();
    for (name, svg) in &figures {
        let path = dir.join(name);
        let old = std::fs::read_to_string(&path).ok();
        if old.as_deref() != Some(svg.as_str()) {
            std::fs::write(&path, svg).unwrap_or_else(|e| {
                panic!("cannot write {}: {e}", path.display())
            });
            println!("wrote     src/figures/{name}");
        } else {
            println!("unchanged src/figures/{name}");
        }
    }
    for entry in std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()) {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.ends_with(".svg") && !figures.iter().any(|(n, _)| *n == file) {
            std::fs::remove_file(entry.path()).unwrap();
            println!("removed   src/figures/{file} (no figure draws it)");
        }
    }
}
