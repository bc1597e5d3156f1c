//! The rest of the digits network's training loop: the first weights,
//! predictions and accuracy (on a tape that does not record), an epoch of
//! minibatches, and a whole run. Support code of [`super`]; the chapter
//! shows [`super::scores`], [`super::loss`] and [`Trainer::step`].

use super::{
    scores, Digits, Epoch, Net, Trainer, Training, CLASSES, EVAL_BATCH, FILTER,
    POOLED,
};
use crate::gradcheck::random;
use crate::layer_check::arg;
use crate::loss;
use crate::tape::{Sgd, Tape};
use ndarray::{Array1, Array4, Axis, Ix2, Ix4};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

impl Net {
    /// A network with `filters` filters: every weight uniform in
    /// `[−√(6/fan_in), √(6/fan_in))`, where `fan_in` is the number of
    /// inputs that each of the layer's outputs adds up (9 for a filter,
    /// `16F` for the output layer), so that the layers' outputs start out
    /// neither vanishing nor growing from layer to layer; biases zero. `W1`
    /// is drawn from `seed`, `W2` from `seed + 1`.
    pub fn new(filters: usize, seed: u64) -> Self {
        let (q1, q2) = FILTER;
        let hidden = filters * POOLED * POOLED;
        let scale = |fan_in: usize| (6.0 / fan_in as f64).sqrt();
        let w1 = random::<_, Ix4>((filters, 1, q1, q2), seed) * scale(q1 * q2);
        let w2 = random::<_, Ix2>((CLASSES, hidden), seed + 1) * scale(hidden);
        Net {
            params: vec![
                w1.into_dyn(),
                Array1::<f64>::zeros(filters).into_dyn(),
                w2.into_dyn(),
                Array1::<f64>::zeros(CLASSES).into_dyn(),
            ],
        }
    }

    /// The filters `W1`, `(F, 1, 3, 3)`.
    pub fn filters(&self) -> Array4<f64> {
        arg(&self.params[0])
    }

    /// The class each image of `images` `(n, 1, 8, 8)` gets: the one with
    /// the largest score. The images go through the network on a tape that
    /// does not record ([`Tape::evaluation`]), [`EVAL_BATCH`] at a time.
    ///
    /// # Panics
    /// If the images do not fit the network (the tape's message).
    #[track_caller]
    pub fn predictions(&self, images: &Array4<f64>) -> Vec<usize> {
        let mut out = Vec::with_capacity(images.len_of(Axis(0)));
        for chunk in images.axis_chunks_iter(Axis(0), EVAL_BATCH) {
            let mut tape = Tape::evaluation();
            let p = tape.leaves(&self.params);
            let x = tape.leaf(chunk.to_owned());
            let y = scores(&mut tape, [p[0], p[1], p[2], p[3]], x);
            out.extend(loss::predictions(&arg::<Ix2>(tape.value(y))));
        }
        out
    }

    /// The fraction of `data`'s images whose predicted class is their
    /// label.
    #[track_caller]
    pub fn accuracy(&self, data: &Digits) -> f64 {
        let predicted = self.predictions(&data.images);
        let right = predicted.iter().zip(&data.labels).filter(|(p, l)| p == l);
        right.count() as f64 / data.len() as f64
    }
}

impl Trainer {
    /// A fresh network and optimiser for the settings `t`.
    pub fn new(t: &Training) -> Self {
        Trainer {
            net: Net::new(t.filters, t.init_seed),
            sgd: Sgd::new(t.step_size, t.momentum),
            batch: t.batch,
            rng: StdRng::seed_from_u64(t.order_seed),
        }
    }

    /// One epoch: every image of `data` once, in a new random order, a
    /// minibatch at a time, with one [`Trainer::step`] per minibatch.
    /// Returns the mean of the minibatches' losses, each taken before its
    /// step.
    ///
    /// # Panics
    /// If `data` is empty.
    #[track_caller]
    pub fn epoch(&mut self, data: &Digits) -> f64 {
        let mut order: Vec<usize> = (0..data.len()).collect();
        order.shuffle(&mut self.rng);
        let losses: Vec<f64> = order
            .chunks(self.batch)
            .map(|indices| self.step(data.select(indices)))
            .collect();
        losses.iter().sum::<f64>() / losses.len() as f64
    }
}

/// Trains a network with the settings `t` on `train` and measures it on
/// `test` after every epoch, calling `progress` with each [`Epoch`].
/// Returns the trained network and every epoch's numbers.
pub fn train(
    t: &Training,
    train: &Digits,
    test: &Digits,
    mut progress: impl FnMut(&Epoch),
) -> (Net, Vec<Epoch>) {
    let mut trainer = Trainer::new(t);
    let mut epochs = Vec::with_capacity(t.epochs);
    for epoch in 1..=t.epochs {
        let loss = trainer.epoch(train);
        let e = Epoch {
            epoch,
            loss,
            test_accuracy: trainer.net.accuracy(test),
        };
        progress(&e);
        epochs.push(e);
    }
    (trainer.net, epochs)
}

#[cfg(test)]
mod tests {
    use super::super::{committed, loss, SPLIT_SEED, TEST_IMAGES, TRAINING};
    use super::*;
    use crate::layer_check::input;
    use crate::tape;
    use ndarray::{s, ArrayD};

    #[test]
    fn new_draws_each_layer_at_its_own_scale() {
        let net = Net::new(16, 7);
        let shapes: Vec<&[usize]> =
            net.params.iter().map(|p| p.shape()).collect();
        assert_eq!(
            shapes,
            [&[16, 1, 3, 3][..], &[16], &[10, 256], &[10]],
            "W1, b1, W2, b2"
        );
        assert!(net.params[1]
            .iter()
            .chain(&net.params[3])
            .all(|&b| b == 0.0));
        for (name, w, bound) in [
            ("W1", &net.params[0], (6.0f64 / 9.0).sqrt()),
            ("W2", &net.params[2], (6.0f64 / 256.0).sqrt()),
        ] {
            let largest = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(
                largest < bound && largest > 0.9 * bound,
                "{name}: largest |entry| {largest}, bound {bound}"
            );
        }
        assert_eq!(
            net.filters(),
            random::<_, Ix4>((16, 1, 3, 3), 7) * (6.0f64 / 9.0).sqrt()
        );
        assert_ne!(
            Net::new(16, 8).params[0],
            net.params[0],
            "W1 of another seed"
        );
        assert_ne!(
            Net::new(16, 8).params[2],
            net.params[2],
            "W2 of another seed"
        );
    }

    #[test]
    fn accuracy_counts_the_images_whose_top_score_is_their_label() {
        // All-zero weights: every image gets the scores b2, whose largest
        // entry is class 3; the accuracy is the share of threes.
        let mut net = Net::new(2, 0);
        net.params[0].fill(0.0);
        net.params[2].fill(0.0);
        net.params[3][[3]] = 1.0;
        let d = committed();
        let threes = d.labels.iter().filter(|&&l| l == 3).count();
        assert_eq!(net.accuracy(&d), threes as f64 / 1797.0);
        // More than one chunk of EVAL_BATCH, and every image predicted.
        assert_eq!(net.predictions(&d.images), vec![3; 1797]);
        // Raise class 5's bias above class 3's: now every image is a five.
        net.params[3][[5]] = 2.0;
        let fives = d.labels.iter().filter(|&&l| l == 5).count();
        assert_eq!(net.accuracy(&d), fives as f64 / 1797.0);
        let two = d.images.slice(s![..2, .., .., ..]).to_owned();
        assert_eq!(net.predictions(&two), [5, 5]);
    }

    #[test]
    fn the_nets_gradients_on_the_tape_pass_the_layer_check_on_a_batch_of_4() {
        let mut net = Net::new(4, 11);
        net.params[1] = random::<_, ndarray::Ix1>(4, 12).into_dyn() * 0.1;
        net.params[3] = random::<_, ndarray::Ix1>(10, 13).into_dyn() * 0.1;
        // Random images (no two pixels equal, so no pooling window has a
        // tie), and four labels, one of them twice.
        let x: Array4<f64> = random((4, 1, 8, 8), 14).mapv(|v| 0.5 + 0.5 * v);
        let labels = [3, 0, 9, 3];
        let names = ["W1", "b1", "W2", "b2"];
        let mut inputs: Vec<(&str, ArrayD<f64>)> = names
            .iter()
            .zip(&net.params)
            .map(|(n, p)| (*n, p.clone()))
            .collect();
        inputs.push(input("x", &x));
        let r = tape::check("the digits net on a tape", &inputs, |t, v| {
            loss(t, [v[0], v[1], v[2], v[3]], v[4], &labels)
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.max_relative_error() < 1e-6, "{r}");
        assert_eq!(r.jacobians_compared, 5, "{r}");
    }

    #[test]
    fn a_few_steps_on_a_small_slice_make_the_loss_fall() {
        let (train, _) = committed().split(TEST_IMAGES, SPLIT_SEED);
        let slice = train.select(&(0..64).collect::<Vec<_>>());
        let mut trainer = Trainer::new(&TRAINING);
        let whole = |net: &Net| {
            let mut t = Tape::evaluation();
            let p = t.leaves(&net.params);
            let x = t.leaf(slice.images.clone());
            let l = loss(&mut t, [p[0], p[1], p[2], p[3]], x, &slice.labels);
            t.value(l)[[]]
        };
        let before = whole(&trainer.net);
        let epochs: Vec<f64> = (0..3).map(|_| trainer.epoch(&slice)).collect();
        let after = whole(&trainer.net);
        assert!(
            before > 2.0,
            "an untrained net's loss is near ln 10: {before}"
        );
        assert!(
            epochs[2] < epochs[0] && after < 0.5 * before,
            "loss on the 64 images: before {before}, epochs {epochs:?}, after {after}"
        );
    }

    #[test]
    fn a_step_moves_every_parameter_as_sgd_does() {
        // Two steps of a trainer against the same two steps written out:
        // the minibatch's loss on a tape, its gradients, and Sgd.
        let d = committed().select(&[0, 1, 2, 3, 4, 5, 6, 7]);
        let mut trainer = Trainer::new(&Training {
            filters: 2,
            ..TRAINING
        });
        let mut params = trainer.net.params.clone();
        let mut sgd = Sgd::new(TRAINING.step_size, TRAINING.momentum);
        for k in 0..2 {
            let got = trainer.step(d.clone());
            let mut t = Tape::new();
            let p = t.leaves(&params);
            let x = t.leaf(d.images.clone());
            let l = loss(&mut t, [p[0], p[1], p[2], p[3]], x, &d.labels);
            t.backward(l);
            sgd.step(&mut params, &t.grads(&p));
            assert_eq!(
                got,
                t.value(l)[[]],
                "step {k}: the loss before the step"
            );
            for (name, (a, b)) in ["W1", "b1", "W2", "b2"]
                .iter()
                .zip(trainer.net.params.iter().zip(&params))
            {
                assert_eq!(a, b, "step {k}: {name}");
            }
        }
        assert_ne!(
            trainer.net,
            Trainer::new(&Training {
                filters: 2,
                ..TRAINING
            })
            .net
        );
    }

    #[test]
    fn an_epoch_reports_the_mean_of_its_minibatch_losses() {
        // With step size 0 nothing moves, and two minibatches of 16 have
        // the mean loss of all 32 images.
        let slice = committed().select(&(0..32).collect::<Vec<_>>());
        let mut trainer = Trainer::new(&Training {
            step_size: 0.0,
            batch: 16,
            ..TRAINING
        });
        let start = trainer.net.clone();
        let epoch = trainer.epoch(&slice);
        let mut t = Tape::evaluation();
        let p = t.leaves(&start.params);
        let x = t.leaf(slice.images.clone());
        let l = loss(&mut t, [p[0], p[1], p[2], p[3]], x, &slice.labels);
        let whole = t.value(l)[[]];
        assert!(
            (epoch - whole).abs() < 1e-12,
            "epoch {epoch}, all 32 at once {whole}"
        );
        assert_eq!(trainer.net, start, "step size 0 moved the weights");
    }

    #[test]
    fn train_reports_every_epoch_and_returns_the_trained_net() {
        let d = committed();
        let (train_part, test) = (
            d.select(&(0..48).collect::<Vec<_>>()),
            d.select(&(48..80).collect::<Vec<_>>()),
        );
        let t = Training {
            epochs: 2,
            ..TRAINING
        };
        let mut seen = Vec::new();
        let (net, epochs) = train(&t, &train_part, &test, |e| seen.push(*e));
        assert_eq!(seen, epochs);
        assert_eq!(epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(epochs[1].test_accuracy, net.accuracy(&test));
        // The same run again gives the same numbers: the seeds fix it.
        assert_eq!(train(&t, &train_part, &test, |_| {}).0, net);
    }
}
