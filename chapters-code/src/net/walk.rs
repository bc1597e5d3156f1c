//! The walk of [`super::check_with`]: each layer of the network checked
//! alone, by [`layer_check::try_check_layer`], on the arrays the forward
//! pass cached for it.

use super::Layers;
use crate::gradcheck::random;
use crate::layer_check::{self, arg, input, LayerCheckFailure};
use crate::{affine, relu};
use ndarray::{arr0, Array1, Array2, Ix2};

#[track_caller]
pub(super) fn check_loss_node(
    layers: &Layers,
    s: &Array2<f64>,
    labels: &[usize],
) -> Result<(), LayerCheckFailure> {
    layer_check::try_check_layer(
        "softmax cross-entropy (loss)",
        &[input("scores", s)],
        |v| arr0((layers.loss)(&arg::<Ix2>(&v[0]), labels).0).into_dyn(),
        |v, dl| {
            vec![((layers.loss)(&arg::<Ix2>(&v[0]), labels).1 * dl[[]])
                .into_dyn()]
        },
    )
    .map(drop)
}

#[track_caller]
pub(super) fn check_affine(
    layer: &str,
    layers: &Layers,
    w: &Array2<f64>,
    x: &Array2<f64>,
    b: &Array1<f64>,
) -> Result<(), LayerCheckFailure> {
    layer_check::try_check_layer(
        layer,
        &[input("w", w), input("x", x), input("b", b)],
        |v| affine::forward(&arg(&v[0]), &arg(&v[1]), &arg(&v[2])).into_dyn(),
        |v, dy| {
            let g = (layers.affine_backward)(
                &arg::<Ix2>(&v[0]),
                &arg::<Ix2>(&v[1]),
                &arg::<Ix2>(dy),
            );
            vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
        },
    )
    .map(drop)
}

#[track_caller]
pub(super) fn check_relu(
    layers: &Layers,
    z: &Array2<f64>,
) -> Result<(), LayerCheckFailure> {
    let layer = "relu (hidden layer)";
    let fail = |message: String| LayerCheckFailure {
        layer: layer.to_string(),
        gradient: "dx".to_string(),
        message,
    };
    // The rule entry by entry first, with the check's own upstream gradient.
    let dy: Array2<f64> = random(z.raw_dim(), layer_check::DY_SEED);
    let dx = (layers.relu_backward)(z, &dy);
    if dx.shape() == z.shape() {
        for ((at, &x), (&d, &g)) in z.indexed_iter().zip(dx.iter().zip(&dy)) {
            let (i, j) = at;
            let broken = if x > 0.0 {
                (d != g).then_some("differs from dy where x > 0")
            } else {
                (d != 0.0).then_some("is nonzero where x ≤ 0")
            };
            if let Some(what) = broken {
                return Err(fail(format!(
                    "{layer}: dx {what} at entry [{i}, {j}] (x = {x:e}, dy = {g:e}, dx = {d:e}); \
                     ReLU's backward must give dx = [x > 0] ⊙ dy"
                )));
            }
        }
    }
    layer_check::try_check_layer(
        layer,
        &[("x", z.clone().into_dyn())],
        |v| relu::forward(&v[0]),
        |v, dy| {
            vec![(layers.relu_backward)(&arg::<Ix2>(&v[0]), &arg::<Ix2>(dy))
                .into_dyn()]
        },
    )
    .map(drop)
}
