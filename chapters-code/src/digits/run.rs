//! The cached run of the digits network: the trained weights, every
//! epoch's loss and test accuracy, and the test images it gets wrong, as
//! the `digits` example writes them with `--save` into [`RUN_FILE`]. The
//! chapter's figures are drawn from this file, and `cargo test` checks
//! that its weights give its accuracy, without training again. Support
//! code of [`super`].

use super::{Digits, Epoch, Net, Training, CONVENTION};
use crate::shapes::Checker;
use crate::Error;
use ndarray::{ArrayD, IxDyn};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::OnceLock;

/// The cached run, `chapters-code/data/digits-run.json`.
pub const RUN_FILE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits-run.json");

/// This file's messages, ending with the digits' [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

/// The parameters' names, in the order of [`Net::params`].
const PARAMS: [&str; 4] = ["W1", "b1", "W2", "b2"];

/// A test image that the trained network gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wrong {
    /// Its position among the test images.
    pub test_image: usize,
    /// The digit it shows.
    pub label: usize,
    /// The digit the network reads.
    pub predicted: usize,
}

/// A finished training run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The settings it was trained with.
    pub settings: Training,
    /// Every epoch's mean loss and test accuracy.
    pub epochs: Vec<Epoch>,
    /// The trained network.
    pub net: Net,
    /// The test images it gets wrong, in order.
    pub wrong: Vec<Wrong>,
}

impl Run {
    /// The run of `net`, trained with `settings` through `epochs`, with
    /// the images of `test` that it gets wrong.
    #[track_caller]
    pub fn new(
        settings: Training,
        net: Net,
        epochs: Vec<Epoch>,
        test: &Digits,
    ) -> Self {
        let predicted = net.predictions(&test.images);
        let wrong = predicted
            .iter()
            .zip(&test.labels)
            .enumerate()
            .filter(|(_, (p, l))| p != l)
            .map(|(k, (&predicted, &label))| Wrong {
                test_image: k,
                label,
                predicted,
            })
            .collect();
        Run {
            settings,
            epochs,
            net,
            wrong,
        }
    }

    /// The test accuracy after the last epoch (0 for a run of no epochs).
    pub fn test_accuracy(&self) -> f64 {
        self.epochs.last().map_or(0.0, |e| e.test_accuracy)
    }

    /// The run as JSON: every number as Rust prints it, which reads back
    /// to the same `f64`.
    pub fn to_json(&self) -> String {
        let t = &self.settings;
        let params: Vec<Value> = PARAMS
            .iter()
            .zip(&self.net.params)
            .map(|(name, p)| json!({"name": name, "shape": p.shape(), "data": p.iter().collect::<Vec<_>>()}))
            .collect();
        let run = json!({
            "written by": "cargo run --release -p backprop --example digits -- --save",
            "settings": {
                "filters": t.filters, "batch": t.batch, "step_size": t.step_size,
                "momentum": t.momentum, "epochs": t.epochs, "init_seed": t.init_seed,
                "order_seed": t.order_seed,
            },
            "epochs": self.epochs.iter().map(|e| json!({
                "epoch": e.epoch, "loss": e.loss, "test_accuracy": e.test_accuracy,
            })).collect::<Vec<_>>(),
            "wrong": self.wrong.iter().map(|w| json!({
                "test_image": w.test_image, "label": w.label, "predicted": w.predicted,
            })).collect::<Vec<_>>(),
            "params": params,
        });
        serde_json::to_string_pretty(&run).expect("a JSON value prints") + "\n"
    }

    /// Reads a run that [`Run::to_json`] wrote; `name` stands for the file
    /// in messages.
    ///
    /// # Errors
    /// An [`Error`] naming the file and the first field that is missing or
    /// of the wrong kind, or the parameter whose data does not fill its
    /// shape.
    pub fn from_json(text: &str, name: &str) -> Result<Run, Error> {
        let context = "digits::Run::load";
        let fail = |detail: String| {
            SHAPES.value(context, &format!("{name}: {detail}"))
        };
        let root: Value = serde_json::from_str(text)
            .map_err(|e| fail(format!("not JSON ({e})")))?;
        // A field by its path from `v`; `v` is at `at` in the file.
        let get =
            |(at, v): (&str, &Value), path: &str| -> Result<Value, Error> {
                let mut value = v;
                for key in path.split('.') {
                    let missing = || fail(format!("no field {at}{path}"));
                    value = value.get(key).ok_or_else(missing)?;
                }
                Ok(value.clone())
            };
        let whole = |v: (&str, &Value), path: &str| -> Result<usize, Error> {
            let not = || fail(format!("{}{path} is not a whole number", v.0));
            get(v, path)?.as_u64().map(|n| n as usize).ok_or_else(not)
        };
        let number = |v: (&str, &Value), path: &str| -> Result<f64, Error> {
            let not = || fail(format!("{}{path} is not a number", v.0));
            get(v, path)?.as_f64().ok_or_else(not)
        };
        let list = |path: &str| -> Result<Vec<Value>, Error> {
            let not = || fail(format!("{path} is not a list"));
            get(("", &root), path)?.as_array().cloned().ok_or_else(not)
        };
        let root_ = ("", &root);
        let settings = Training {
            filters: whole(root_, "settings.filters")?,
            batch: whole(root_, "settings.batch")?,
            step_size: number(root_, "settings.step_size")?,
            momentum: number(root_, "settings.momentum")?,
            epochs: whole(root_, "settings.epochs")?,
            init_seed: whole(root_, "settings.init_seed")? as u64,
            order_seed: whole(root_, "settings.order_seed")? as u64,
        };
        let epochs = list("epochs")?
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let at = format!("epochs[{k}].");
                let e = (at.as_str(), e);
                Ok(Epoch {
                    epoch: whole(e, "epoch")?,
                    loss: number(e, "loss")?,
                    test_accuracy: number(e, "test_accuracy")?,
                })
            })
            .collect::<Result<_, Error>>()?;
        let wrong = list("wrong")?
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let at = format!("wrong[{k}].");
                let w = (at.as_str(), w);
                Ok(Wrong {
                    test_image: whole(w, "test_image")?,
                    label: whole(w, "label")?,
                    predicted: whole(w, "predicted")?,
                })
            })
            .collect::<Result<_, Error>>()?;
        let params = list("params")?;
        if params.len() != PARAMS.len() {
            return Err(fail(format!(
                "params holds {} arrays, not the 4 of W1, b1, W2 and b2",
                params.len()
            )));
        }
        let mut arrays = Vec::new();
        for (p, want) in params.iter().zip(PARAMS) {
            let at = format!("params[{}].", arrays.len());
            let p = (at.as_str(), p);
            let shape: Vec<usize> = get(p, "shape")?
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| d.as_u64().map(|d| d as usize))
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    fail(format!("{want}'s shape is not a list of sizes"))
                })?;
            let data: Vec<f64> = get(p, "data")?
                .as_array()
                .into_iter()
                .flatten()
                .map(Value::as_f64)
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    fail(format!("{want}'s data is not a list of numbers"))
                })?;
            let found = data.len();
            let array = ArrayD::from_shape_vec(IxDyn(&shape), data).map_err(|_| {
                fail(format!(
                    "{want} has {found} numbers, which do not fill its shape {shape:?}"
                ))
            })?;
            arrays.push(array);
        }
        Ok(Run {
            settings,
            epochs,
            net: Net { params: arrays },
            wrong,
        })
    }

    /// Reads the run in the file at `path` ([`Run::from_json`]).
    ///
    /// # Errors
    /// A file that cannot be read, or [`Run::from_json`]'s errors.
    pub fn load(path: impl AsRef<Path>) -> Result<Run, Error> {
        let name = path.as_ref().display().to_string();
        let text = std::fs::read_to_string(path.as_ref()).map_err(|e| {
            SHAPES
                .value("digits::Run::load", &format!("cannot read {name}: {e}"))
        })?;
        Run::from_json(&text, &name)
    }

    /// The committed run, [`RUN_FILE`], read once per process.
    ///
    /// # Panics
    /// If the file is missing or damaged, with [`Run::load`]'s message.
    #[track_caller]
    pub fn cached() -> &'static Run {
        static RUN: OnceLock<Run> = OnceLock::new();
        RUN.get_or_init(|| Run::load(RUN_FILE).unwrap_or_else(|e| e.raise()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{committed, SPLIT_SEED, TEST_IMAGES, TRAINING};
    use super::*;

    #[test]
    fn the_cached_weights_give_the_cached_accuracy_and_mistakes() {
        let run = Run::cached();
        assert_eq!(
            run.settings, TRAINING,
            "{RUN_FILE} was trained with other settings than TRAINING: run \
             `cargo run --release -p backprop --example digits -- --save`"
        );
        assert_eq!(run.epochs.len(), TRAINING.epochs);
        let (_, test) = committed().split(TEST_IMAGES, SPLIT_SEED);
        // Evaluation only: the cached weights on the 360 test images.
        let again =
            Run::new(run.settings, run.net.clone(), run.epochs.clone(), &test);
        assert_eq!(
            again.wrong, run.wrong,
            "the cached weights get other test images wrong than the run lists"
        );
        let right = TEST_IMAGES - run.wrong.len();
        assert_eq!(
            run.test_accuracy(),
            right as f64 / TEST_IMAGES as f64,
            "the cached accuracy is not the cached weights' accuracy"
        );
        assert_eq!(run.net.accuracy(&test), run.test_accuracy());
        for w in &run.wrong {
            assert_eq!(
                test.labels[w.test_image], w.label,
                "test image {}",
                w.test_image
            );
        }
    }

    #[test]
    fn a_run_reads_back_as_it_was_written() {
        let run = Run::cached();
        assert_eq!(&Run::from_json(&run.to_json(), "again.json").unwrap(), run);
        assert_eq!(run.to_json(), std::fs::read_to_string(RUN_FILE).unwrap());
    }

    /// `from_json`'s message for `text`, without the convention.
    fn error(text: &str) -> String {
        let e = Run::from_json(text, "r.json").expect_err("a damaged run");
        let suffix = format!(" ({CONVENTION})");
        assert!(e.message.ends_with(&suffix), "{}", e.message);
        e.message.trim_end_matches(&suffix).to_string()
    }

    #[test]
    fn a_damaged_run_is_refused_naming_the_field() {
        let good: Value =
            serde_json::from_str(&Run::cached().to_json()).unwrap();
        let with = |change: &dyn Fn(&mut Value)| {
            let mut v = good.clone();
            change(&mut v);
            v.to_string()
        };
        assert!(error("{").starts_with("digits::Run::load: r.json: not JSON ("));
        assert_eq!(
            error(&with(&|v| drop(
                v["settings"].as_object_mut().unwrap().remove("batch")
            ))),
            "digits::Run::load: r.json: no field settings.batch"
        );
        assert_eq!(
            error(&with(&|v| v["settings"]["epochs"] = json!(1.5))),
            "digits::Run::load: r.json: settings.epochs is not a whole number"
        );
        assert_eq!(
            error(&with(&|v| v["settings"]["momentum"] = json!("high"))),
            "digits::Run::load: r.json: settings.momentum is not a number"
        );
        assert_eq!(
            error(&with(&|v| v["wrong"] = json!({}))),
            "digits::Run::load: r.json: wrong is not a list"
        );
        assert_eq!(
            error(&with(&|v| v["epochs"][0]["loss"] = json!(null))),
            "digits::Run::load: r.json: epochs[0].loss is not a number"
        );
        assert_eq!(
            error(&with(&|v| drop(v["params"].as_array_mut().unwrap().pop()))),
            "digits::Run::load: r.json: params holds 3 arrays, not the 4 of W1, b1, W2 and b2"
        );
        assert_eq!(
            error(&with(&|v| v["params"][2]["shape"] = json!([10, -1]))),
            "digits::Run::load: r.json: W2's shape is not a list of sizes"
        );
        assert_eq!(
            error(&with(&|v| v["params"][1]["data"][0] = json!("x"))),
            "digits::Run::load: r.json: b1's data is not a list of numbers"
        );
        assert_eq!(
            error(&with(&|v| drop(
                v["params"][3]["data"].as_array_mut().unwrap().pop()
            ))),
            "digits::Run::load: r.json: b2 has 9 numbers, which do not fill its shape [10]"
        );
        let e = Run::load("no/such/run.json").unwrap_err();
        assert!(
            e.message.starts_with(
                "digits::Run::load: cannot read no/such/run.json: "
            ),
            "{}",
            e.message
        );
    }
}
