//! The digits data, read and split: support code of the digits network
//! ([`super`]), which the chapter describes in words.
//!
//! **Data.** The UCI set "Optical Recognition of Handwritten Digits"
//! (E. Alpaydin and C. Kaynak, 1998, CC BY 4.0), as scikit-learn ships it:
//! `chapters-code/data/digits.csv.gz`, whose README gives its source. Each
//! of its 1,797 lines holds 64 pixels from 0 to 16, row by row, then the
//! label from 0 to 9 ([`CONVENTION`]). [`load`] reads it with the `flate2`
//! and `csv` crates and refuses a truncated or malformed file with the
//! crate's one [`Error`], naming the line. The images come back as
//! `(n, 1, 8, 8)`, the convolution chapter's layout (images, channels,
//! height, width), every pixel divided by 16 so that it lies in `[0, 1]`.
//! [`Digits::split`] sets aside [`TEST_IMAGES`] of them for testing, by a
//! fixed seed, before any training.

use crate::shapes::Checker;
use crate::Error;
use ndarray::{Array4, Axis};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::io::Read;
use std::path::Path;

/// The data's format and the layouts of this module, repeated in every
/// message it raises.
pub const CONVENTION: &str = "convention: digits.csv.gz is gzipped CSV, one image per line: \
     64 pixels from 0 to 16, row by row, then the label from 0 to 9; images are (n, 1, 8, 8) \
     with pixels scaled to [0, 1], scores are (10, n), columns are samples";

/// This module's messages, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

/// An image's height and width, in pixels.
pub const SIDE: usize = 8;

/// Pixels per image, `SIDE · SIDE`.
pub const PIXELS: usize = SIDE * SIDE;

/// The largest pixel value in the file: a pixel counts the black dots in a
/// 4 × 4 block of the scanned digit.
pub const MAX_PIXEL: u8 = 16;

/// The number of classes, the digits 0 to 9.
pub const CLASSES: usize = 10;

/// The committed data file, `chapters-code/data/digits.csv.gz`.
pub const DATA_FILE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv.gz");

/// How many images [`Digits::split`] sets aside for testing: 360 of the
/// 1,797, leaving 1,437 to train on.
pub const TEST_IMAGES: usize = 360;

/// The seed of the split into training and test images.
pub const SPLIT_SEED: u64 = 1998;

/// Images and their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Digits {
    /// `(n, 1, 8, 8)`, every pixel in `[0, 1]`.
    pub images: Array4<f64>,
    /// The digit each image shows, `n` of them, each below [`CLASSES`].
    pub labels: Vec<usize>,
}

impl Digits {
    /// The number of images, `n`.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The images at `indices`, in that order.
    ///
    /// # Panics
    /// If an index is not below [`Digits::len`].
    pub fn select(&self, indices: &[usize]) -> Digits {
        Digits {
            images: self.images.select(Axis(0), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// `(train, test)`: `test` images drawn at random for testing, and the
    /// rest for training, each part in the order of the file. The same
    /// `seed` always gives the same split.
    ///
    /// # Panics
    /// If `test` is larger than [`Digits::len`].
    #[track_caller]
    pub fn split(&self, test: usize, seed: u64) -> (Digits, Digits) {
        SHAPES
            .check(
                test <= self.len(),
                "digits::Digits::split",
                ("test", &[test]),
                ("labels", &[self.len()]),
                "the test part cannot hold more images than there are",
            )
            .unwrap_or_else(|e| e.raise());
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));
        let (test_part, train_part) = order.split_at_mut(test);
        train_part.sort_unstable();
        test_part.sort_unstable();
        (self.select(train_part), self.select(test_part))
    }
}

/// Reads a digits file: gzipped CSV, one image per line, 64 pixels from 0
/// to 16 and then the label from 0 to 9 ([`CONVENTION`]). Returns the
/// images `(n, 1, 8, 8)`, each pixel divided by [`MAX_PIXEL`], and the
/// labels.
///
/// # Errors
/// An [`Error`] naming the file, and the line where one is to blame: a
/// file that cannot be opened, a gzip stream that is truncated or corrupt,
/// a line without 65 fields, a field that is not a whole number, a pixel
/// above 16, a label above 9, or a file with no lines.
pub fn load(path: impl AsRef<Path>) -> Result<Digits, Error> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| {
        SHAPES.value("digits::load", &format!("cannot open {name}: {e}"))
    })?;
    read(file, &name)
}

/// The committed data, [`DATA_FILE`]: 1,797 images.
///
/// # Panics
/// If the file is missing or damaged, with [`load`]'s message.
#[track_caller]
pub fn committed() -> Digits {
    load(DATA_FILE).unwrap_or_else(|e| e.raise())
}

/// [`load`] from any reader of the gzipped bytes, `name` standing for the
/// file in messages.
fn read(gzipped: impl Read, name: &str) -> Result<Digits, Error> {
    let context = "digits::load";
    let fail = |line: u64, detail: String| {
        SHAPES.value(context, &format!("{name}, line {line}: {detail}"))
    };
    // Records of any length, as bytes: the checks below report a short
    // line or a bad field in this module's words, so reading itself fails
    // only when the gzip stream does.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(flate2::read::GzDecoder::new(gzipped));
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    let mut record = csv::ByteRecord::new();
    let mut last_line = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(fail(
                    last_line + 1,
                    format!(
                        "the gzip stream breaks off here ({e}): the file is truncated or corrupt"
                    ),
                ))
            }
        }
        last_line = record
            .position()
            .expect("a record read from a file has a position")
            .line();
        if record.len() != PIXELS + 1 {
            return Err(fail(
                last_line,
                format!(
                    "{} fields, but a line holds {}: {PIXELS} pixels, then the label",
                    record.len(),
                    PIXELS + 1
                ),
            ));
        }
        for (i, field) in record.iter().enumerate() {
            let (what, max) = if i < PIXELS {
                (format!("pixel {}", i + 1), MAX_PIXEL)
            } else {
                ("the label".to_string(), CLASSES as u8 - 1)
            };
            let value = std::str::from_utf8(field)
                .ok()
                .and_then(|text| text.parse::<u8>().ok())
                .filter(|&v| v <= max)
                .ok_or_else(|| {
                    fail(
                        last_line,
                        format!(
                            "{what} (field {}) is {:?}, not a whole number from 0 to {max}",
                            i + 1,
                            String::from_utf8_lossy(field)
                        ),
                    )
                })?;
            if i < PIXELS {
                pixels.push(f64::from(value) / f64::from(MAX_PIXEL));
            } else {
                labels.push(usize::from(value));
            }
        }
    }
    if labels.is_empty() {
        return Err(SHAPES.value(context, &format!("{name} holds no images")));
    }
    let images = Array4::from_shape_vec((labels.len(), 1, SIDE, SIDE), pixels)
        .expect("every line adds 64 pixels");
    Ok(Digits { images, labels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::assert_shape_panic;
    use ndarray::s;
    use std::io::Write;

    /// `bytes` gzipped, as the data file stores them.
    fn gz_bytes(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        );
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    /// `text` gzipped.
    fn gz(text: &str) -> Vec<u8> {
        gz_bytes(text.as_bytes())
    }

    /// A line of the file: 64 pixels, every one `pixel`, then `label`.
    fn line(pixel: u8, label: usize) -> String {
        let mut fields = vec![pixel.to_string(); PIXELS];
        fields.push(label.to_string());
        fields.join(",") + "\n"
    }

    /// `read`'s error for `text`, gzipped, without the convention.
    fn read_error(text: &str) -> String {
        let e = read(&gz(text)[..], "t.csv.gz").expect_err("a malformed file");
        let suffix = format!(" ({CONVENTION})");
        assert!(e.message.ends_with(&suffix), "{}", e.message);
        e.message.trim_end_matches(&suffix).to_string()
    }

    #[test]
    fn the_committed_file_holds_1797_digits() {
        let d = committed();
        assert_eq!(d.images.dim(), (1797, 1, 8, 8));
        assert_eq!(d.len(), 1797);
        assert!(!d.is_empty() && d.select(&[]).is_empty());
        // The first line of the file: 0,0,5,13,9,1,0,0, … and the label 0.
        let first_row = d.images.slice(s![0, 0, 0, ..]).mapv(|v| v * 16.0);
        assert_eq!(
            first_row.to_vec(),
            [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0],
            "digits::load: the first image's top row"
        );
        assert_eq!(
            (d.labels[0], d.labels[1796]),
            (0, 8),
            "first and last labels"
        );
        // The UCI description's class counts for this (test) part.
        let mut counts = [0; CLASSES];
        for &l in &d.labels {
            counts[l] += 1;
        }
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        let (lo, hi) = d
            .images
            .iter()
            .fold((1.0, 0.0), |(lo, hi), &v| (v.min(lo), v.max(hi)));
        assert_eq!((lo, hi), (0.0, 1.0), "pixels are scaled to [0, 1]");
    }

    #[test]
    fn a_good_file_is_read_line_by_line() {
        let d =
            read(&gz(&(line(16, 9) + &line(4, 0)))[..], "t.csv.gz").unwrap();
        assert_eq!(d.labels, [9, 0]);
        assert_eq!(d.images.dim(), (2, 1, 8, 8));
        assert!(d.images.slice(s![0, .., .., ..]).iter().all(|&v| v == 1.0));
        assert!(d.images.slice(s![1, .., .., ..]).iter().all(|&v| v == 0.25));
        // Row by row: the tenth value of a line is row 1, column 1.
        let mut fields = vec!["0"; PIXELS + 1];
        fields[9] = "8";
        let d = read(&gz(&(fields.join(",") + "\n"))[..], "t.csv.gz").unwrap();
        assert_eq!(d.images[[0, 0, 1, 1]], 0.5);
        assert_eq!(d.images.sum(), 0.5);
    }

    #[test]
    fn a_truncated_gzip_stream_is_refused_naming_the_line_it_breaks_off_in() {
        let bytes = std::fs::read(DATA_FILE).unwrap();
        let cut = &bytes[..bytes.len() / 2];
        // The lines that the first half decodes to in full.
        let mut decoded = Vec::new();
        let _ = flate2::read::GzDecoder::new(cut).read_to_end(&mut decoded);
        let whole_lines = decoded.iter().filter(|&&b| b == b'\n').count();
        assert!((100..1797).contains(&whole_lines), "{whole_lines}");
        let e = read(cut, "half.csv.gz").unwrap_err();
        let want = format!(
            "digits::load: half.csv.gz, line {}: the gzip stream breaks off here",
            whole_lines + 1
        );
        assert!(
            e.message.starts_with(&want),
            "{}\nshould start with\n{want}",
            e.message
        );
        assert!(
            e.message.contains("the file is truncated or corrupt"),
            "{}",
            e.message
        );
        // Without its last bytes (the gzip trailer), the stream ends after
        // the last whole line.
        let e = read(&bytes[..bytes.len() - 4], "short.csv.gz").unwrap_err();
        assert!(
            e.message
                .starts_with("digits::load: short.csv.gz, line 1798: the gzip stream breaks off"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_file_that_is_not_gzip_is_refused_at_line_1() {
        let e = read(line(0, 0).as_bytes(), "plain.csv").unwrap_err();
        assert!(
            e.message.starts_with(
                "digits::load: plain.csv, line 1: the gzip stream breaks off"
            ),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_line_with_63_pixels_is_refused_naming_it() {
        let mut short: Vec<String> = vec!["1".to_string(); PIXELS - 1];
        short.push("3".to_string());
        let text = line(0, 1) + &line(2, 2) + &(short.join(",") + "\n");
        assert_eq!(
            read_error(&text),
            "digits::load: t.csv.gz, line 3: 64 fields, but a line holds 65: 64 pixels, then the label"
        );
        // A blank line holds no image but still counts as a line.
        let text = line(0, 1) + "\n" + &line(2, 2) + &(short.join(",") + "\n");
        assert!(read_error(&text)
            .starts_with("digits::load: t.csv.gz, line 4: 64 fields"));
    }

    #[test]
    fn a_pixel_17_a_label_10_and_a_non_number_are_refused_naming_line_and_field(
    ) {
        let mut bad = vec!["0"; PIXELS + 1];
        bad[4] = "17";
        let text = line(0, 0) + &(bad.join(",") + "\n");
        assert_eq!(
            read_error(&text),
            "digits::load: t.csv.gz, line 2: pixel 5 (field 5) is \"17\", not a whole number from 0 to 16"
        );
        let text = line(0, 0) + &line(16, 9) + &line(3, 10);
        assert_eq!(
            read_error(&text),
            "digits::load: t.csv.gz, line 3: the label (field 65) is \"10\", not a whole number from 0 to 9"
        );
        let mut bad = line(0, 0).into_bytes();
        bad[2] = 0xFF; // the second pixel, as a byte that is not UTF-8
        let e = read(&gz_bytes(&bad)[..], "t.csv.gz").unwrap_err();
        assert!(
            e.message.starts_with(
                "digits::load: t.csv.gz, line 1: pixel 2 (field 2) is \"\u{FFFD}\", not a whole"
            ),
            "{}",
            e.message
        );
        for not_a_number in ["x", "1.5", "-1", ""] {
            let mut bad = vec!["0"; PIXELS + 1];
            bad[63] = not_a_number;
            assert_eq!(
                read_error(&(bad.join(",") + "\n")),
                format!("digits::load: t.csv.gz, line 1: pixel 64 (field 64) is {not_a_number:?}, not a whole number from 0 to 16")
            );
        }
    }

    #[test]
    fn an_empty_or_missing_file_is_refused() {
        assert_eq!(read_error(""), "digits::load: t.csv.gz holds no images");
        let e = load("no/such/digits.csv.gz").unwrap_err();
        assert!(
            e.message.starts_with(
                "digits::load: cannot open no/such/digits.csv.gz: "
            ),
            "{}",
            e.message
        );
        assert!(
            e.message.ends_with(&format!("({CONVENTION})")),
            "{}",
            e.message
        );
    }

    #[test]
    fn the_split_is_fixed_by_its_seed_and_keeps_images_with_their_labels() {
        let d = committed();
        let (train, test) = d.split(TEST_IMAGES, SPLIT_SEED);
        assert_eq!((train.len(), test.len()), (1437, 360));
        assert_eq!(train.images.dim(), (1437, 1, 8, 8));
        assert_eq!(
            d.split(TEST_IMAGES, SPLIT_SEED),
            (train.clone(), test.clone()),
            "same seed, same split"
        );
        assert_ne!(
            d.split(TEST_IMAGES, SPLIT_SEED + 1).1,
            test,
            "another seed, another split"
        );
        // Every image of either part is an image of the file with its own
        // label, and the parts together use every image of the file once.
        let mut used = vec![false; d.len()];
        for part in [&train, &test] {
            let mut from = 0;
            for (image, &label) in part.images.outer_iter().zip(&part.labels) {
                // Each part keeps the file's order, so search on from the
                // last match.
                let at = (from..d.len())
                    .find(|&i| {
                        !used[i]
                            && d.labels[i] == label
                            && d.images.index_axis(Axis(0), i) == image
                    })
                    .expect("an image of the file, with its label");
                used[at] = true;
                from = at + 1;
            }
        }
        assert!(
            used.iter().all(|&u| u),
            "an image of the file is in neither part"
        );
        assert_shape_panic(
            "digits::Digits::split",
            &["test has shape [1798]"],
            || {
                d.split(1798, 0);
            },
        );
    }
}
