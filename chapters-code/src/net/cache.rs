//! [`spiral_run_cached`]: the book's spiral run, kept under cargo's
//! `target/` directory so that `cargo test` trains it at most once. Support
//! code, not a chapter's: the run itself is [`super::spiral_run`].

use super::{
    spiral, spiral_run, Network, SpiralRun, SPIRAL_SEEDS, SPIRAL_SIZES,
    SPIRAL_TRAINING,
};
use crate::affine;
use crate::gradcheck::random;
use ndarray::{Array1, Array2};

/// [`spiral_run`](super::spiral_run), trained at most once for each build of this crate on
/// each machine: the book's listings and its figure check all ask for the
/// same run, so the first to ask trains it and keeps it in a file under
/// cargo's `target/` directory, and the others read it back.
///
/// The file's name is a hash of everything that decides the run's
/// numbers: every source file of this crate and the workspace's lock file
/// (hashed when the crate is built, see `build.rs`); the bits of a small
/// matrix product, which show the kernel that ndarray's product picked
/// for this processor (with or without fused multiply-adds); the bits of
/// the maths library's `exp` and `ln` on a few arguments; and, where
/// `/proc/cpuinfo` can be read, the processor's model and features. A
/// change to any of them gives a new name, and so a fresh run.
pub fn spiral_run_cached() -> SpiralRun {
    let path = cache_path();
    let (per_class, classes, _) = SPIRAL_SIZES;
    let read = || {
        let (net, losses) = parse_run(&std::fs::read_to_string(&path).ok()?)?;
        let (x, labels) = spiral(per_class, classes, SPIRAL_SEEDS.0);
        Some(SpiralRun {
            x,
            labels,
            net,
            losses,
        })
    };
    // One process trains while the others wait for its file: the lock is
    // a file that only one process can create. A lock left by a process
    // that was killed is taken over after a minute.
    let lock = path.with_extension("lock");
    let mut waits = 0;
    let _held = loop {
        if let Some(run) = read() {
            return run;
        }
        let created = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&lock);
        match created {
            Ok(_) => {
                let held = Lock(&lock);
                // The last holder may have written the file just before
                // letting go.
                if let Some(run) = read() {
                    return run;
                }
                break held;
            }
            Err(_) if waits < 600 => {
                std::thread::sleep(std::time::Duration::from_millis(100));
                waits += 1;
            }
            Err(_) => break Lock(&lock),
        }
    };
    let run = spiral_run();
    let partial = path.with_extension("partial");
    if std::fs::write(&partial, format_run(&run.net, &run.losses)).is_ok() {
        let _ = std::fs::rename(&partial, &path);
    }
    // Runs kept for earlier sources can no longer be asked for.
    let dir = path.parent().expect("a file in OUT_DIR");
    for old in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = old.file_name().to_string_lossy().into_owned();
        if name.starts_with("spiral-run-")
            && old.path() != path
            && old.path() != lock
        {
            let _ = std::fs::remove_file(old.path());
        }
    }
    run
}

/// A lock file, removed when dropped, also when training panics.
struct Lock<'a>(&'a std::path::Path);

impl Drop for Lock<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0);
    }
}

/// Where [`spiral_run_cached`] keeps the run, named by the hash of what
/// decides it.
fn cache_path() -> std::path::PathBuf {
    use std::hash::{Hash, Hasher};
    let mut key = std::collections::hash_map::DefaultHasher::new();
    env!("BACKPROP_SOURCE_HASH").hash(&mut key);
    let product = affine::forward(
        &random((10, 7), 1),
        &random((7, 9), 2),
        &random(10, 3),
    );
    for v in &product {
        v.to_bits().hash(&mut key);
    }
    for v in [0.3f64, -1.7, 2.5, 41.0] {
        (v.exp().to_bits(), v.abs().ln().to_bits()).hash(&mut key);
    }
    if let Ok(cpu) = std::fs::read_to_string("/proc/cpuinfo") {
        for field in ["model name", "flags"] {
            cpu.lines().find(|l| l.starts_with(field)).hash(&mut key);
        }
    }
    let dir = std::path::Path::new(env!("OUT_DIR"));
    dir.join(format!("spiral-run-{:016x}.txt", key.finish()))
}

/// A trained network and its losses as text, one array per line, every
/// number as the hexadecimal of its bits, so that reading it back gives
/// the same numbers exactly.
fn format_run(net: &Network, losses: &[f64]) -> String {
    let line = |v: &mut dyn Iterator<Item = &f64>| {
        v.map(|x| format!("{:016x}", x.to_bits()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    [
        line(&mut net.w1.iter()),
        line(&mut net.b1.iter()),
        line(&mut net.w2.iter()),
        line(&mut net.b2.iter()),
        line(&mut losses.iter()),
    ]
    .join("\n")
}

/// [`format_run`] read back, for the spiral run's sizes; `None` if
/// anything is missing or malformed.
fn parse_run(text: &str) -> Option<(Network, Vec<f64>)> {
    let (_, classes, hidden) = SPIRAL_SIZES;
    let mut lines = text.lines().map(|l| {
        l.split(' ')
            .map(|t| u64::from_str_radix(t, 16).ok().map(f64::from_bits))
            .collect::<Option<Vec<f64>>>()
    });
    let mut next =
        |len: usize| lines.next().flatten().filter(|v| v.len() == len);
    let net = Network {
        w1: Array2::from_shape_vec((hidden, 2), next(2 * hidden)?).ok()?,
        b1: Array1::from(next(hidden)?),
        w2: Array2::from_shape_vec((classes, hidden), next(classes * hidden)?)
            .ok()?,
        b2: Array1::from(next(classes)?),
    };
    let losses = next(SPIRAL_TRAINING.steps)?;
    Some((net, losses))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::random;
    use ndarray::Ix1;

    #[test]
    fn a_run_written_out_reads_back_to_the_bit() {
        let (_, classes, hidden) = SPIRAL_SIZES;
        let mut net = Network::new(2, hidden, classes, 3);
        net.b2[1] = -0.0;
        net.b1[7] = f64::MIN_POSITIVE / 4.0;
        let losses: Vec<f64> =
            random::<_, Ix1>(SPIRAL_TRAINING.steps, 4).to_vec();
        let text = format_run(&net, &losses);
        let (back, back_losses) = parse_run(&text).expect("reads back");
        let bits = |v: &mut dyn Iterator<Item = &f64>| {
            v.map(|x| x.to_bits()).collect::<Vec<_>>()
        };
        assert_eq!(bits(&mut back.w1.iter()), bits(&mut net.w1.iter()));
        assert_eq!(bits(&mut back.b1.iter()), bits(&mut net.b1.iter()));
        assert_eq!(bits(&mut back.w2.iter()), bits(&mut net.w2.iter()));
        assert_eq!(bits(&mut back.b2.iter()), bits(&mut net.b2.iter()));
        assert_eq!(bits(&mut back_losses.iter()), bits(&mut losses.iter()));
        // A file cut short, or one for other sizes, is not a run.
        assert!(parse_run(&text[..text.len() - 20]).is_none());
        assert!(parse_run(&text.replacen(' ', "  ", 1)).is_none());
        assert!(parse_run("").is_none());
    }

    #[test]
    fn the_cache_is_named_by_the_sources_and_the_machine() {
        let path = cache_path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("spiral-run-")
                && name.ends_with(".txt")
                && name.len() == 31,
            "{name}"
        );
        assert!(path.starts_with(env!("OUT_DIR")));
        assert_eq!(cache_path(), path);
        assert_eq!(env!("BACKPROP_SOURCE_HASH").len(), 16);
    }
}
