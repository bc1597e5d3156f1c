//! Turns every ```rust block of every markdown file under `../src` into a
//! test, with skeptic. A new chapter is picked up without editing this file.

fn main() {
    println!("cargo:rerun-if-changed=../src");
    let mut files = skeptic::markdown_files_of_directory("../src/");
    files.sort();
    skeptic::generate_doc_tests(&files);
}
