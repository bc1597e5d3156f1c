//! Autograd from local gradients: a tape that records the chapters' layers
//! as they run forward, and plays their backward functions in reverse.
//!
//! **Recording.** A [`Tape`] holds every value of one forward pass, in the
//! order it was made: the leaves ([`Tape::leaf`]: parameters, data,
//! constants) and the output of every operation. A [`Var`] is a value's
//! position on the tape, `Var(0)`, `Var(1)`, …, as a [`crate::scalar::Var`]
//! is a node's position in the scalar engine's graph. An operation computes
//! its value at once, with its chapter's forward function, and records the
//! handles of its inputs and a closure that calls its chapter's backward
//! function. The closure holds what that function needs beyond the inputs'
//! values, which are on the tape already: the convolution's `X_col`, the
//! loss's `∂L/∂Y`.
//!
//! **Backward.** [`Tape::backward`] visits the values in reverse order of
//! recording, from the loss. At each one that a gradient has reached, it
//! calls the backward closure with the inputs' values and that gradient,
//! and adds each returned gradient to its input's ([`add_to`], the fan-out
//! rule). Every input is recorded before the operations that use it, so
//! the reverse order reaches a value only after all of its users. A value
//! the loss does not depend on gets gradient 0. The closures are dropped
//! as the walk passes them, with what they hold: a tape runs backward once,
//! and a training loop records a fresh tape for each step.
//!
//! **Operations**, each calling its chapter's functions: [`Tape::affine`]
//! ([`affine`]), [`Tape::relu`] ([`relu`]), [`Tape::conv2d`] ([`conv`], with
//! the cached `X_col`), [`Tape::max_pool`] ([`pool`]), [`Tape::flatten`] and
//! [`Tape::unflatten`] (a reshape and a transpose, [`array_ops`]),
//! [`Tape::add`] and [`Tape::mul`] (entry by entry), [`Tape::sum`] and
//! [`Tape::mean`] (of all entries, to a number), and
//! [`Tape::softmax_cross_entropy`] ([`loss`]). [`Tape::custom`] records a
//! layer of your own from the two closures that
//! [`layer_check::check_layer`](crate::layer_check::check_layer) takes.
//!
//! **Shapes** ([`CONVENTION`]). Each operation checks its inputs as it
//! records them, and returns a mismatch as the crate's [`Error`] from its
//! `try_` form: the layer's own message, after the operation and the
//! position it would have had, `"tape op 5 (affine): affine::forward: W has
//! shape …"`. A backward pass that returns the wrong number of gradients,
//! or one of the wrong shape, is named the same way.
//!
//! **Scope.** A fresh tape for each step, with the parameters as leaves;
//! [`Tape::evaluation`] computes values without recording backward passes;
//! no broadcasting beyond the affine layer's bias; no gradients of
//! gradients. [`Sgd`] is the one optimiser: gradient descent with momentum.
//!
//! **Checking.** [`check`] runs the shared layer check on a function built
//! on a tape and, when it fails, walks back from the output and names the
//! first value whose gradient is wrong and the operations that use it.

use crate::conv::ConvParams;
use crate::layer_check::{self, arg, LayerCheckFailure, LayerReport};
use crate::pool::PoolParams;
use crate::shapes::Checker;
use crate::{affine, array_ops, conv, loss, pool, relu, Error};
use ndarray::{arr0, Array, ArrayD, Dimension, Ix1, Ix2, Ix4};

mod check;

/// The convention appended to this module's own messages; an operation's
/// layer appends its own to the messages it raises.
pub const CONVENTION: &str = "convention: a tape numbers its values from 0 in the order it \
     records them (op k is Var(k)); a gradient has the shape of its value, and backward starts \
     from a loss of one entry";

/// This module's checks, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

// Shown in "Autograd from local gradients", section "The tape".
// ANCHOR: core
/// A value on a tape: its position, counted from 0 in recording order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(pub usize);

/// An operation's backward pass: from its inputs' values and the gradient
/// of its output, one gradient per input, each shaped like its input.
type Backward = Box<dyn Fn(&[&ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>>;

/// How a gradient arriving at a value joins those that arrived before it:
/// [`add_to`], or in a test, a bug planted on purpose.
pub type Accumulate = fn(&mut Option<ArrayD<f64>>, ArrayD<f64>);

/// One value on the tape and how it was made.
struct Node {
    /// The operation that made it: `"leaf"`, `"affine"`, `"relu"`, …
    op: &'static str,
    /// Its inputs, each with the name its operation gives it.
    inputs: Vec<(&'static str, Var)>,
    value: ArrayD<f64>,
    /// The backward pass: `None` for a leaf, on a tape that does not
    /// record, and once it has run.
    backward: Option<Backward>,
    /// How many numbers the backward pass holds beyond its inputs' values.
    cached: usize,
}

/// The values of one forward pass, in the order they were made, and the
/// backward pass of each operation.
pub struct Tape {
    nodes: Vec<Node>,
    /// `∂L/∂value` for every value, once [`Tape::backward`] has run.
    grads: Vec<ArrayD<f64>>,
    /// Whether operations keep their backward passes.
    recording: bool,
    accumulate: Accumulate,
    /// For [`check`]'s walk back only: the value to record at a position
    /// in place of the one computed there.
    replace: Option<(usize, ArrayD<f64>)>,
}

impl Tape {
    /// Appends an operation's value, its inputs, and its backward pass
    /// with the number of entries it caches; returns the value's handle.
    fn record(
        &mut self,
        op: &'static str,
        inputs: &[(&'static str, Var)],
        value: ArrayD<f64>,
        cached: usize,
        backward: Option<Backward>,
    ) -> Var {
        let at = self.nodes.len();
        let value = self.replaced(at, value); // only in `check`'s walk
        let (backward, cached) = match backward {
            Some(b) if self.recording => (Some(b), cached),
            _ => (None, 0), // a leaf, or a tape that does not record
        };
        let inputs = inputs.to_vec();
        self.nodes.push(Node {
            op,
            inputs,
            value,
            backward,
            cached,
        });
        Var(at)
    }

    /// The reverse walk: visits every value from `out` back to the first,
    /// calls the backward pass of each operation that a gradient reached,
    /// and adds what it returns to its inputs' gradients.
    pub fn try_backward_from(
        &mut self,
        out: Var,
        dy: ArrayD<f64>,
    ) -> Result<(), Error> {
        let end = self.position("tape::backward", out)?;
        self.check_start(end, &dy)?;
        let accumulate = self.accumulate;
        let mut grads: Vec<Option<ArrayD<f64>>> = vec![None; self.nodes.len()];
        grads[end] = Some(dy);
        for k in (0..=end).rev() {
            let Some(dy) = grads[k].take() else {
                continue; // no path from this value to `out`
            };
            if let Some(backward) = self.nodes[k].backward.take() {
                self.nodes[k].cached = 0; // dropped with the closure
                let node = &self.nodes[k];
                let inputs: Vec<&ArrayD<f64>> = node
                    .inputs
                    .iter()
                    .map(|&(_, input)| &self.nodes[input.0].value)
                    .collect();
                // the chapter's backward function
                let local = backward(&inputs, &dy);
                self.check_gradients(k, &local)?;
                for (&(_, input), g) in node.inputs.iter().zip(local) {
                    accumulate(&mut grads[input.0], g);
                }
            } else {
                self.check_not_spent(k)?;
            }
            grads[k] = Some(dy);
        }
        // zeros where no gradient arrived
        let zero = |n: &Node| ArrayD::zeros(n.value.raw_dim());
        let grads = grads.into_iter().zip(&self.nodes);
        self.grads = grads.map(|(g, n)| g.unwrap_or_else(|| zero(n))).collect();
        Ok(())
    }
}

/// The fan-out rule: a gradient arriving at a value is added to those
/// that arrived before it.
pub fn add_to(grad: &mut Option<ArrayD<f64>>, g: ArrayD<f64>) {
    match grad {
        Some(sum) => *sum += &g,
        None => *grad = Some(g),
    }
}
// ANCHOR_END: core

impl Default for Tape {
    fn default() -> Self {
        Self::new()
    }
}

/// One line per value: its position, its operation, its inputs and its
/// shape, as in `op 3 (relu) of op 2: [100, 300]`.
impl std::fmt::Debug for Tape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, node) in self.nodes.iter().enumerate() {
            let inputs: Vec<String> = node
                .inputs
                .iter()
                .map(|(_, v)| format!("op {}", v.0))
                .collect();
            let of = if inputs.is_empty() {
                String::new()
            } else {
                format!(" of {}", inputs.join(", "))
            };
            writeln!(f, "op {k} ({}){of}: {:?}", node.op, node.value.shape())?;
        }
        Ok(())
    }
}

// The checks of the reverse walk, and the hook of `check`'s walk.
impl Tape {
    /// The position of `v`, or an error if `v` is past the tape's end.
    fn position(&self, context: &str, v: Var) -> Result<usize, Error> {
        if v.0 < self.nodes.len() {
            return Ok(v.0);
        }
        let n = self.nodes.len();
        let values = if n == 1 { "value" } else { "values" };
        Err(SHAPES.value(
            context,
            &format!(
                "{v:?} is out of range for a tape of {n} {values} (was it made by another tape?)"
            ),
        ))
    }

    /// The value behind `v`, or [`Tape::position`]'s error.
    fn try_value(&self, context: &str, v: Var) -> Result<&ArrayD<f64>, Error> {
        Ok(&self.nodes[self.position(context, v)?].value)
    }

    /// A walk can start at `end` with `dy`: a tape that records, and a `dy`
    /// shaped like the value at `end`.
    fn check_start(&self, end: usize, dy: &ArrayD<f64>) -> Result<(), Error> {
        if !self.recording {
            let detail = "this tape was made by Tape::evaluation, which records no backward \
                          passes; record the step on Tape::new";
            return Err(SHAPES.value("tape::backward", detail));
        }
        let out = format!("op {end} ({})", self.nodes[end].op);
        SHAPES.check(
            dy.shape() == self.nodes[end].value.shape(),
            "tape::backward",
            ("dy", dy.shape()),
            (&out, self.nodes[end].value.shape()),
            "dy must have the shape of the value it is the gradient of",
        )
    }

    /// One gradient per input of op `k`, each shaped like its input.
    fn check_gradients(
        &self,
        k: usize,
        local: &[ArrayD<f64>],
    ) -> Result<(), Error> {
        let node = &self.nodes[k];
        let shape = |input: Var| self.nodes[input.0].value.shape();
        let fits = |(&(_, input), g): (&(&str, Var), &ArrayD<f64>)| {
            g.shape() == shape(input)
        };
        if local.len() == node.inputs.len()
            && node.inputs.iter().zip(local).all(fits)
        {
            return Ok(()); // no message to format
        }
        let context = format!("tape op {k} ({}), backward", node.op);
        if local.len() != node.inputs.len() {
            let detail = format!(
                "the backward pass returned {} gradients for {} inputs; it must return one per \
                 input, in order",
                local.len(),
                node.inputs.len()
            );
            return Err(SHAPES.value(&context, &detail));
        }
        for (&(name, input), g) in node.inputs.iter().zip(local) {
            let value = format!("{name} (op {})", input.0);
            let gradient = format!("d{name}");
            SHAPES.check_same(
                &context,
                (&gradient, g.shape()),
                (&value, shape(input)),
            )?;
        }
        Ok(())
    }

    /// An operation on the walk whose backward pass has already run.
    fn check_not_spent(&self, k: usize) -> Result<(), Error> {
        let node = &self.nodes[k];
        if node.inputs.is_empty() {
            return Ok(()); // a leaf has no backward pass
        }
        let detail = format!(
            "op {k} ({}) has already run its backward pass: a tape runs backward once (the \
             closures and their caches are dropped as the walk passes them), so record a fresh \
             tape for each step",
            node.op
        );
        Err(SHAPES.value("tape::backward", &detail))
    }

    /// The value to record at position `at`: `value`, unless [`check`]'s
    /// walk asked for another one there.
    fn replaced(&mut self, at: usize, value: ArrayD<f64>) -> ArrayD<f64> {
        match self.replace.take() {
            Some((k, nudged)) if k == at => nudged,
            other => {
                self.replace = other;
                value
            }
        }
    }
}

// Shown in "Autograd from local gradients", section "The tape".
// ANCHOR: access
impl Tape {
    /// An empty tape that records every operation's backward pass.
    pub fn new() -> Self {
        Self::with_accumulate(add_to)
    }

    /// A leaf: a value that is given, not computed (a parameter, the
    /// data, a constant). The tape keeps it; pass a clone to keep yours.
    pub fn leaf<D: Dimension>(&mut self, value: Array<f64, D>) -> Var {
        self.record("leaf", &[], value.into_dyn(), 0, None)
    }

    /// Sets the gradient of every value, `∂L/∂value`, for the loss `loss`,
    /// a value of one entry. Panics with [`Tape::try_backward`]'s message.
    #[track_caller]
    pub fn backward(&mut self, loss: Var) {
        self.try_backward(loss).unwrap_or_else(|e| e.raise());
    }

    /// [`Tape::backward`], with errors as `Err`.
    pub fn try_backward(&mut self, loss: Var) -> Result<(), Error> {
        let value = self.try_value("tape::backward", loss)?;
        let shape = value.shape();
        SHAPES.check_all(
            value.len() == 1,
            "tape::backward",
            &[("the loss", shape)],
            "backward starts from a loss of one entry (backward_from takes any \
             output's dy)",
        )?;
        self.try_backward_from(loss, ArrayD::ones(shape))
    }

    /// The value behind `v`.
    #[track_caller]
    pub fn value(&self, v: Var) -> &ArrayD<f64> {
        self.try_value("tape::value", v)
            .unwrap_or_else(|e| e.raise())
    }

    /// `∂L/∂v`, shaped like `v`'s value, from the last backward pass.
    #[track_caller]
    pub fn grad(&self, v: Var) -> &ArrayD<f64> {
        let at = self.position("tape::grad", v).unwrap_or_else(|e| e.raise());
        match self.grads.get(at) {
            Some(g) => g,
            None => SHAPES
                .value("tape::grad", "no gradients yet: call backward first")
                .raise(),
        }
    }

    /// [`Tape::backward`] from any output `out`, given the `dy` that
    /// arrives at it.
    #[track_caller]
    pub fn backward_from(&mut self, out: Var, dy: ArrayD<f64>) {
        self.try_backward_from(out, dy)
            .unwrap_or_else(|e| e.raise());
    }

    /// One leaf per array, in order, each a clone: a model's parameters.
    pub fn leaves(&mut self, values: &[ArrayD<f64>]) -> Vec<Var> {
        values.iter().map(|v| self.leaf(v.clone())).collect()
    }

    /// The gradients of `vars`, in order: what [`Sgd::step`] takes.
    #[track_caller]
    pub fn grads(&self, vars: &[Var]) -> Vec<&ArrayD<f64>> {
        vars.iter().map(|&v| self.grad(v)).collect()
    }
}
// ANCHOR_END: access

// The tape's private helpers.
impl Tape {
    /// A tape that adds arriving gradients with `accumulate` instead of
    /// [`add_to`]: for planting a bug on purpose.
    fn with_accumulate(accumulate: Accumulate) -> Self {
        Tape {
            nodes: Vec::new(),
            grads: Vec::new(),
            recording: true,
            accumulate,
            replace: None,
        }
    }
}

// Shown in "Autograd from local gradients", section "What the tape holds".
// ANCHOR: memory
impl Tape {
    /// A tape that records no backward pass, and so keeps no cache: for
    /// evaluating a model.
    pub fn evaluation() -> Self {
        Tape {
            recording: false,
            ..Self::new()
        }
    }

    /// The bytes of numbers the tape holds: every value, what the backward
    /// passes cache beyond their inputs' values, and every gradient, at 8
    /// bytes an entry. (A [`Tape::custom`] operation's closures are not
    /// counted.)
    pub fn bytes_held(&self) -> usize {
        let held = |n: &Node| n.value.len() + n.cached;
        let values: usize = self.nodes.iter().map(held).sum();
        let grads: usize = self.grads.iter().map(|g| g.len()).sum();
        8 * (values + grads)
    }
}
// ANCHOR_END: memory

// The operations' shared checks.
impl Tape {
    /// `"tape op 5 (affine)"`: the operation about to be recorded, and its
    /// position. Formatted only for a message.
    fn context(&self, op: &str) -> String {
        format!("tape op {} ({op})", self.nodes.len())
    }

    /// The value behind `v`, an input of operation `op`, or an error that
    /// names the operation.
    fn operand(&self, op: &str, v: Var) -> Result<&ArrayD<f64>, Error> {
        match self.nodes.get(v.0) {
            Some(node) => Ok(&node.value),
            None => self.try_value(&self.context(op), v),
        }
    }

    /// The layer's own message, after the operation `op` and the position
    /// it would have had on the tape.
    fn at_op(&self, op: &str, e: Error) -> Error {
        Error {
            message: format!("{}: {}", self.context(op), e.message),
        }
    }

    /// Input `name` of operation `op`, which must be `D`-dimensional, as
    /// the array its layer takes (a copy), or an error in the layer's words.
    fn input<D: Dimension>(
        &self,
        op: &str,
        (name, v): (&str, Var),
        convention: &'static str,
    ) -> Result<Array<f64, D>, Error> {
        let value = self.operand(op, v)?;
        let axes = D::NDIM.expect("a layer takes arrays of a fixed dimension");
        if value.ndim() != axes {
            Checker::new(convention).check_all(
                false,
                &self.context(op),
                &[(name, value.shape())],
                &format!("{op} takes a {axes}-dimensional {name}"),
            )?;
        }
        Ok(arg(value))
    }

    /// Two inputs of an entry-by-entry operation, which must have one shape.
    fn same_shape(&self, op: &str, a: Var, b: Var) -> Result<(), Error> {
        let (va, vb) = (self.operand(op, a)?, self.operand(op, b)?);
        if va.shape() == vb.shape() {
            return Ok(()); // no message to format
        }
        SHAPES.check(
            false,
            &self.context(op),
            ("a", va.shape()),
            ("b", vb.shape()),
            &format!(
                "{op} works entry by entry, so a and b must have the same shape (the tape \
                 broadcasts nothing but the affine layer's bias)"
            ),
        )
    }
}

// Shown in "Autograd from local gradients", section "The operations are the chapters' layers".
// ANCHOR: affine_op
impl Tape {
    /// The affine layer `Y = W X + b` ([`affine::forward`]); backward is
    /// [`affine::backward`]. `w` `(m, d)`, `x` `(d, n)`, `b` of length `m`.
    #[track_caller]
    pub fn affine(&mut self, w: Var, x: Var, b: Var) -> Var {
        self.try_affine(w, x, b).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::affine`], with errors as `Err`.
    pub fn try_affine(&mut self, w: Var, x: Var, b: Var) -> Result<Var, Error> {
        let c = affine::CONVENTION;
        let wv = self.input::<Ix2>("affine", ("w", w), c)?;
        let xv = self.input::<Ix2>("affine", ("x", x), c)?;
        let bv = self.input::<Ix1>("affine", ("b", b), c)?;
        let y = affine::try_forward(&wv, &xv, &bv)
            .map_err(|e| self.at_op("affine", e))?;
        let backward: Backward = Box::new(|v, dy| {
            let g = affine::backward(&arg(v[0]), &arg(v[1]), &arg(dy));
            vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
        });
        let inputs = [("w", w), ("x", x), ("b", b)];
        Ok(self.record("affine", &inputs, y.into_dyn(), 0, Some(backward)))
    }
}
// ANCHOR_END: affine_op

// Shown in "Autograd from local gradients", section "The operations are the chapters' layers".
// ANCHOR: ops
impl Tape {
    /// ReLU, `max(0, x)` entry by entry ([`relu::forward`]); backward is
    /// [`relu::backward`]. Any shape.
    #[track_caller]
    pub fn relu(&mut self, x: Var) -> Var {
        self.try_relu(x).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::relu`], with errors as `Err`.
    pub fn try_relu(&mut self, x: Var) -> Result<Var, Error> {
        let y = relu::forward(self.operand("relu", x)?);
        let backward: Backward =
            Box::new(|v, dy| vec![relu::backward(v[0], dy)]);
        Ok(self.record("relu", &[("x", x)], y, 0, Some(backward)))
    }

    /// A convolution with `p`'s stride and padding ([`conv::forward`], as
    /// im2col); backward is [`conv::backward`], from the cached `X_col`.
    /// `w` `(F, C, Q₁, Q₂)`, `x` `(n, C, D₁, D₂)`, `b` of length `F`.
    #[track_caller]
    pub fn conv2d(&mut self, w: Var, x: Var, b: Var, p: ConvParams) -> Var {
        self.try_conv2d(w, x, b, p).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::conv2d`], with errors as `Err`.
    pub fn try_conv2d(
        &mut self,
        w: Var,
        x: Var,
        b: Var,
        p: ConvParams,
    ) -> Result<Var, Error> {
        let c = conv::CONVENTION;
        let wv = self.input::<Ix4>("conv2d", ("w", w), c)?;
        let xv = self.input::<Ix4>("conv2d", ("x", x), c)?;
        let bv = self.input::<Ix1>("conv2d", ("b", b), c)?;
        let forward = conv::try_forward(&wv, &xv, &bv, p);
        let (y, cache) = forward.map_err(|e| self.at_op("conv2d", e))?;
        let cached = cache.x_col.len();
        let backward: Backward = Box::new(move |v, dy| {
            let g = conv::backward(&arg(v[0]), &cache, &arg(dy), p);
            vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
        });
        let inputs = [("w", w), ("x", x), ("b", b)];
        Ok(
            self.record(
                "conv2d",
                &inputs,
                y.into_dyn(),
                cached,
                Some(backward),
            ),
        )
    }

    /// Max pooling with `p`'s window and stride ([`pool::forward`]);
    /// backward is [`pool::backward`]. `x` `(n, C, D₁, D₂)`.
    #[track_caller]
    pub fn max_pool(&mut self, x: Var, p: PoolParams) -> Var {
        self.try_max_pool(x, p).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::max_pool`], with errors as `Err`.
    pub fn try_max_pool(
        &mut self,
        x: Var,
        p: PoolParams,
    ) -> Result<Var, Error> {
        let xv = self.input::<Ix4>("max_pool", ("x", x), pool::CONVENTION)?;
        let y =
            pool::try_forward(&xv, p).map_err(|e| self.at_op("max_pool", e))?;
        let backward: Backward = Box::new(move |v, dy| {
            let dx = pool::backward(&arg(v[0]), &arg(dy), p);
            vec![dx.into_dyn()]
        });
        Ok(self.record(
            "max_pool",
            &[("x", x)],
            y.into_dyn(),
            0,
            Some(backward),
        ))
    }

    /// From `(n, C, D₁, D₂)` to `(C·D₁·D₂, n)`, one column per image: a
    /// reshape, then a transpose ([`array_ops`]); backward undoes both.
    #[track_caller]
    pub fn flatten(&mut self, x: Var) -> Var {
        self.try_flatten(x).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::flatten`], with errors as `Err`.
    pub fn try_flatten(&mut self, x: Var) -> Result<Var, Error> {
        let xv = self.input::<Ix4>("flatten", ("x", x), conv::CONVENTION)?;
        let rows = |x: &Array<f64, Ix4>| {
            let (n, c, d1, d2) = x.dim();
            array_ops::reshape_forward(x, Ix2(n, c * d1 * d2)) // (n, C·D₁·D₂)
        };
        let y = array_ops::transpose_forward(&rows(&xv));
        let backward: Backward = Box::new(move |v, dy| {
            let x: Array<f64, Ix4> = arg(v[0]);
            let d_rows = array_ops::transpose_backward(&rows(&x), &arg(dy));
            vec![array_ops::reshape_backward(&x, &d_rows).into_dyn()]
        });
        Ok(
            self.record(
                "flatten",
                &[("x", x)],
                y.into_dyn(),
                0,
                Some(backward),
            ),
        )
    }

    /// The inverse of [`Tape::flatten`], for `(C, D₁, D₂) = image`.
    #[track_caller]
    pub fn unflatten(&mut self, x: Var, image: (usize, usize, usize)) -> Var {
        self.try_unflatten(x, image).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::unflatten`], with errors as `Err`.
    pub fn try_unflatten(
        &mut self,
        x: Var,
        image: (usize, usize, usize),
    ) -> Result<Var, Error> {
        let xv = self.input::<Ix2>("unflatten", ("x", x), conv::CONVENTION)?;
        let (c, d1, d2) = image;
        SHAPES.check(
            xv.nrows() == c * d1 * d2,
            &self.context("unflatten"),
            ("x", xv.shape()),
            ("the image (C, D₁, D₂)", &[c, d1, d2]),
            "x must have one row per entry of an image, C·D₁·D₂",
        )?;
        let shape = Ix4(xv.ncols(), c, d1, d2);
        let rows = array_ops::transpose_forward(&xv);
        let y = array_ops::reshape_forward(&rows, shape);
        let backward: Backward = Box::new(|v, dy| {
            let x: Array<f64, Ix2> = arg(v[0]);
            let t = array_ops::transpose_forward(&x);
            let dt = array_ops::reshape_backward(&t, &arg::<Ix4>(dy));
            vec![array_ops::transpose_backward(&x, &dt).into_dyn()]
        });
        Ok(self.record(
            "unflatten",
            &[("x", x)],
            y.into_dyn(),
            0,
            Some(backward),
        ))
    }

    /// `a + b`, entry by entry: the add node hands `dy` to both.
    #[track_caller]
    pub fn add(&mut self, a: Var, b: Var) -> Var {
        self.try_add(a, b).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::add`], with errors as `Err`.
    pub fn try_add(&mut self, a: Var, b: Var) -> Result<Var, Error> {
        self.same_shape("add", a, b)?;
        let y = &self.nodes[a.0].value + &self.nodes[b.0].value;
        let backward: Backward = Box::new(|_, dy| vec![dy.clone(), dy.clone()]);
        Ok(self.record("add", &[("a", a), ("b", b)], y, 0, Some(backward)))
    }

    /// `a ⊙ b`, entry by entry ([`array_ops::mul_forward`]); backward is
    /// [`array_ops::mul_backward`], which swaps.
    #[track_caller]
    pub fn mul(&mut self, a: Var, b: Var) -> Var {
        self.try_mul(a, b).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::mul`], with errors as `Err`.
    pub fn try_mul(&mut self, a: Var, b: Var) -> Result<Var, Error> {
        self.same_shape("mul", a, b)?;
        let (va, vb) = (&self.nodes[a.0].value, &self.nodes[b.0].value);
        let y = array_ops::mul_forward(va, vb);
        let backward: Backward = Box::new(|v, dy| {
            let (da, db) = array_ops::mul_backward(v[0], v[1], dy);
            vec![da, db]
        });
        Ok(self.record("mul", &[("a", a), ("b", b)], y, 0, Some(backward)))
    }

    /// The sum of all entries, a number (shape `[]`); backward copies `dy`
    /// to every entry.
    #[track_caller]
    pub fn sum(&mut self, x: Var) -> Var {
        self.try_sum(x).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::sum`], with errors as `Err`.
    pub fn try_sum(&mut self, x: Var) -> Result<Var, Error> {
        let y = arr0(self.operand("sum", x)?.sum());
        let backward: Backward = Box::new(|v, dy| {
            let dx = ArrayD::from_elem(v[0].raw_dim(), dy[[]]);
            vec![dx]
        });
        Ok(self.record("sum", &[("x", x)], y.into_dyn(), 0, Some(backward)))
    }

    /// The mean of all entries, a number (shape `[]`); backward copies
    /// `dy / count` to every entry.
    #[track_caller]
    pub fn mean(&mut self, x: Var) -> Var {
        self.try_mean(x).unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::mean`], with errors as `Err`.
    pub fn try_mean(&mut self, x: Var) -> Result<Var, Error> {
        let xv = self.operand("mean", x)?;
        if xv.is_empty() {
            let shapes = [("x", xv.shape())];
            let rule = "x has no entries, and no mean";
            SHAPES.check_all(false, &self.context("mean"), &shapes, rule)?;
        }
        let y = arr0(xv.sum() / xv.len() as f64);
        let backward: Backward = Box::new(|v, dy| {
            vec![ArrayD::from_elem(
                v[0].raw_dim(),
                dy[[]] / v[0].len() as f64,
            )]
        });
        Ok(self.record("mean", &[("x", x)], y.into_dyn(), 0, Some(backward)))
    }

    /// The mean cross-entropy of the softmax of the scores `y` `(m, n)`
    /// against `labels` ([`loss::softmax_cross_entropy`]), a number; the
    /// backward pass keeps `∂L/∂Y = (P − E)/n` from the same call.
    #[track_caller]
    pub fn softmax_cross_entropy(&mut self, y: Var, labels: &[usize]) -> Var {
        self.try_softmax_cross_entropy(y, labels)
            .unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::softmax_cross_entropy`], with errors as `Err`.
    pub fn try_softmax_cross_entropy(
        &mut self,
        y: Var,
        labels: &[usize],
    ) -> Result<Var, Error> {
        let op = "softmax_cross_entropy";
        let yv = self.input::<Ix2>(op, ("y", y), loss::CONVENTION)?;
        let forward = loss::try_softmax_cross_entropy(&yv, labels);
        let (l, dy) = forward.map_err(|e| self.at_op(op, e))?;
        let cached = dy.len();
        // ∂L/∂Y, scaled by the gradient dl that arrives at the loss
        let backward: Backward = Box::new(move |_, dl| {
            let scaled = &dy * dl[[]];
            vec![scaled.into_dyn()]
        });
        Ok(self.record(
            op,
            &[("y", y)],
            arr0(l).into_dyn(),
            cached,
            Some(backward),
        ))
    }
}
// ANCHOR_END: ops

// Shown in "Autograd from local gradients", section "A layer of your own".
// ANCHOR: custom
impl Tape {
    /// An operation of your own, named `op`, from the two closures that
    /// [`layer_check::check_layer`] takes: `forward(inputs) -> y` and
    /// `backward(inputs, dy)`, one gradient per input. `inputs` name the
    /// values, in order.
    #[track_caller]
    pub fn custom(
        &mut self,
        op: &'static str,
        inputs: &[(&'static str, Var)],
        forward: impl Fn(&[ArrayD<f64>]) -> ArrayD<f64>,
        backward: impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>
            + 'static,
    ) -> Var {
        self.try_custom(op, inputs, forward, backward)
            .unwrap_or_else(|e| e.raise())
    }

    /// [`Tape::custom`], with errors as `Err`.
    pub fn try_custom(
        &mut self,
        op: &'static str,
        inputs: &[(&'static str, Var)],
        forward: impl Fn(&[ArrayD<f64>]) -> ArrayD<f64>,
        backward: impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>
            + 'static,
    ) -> Result<Var, Error> {
        let values = inputs
            .iter()
            .map(|&(_, v)| self.operand(op, v).cloned())
            .collect::<Result<Vec<_>, Error>>()?;
        let y = forward(&values);
        let backward: Backward = Box::new(move |v, dy| {
            let owned: Vec<ArrayD<f64>> =
                v.iter().map(|&a| a.clone()).collect();
            backward(&owned, dy)
        });
        Ok(self.record(op, inputs, y, 0, Some(backward)))
    }
}
// ANCHOR_END: custom

// Shown in "Autograd from local gradients", section "The spiral network on a tape".
// ANCHOR: network
/// The network chapter's loss ([`crate::net::Network::loss`]) on a tape:
/// `p` holds the handles of `W1`, `b1`, `W2` and `b2`, and `x` the data's.
/// The penalty `0.5·reg·(‖W1‖² + ‖W2‖²)` is recorded too.
pub fn network_loss(
    tape: &mut Tape,
    p: [Var; 4],
    x: Var,
    labels: &[usize],
    reg: f64,
) -> Var {
    let [w1, b1, w2, b2] = p;
    // Z and V are (u, n), Y is (m, n).
    let z = tape.affine(w1, x, b1);
    let v = tape.relu(z);
    let y = tape.affine(w2, v, b2);
    let data_loss = tape.softmax_cross_entropy(y, labels);

    let squares = |tape: &mut Tape, w| {
        let ww = tape.mul(w, w);
        tape.sum(ww)
    };
    let (s1, s2) = (squares(tape, w1), squares(tape, w2));
    let both = tape.add(s1, s2);
    let half_reg = tape.leaf(arr0(0.5 * reg));
    let penalty = tape.mul(half_reg, both);
    tape.add(data_loss, penalty)
}
// ANCHOR_END: network

// Shown in "Autograd from local gradients", section "Training with momentum".
// ANCHOR: sgd
/// Gradient descent with momentum, as PyTorch's `SGD` computes it: each
/// parameter `p` (a weight or bias array) keeps a `velocity`. With
/// momentum 0 it is plain gradient descent.
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd {
    /// The step size η.
    pub step_size: f64,
    /// The momentum κ: how much of the last velocity a step keeps.
    pub momentum: f64,
    /// One velocity per parameter, zero before the first step.
    velocity: Vec<ArrayD<f64>>,
}

impl Sgd {
    /// An optimiser with the given step size and momentum.
    pub fn new(step_size: f64, momentum: f64) -> Self {
        Sgd {
            step_size,
            momentum,
            velocity: Vec::new(),
        }
    }

    /// One step for `params`, given their gradients `grads` in the same
    /// order (as [`Tape::grads`] returns them). Panics with
    /// [`Sgd::try_step`]'s message.
    #[track_caller]
    pub fn step(&mut self, params: &mut [ArrayD<f64>], grads: &[&ArrayD<f64>]) {
        self.try_step(params, grads).unwrap_or_else(|e| e.raise());
    }

    /// [`Sgd::step`] that returns mismatched parameters and gradients as
    /// `Err`.
    pub fn try_step(
        &mut self,
        params: &mut [ArrayD<f64>],
        grads: &[&ArrayD<f64>],
    ) -> Result<(), Error> {
        if self.velocity.is_empty() {
            let zero = |p: &ArrayD<f64>| ArrayD::zeros(p.raw_dim());
            self.velocity = params.iter().map(zero).collect();
        }
        self.check_step(params, grads)?;
        let steps = params.iter_mut().zip(grads).zip(&mut self.velocity);
        for ((p, dp), velocity) in steps {
            // velocity ← momentum·velocity + dp
            *velocity *= self.momentum;
            *velocity += *dp;
            // p ← p − step_size·velocity
            p.scaled_add(-self.step_size, velocity);
        }
        Ok(())
    }
}
// ANCHOR_END: sgd

impl Sgd {
    /// One gradient per parameter, each shaped like it, and the same
    /// parameters as at the first step.
    fn check_step(
        &self,
        params: &[ArrayD<f64>],
        grads: &[&ArrayD<f64>],
    ) -> Result<(), Error> {
        let context = "tape::Sgd::step";
        let counts = |n: usize, what: &str| format!("{n} {what}");
        if params.len() != grads.len() || params.len() != self.velocity.len() {
            let detail = format!(
                "{} and {}, after a first step with {}; every step takes the same parameters, \
                 each with its gradient",
                counts(params.len(), "parameters"),
                counts(grads.len(), "gradients"),
                counts(self.velocity.len(), "parameters"),
            );
            return Err(SHAPES.value(context, &detail));
        }
        for (k, ((w, dw), v)) in
            params.iter().zip(grads).zip(&self.velocity).enumerate()
        {
            if dw.shape() == w.shape() && v.shape() == w.shape() {
                continue; // no message to format
            }
            let (param, grad) = (format!("params[{k}]"), format!("grads[{k}]"));
            SHAPES.check_same(
                context,
                (&grad, dw.shape()),
                (&param, w.shape()),
            )?;
            let velocity = format!("the velocity of params[{k}]");
            SHAPES.check_same(
                context,
                (&param, w.shape()),
                (&velocity, v.shape()),
            )?;
        }
        Ok(())
    }
}

// Shown in "Autograd from local gradients", section "When a gradient is wrong".
// ANCHOR: check
/// The shared layer check ([`layer_check::try_check_layer`]) of a function
/// built on a tape: `build` records it on a fresh tape whose first values
/// are leaves holding `inputs`, in order, and returns its output. A
/// failure also names the first value whose own gradient is wrong.
#[track_caller]
pub fn check(
    layer: &str,
    inputs: &[(&str, ArrayD<f64>)],
    build: impl Fn(&mut Tape, &[Var]) -> Var,
) -> Result<LayerReport, LayerCheckFailure> {
    check_with(layer, inputs, add_to, build)
}

/// [`check`] on tapes that add arriving gradients with `accumulate`.
#[track_caller]
pub fn check_with(
    layer: &str,
    inputs: &[(&str, ArrayD<f64>)],
    accumulate: Accumulate,
    build: impl Fn(&mut Tape, &[Var]) -> Var,
) -> Result<LayerReport, LayerCheckFailure> {
    let run = |values: &[ArrayD<f64>]| {
        let mut tape = Tape::with_accumulate(accumulate);
        let leaves = tape.leaves(values);
        let out = build(&mut tape, &leaves);
        (tape, leaves, out)
    };
    let checked = layer_check::try_check_layer(
        layer,
        inputs,
        |v| {
            let (tape, _, out) = run(v);
            tape.value(out).clone()
        },
        |v, dy| {
            let (mut tape, leaves, out) = run(v);
            tape.backward_from(out, dy.clone());
            leaves.iter().map(|&l| tape.grad(l).clone()).collect()
        },
    );
    checked.map_err(|failure| {
        check::walk_back(failure, inputs, accumulate, &build)
    })
}
// ANCHOR_END: check

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{random, relative_error};
    use crate::layer_check::input;
    use crate::net::Network;
    use crate::testing::{assert_entries_eq, panic_message};
    use ndarray::{array, Array1, Array2, Array4};

    /// `result` is an error whose message starts with `context`, holds
    /// every fragment, and ends with a convention.
    #[track_caller]
    fn assert_error<T: std::fmt::Debug>(
        result: Result<T, Error>,
        context: &str,
        fragments: &[&str],
    ) {
        let msg = result.expect_err("expected an error").message;
        assert!(msg.starts_with(context), "{msg}");
        for fragment in fragments {
            assert!(msg.contains(fragment), "no {fragment:?} in: {msg}");
        }
        assert!(
            msg.contains(" (convention: ") && msg.ends_with(')'),
            "{msg}"
        );
    }

    /// `got` equals `want` entry by entry, named `what`.
    #[track_caller]
    fn assert_values(what: &str, got: &ArrayD<f64>, want: ArrayD<f64>) {
        assert_entries_eq("tape", (what, got), &want, &[]);
    }

    /// The chapter's worked example: the first chapter's fan-out example
    /// (`s = x + y`, `q = s ⊙ x`) on arrays of two entries, summed.
    fn fan_out() -> (Tape, [Var; 5]) {
        let mut tape = Tape::new();
        let x = tape.leaf(array![3.0, 2.0]);
        let y = tape.leaf(array![-4.0, 1.0]);
        let s = tape.add(x, y);
        let q = tape.mul(s, x);
        let l = tape.sum(q);
        tape.backward(l);
        (tape, [x, y, s, q, l])
    }

    #[test]
    fn the_worked_example_adds_both_paths_into_x() {
        let (tape, [x, y, s, q, l]) = fan_out();
        assert_values("s", tape.value(s), array![-1.0, 3.0].into_dyn());
        assert_values("q", tape.value(q), array![-3.0, 6.0].into_dyn());
        assert_values("L", tape.value(l), arr0(3.0).into_dyn());
        assert_values("dq", tape.grad(q), array![1.0, 1.0].into_dyn());
        assert_values("ds", tape.grad(s), array![3.0, 2.0].into_dyn());
        // x's two paths: s = [-1, 3] straight from the product, ds through the sum.
        assert_values("dx", tape.grad(x), array![2.0, 5.0].into_dyn());
        assert_values("dy", tape.grad(y), array![3.0, 2.0].into_dyn());
        assert_eq!(tape.nodes.len(), 5);
        assert!(!tape.nodes.is_empty() && Tape::default().nodes.is_empty());
    }

    #[test]
    fn the_tape_lists_its_values() {
        let (tape, _) = fan_out();
        assert_eq!(
            format!("{tape:?}"),
            "op 0 (leaf): [2]\nop 1 (leaf): [2]\nop 2 (add) of op 0, op 1: [2]\n\
             op 3 (mul) of op 2, op 0: [2]\nop 4 (sum) of op 3: []\n"
        );
    }

    #[test]
    fn each_operation_passes_the_layer_check() {
        let m2 = |shape: (usize, usize), seed| {
            input("", &random::<_, Ix2>(shape, seed)).1
        };
        type Build = Box<dyn Fn(&mut Tape, &[Var]) -> Var>;
        type Inputs = Vec<(&'static str, ArrayD<f64>)>;
        let checks: Vec<(&str, Inputs, Build)> = vec![
            (
                "affine",
                vec![
                    ("w", m2((3, 4), 1)),
                    ("x", m2((4, 5), 2)),
                    ("b", input("b", &random::<_, Ix1>(3, 3)).1),
                ],
                Box::new(|t, v| t.affine(v[0], v[1], v[2])),
            ),
            (
                "relu",
                vec![("x", m2((3, 4), 4))],
                Box::new(|t, v| t.relu(v[0])),
            ),
            (
                "add",
                vec![("a", m2((2, 3), 5)), ("b", m2((2, 3), 6))],
                Box::new(|t, v| t.add(v[0], v[1])),
            ),
            (
                "mul",
                vec![("a", m2((2, 3), 7)), ("b", m2((2, 3), 8))],
                Box::new(|t, v| t.mul(v[0], v[1])),
            ),
            (
                "sum",
                vec![("x", m2((2, 3), 9))],
                Box::new(|t, v| t.sum(v[0])),
            ),
            (
                "mean",
                vec![("x", m2((2, 3), 10))],
                Box::new(|t, v| t.mean(v[0])),
            ),
            (
                "softmax_cross_entropy",
                vec![("y", m2((3, 4), 11))],
                Box::new(|t, v| t.softmax_cross_entropy(v[0], &[0, 2, 1, 2])),
            ),
            (
                "unflatten",
                vec![("x", m2((12, 2), 12))],
                Box::new(|t, v| t.unflatten(v[0], (3, 2, 2))),
            ),
        ];
        for (op, inputs, build) in checks {
            let report =
                check(op, &inputs, build).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(report.gradients.len(), inputs.len(), "{op}");
            assert_eq!(report.jacobians_compared, inputs.len(), "{op}");
        }
    }

    #[test]
    fn the_convolution_operations_pass_the_layer_check() {
        let x: Array4<f64> = random((2, 2, 4, 4), 1);
        let w: Array4<f64> = random((3, 2, 3, 3), 2);
        let b: Array1<f64> = random(3, 3);
        let p = ConvParams { stride: 1, pad: 1 };
        let inputs = [input("w", &w), input("x", &x), input("b", &b)];
        let r = check("conv2d", &inputs, |t, v| t.conv2d(v[0], v[1], v[2], p))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.gradients.len(), 3);
        let pool = PoolParams {
            height: 2,
            width: 2,
            stride: 2,
        };
        let r =
            check("max_pool", &[input("x", &x)], |t, v| t.max_pool(v[0], pool))
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.gradients[0].1.checked, x.len());
        let r = check("flatten", &[input("x", &x)], |t, v| t.flatten(v[0]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.jacobians_compared, 1);
        // A whole conv net: conv, relu, pool, flatten, affine, loss.
        let w2: Array2<f64> = random((3, 3 * 2 * 2), 4);
        let b2: Array1<f64> = random(3, 5);
        let inputs = [
            input("w", &w),
            input("x", &x),
            input("b", &b),
            input("w2", &w2),
            input("b2", &b2),
        ];
        let r = check("conv net", &inputs, |t, v| {
            let c = t.conv2d(v[0], v[1], v[2], p);
            let a = t.relu(c);
            let m = t.max_pool(a, pool);
            let f = t.flatten(m);
            let y = t.affine(v[3], f, v[4]);
            t.softmax_cross_entropy(y, &[2, 0])
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.jacobians_compared, 5);
    }

    #[test]
    fn flatten_puts_each_image_in_a_column_and_unflatten_undoes_it() {
        let x = Array4::from_shape_fn((2, 2, 1, 3), |(k, c, _, j)| {
            (100 * k + 10 * c + j) as f64
        });
        let mut tape = Tape::new();
        let xv = tape.leaf(x.clone());
        let f = tape.flatten(xv);
        // Column k is image k, read channel by channel, row by row.
        let want = array![
            [0.0, 100.0],
            [1.0, 101.0],
            [2.0, 102.0],
            [10.0, 110.0],
            [11.0, 111.0],
            [12.0, 112.0]
        ];
        assert_values("flatten", tape.value(f), want.into_dyn());
        let back = tape.unflatten(f, (2, 1, 3));
        assert_values("unflatten", tape.value(back), x.into_dyn());
    }

    #[test]
    fn the_convolution_caches_x_col_until_backward() {
        let (w, x, b, dy, p) = conv::example();
        let mut tape = Tape::new();
        let [wv, xv, bv] = [
            tape.leaf(w.clone()),
            tape.leaf(x.clone()),
            tape.leaf(b.clone()),
        ];
        let y = tape.conv2d(wv, xv, bv, p);
        let x_col = 4 * 4; // (C·Q₁·Q₂, n·M₁·M₂) = (4, 4)
        let values = w.len() + x.len() + b.len() + 4;
        assert_eq!(tape.bytes_held(), 8 * (values + x_col));
        tape.backward_from(y, dy.clone().into_dyn());
        let g = conv::backward(&w, &conv::Cache::new(&x, (2, 2), p), &dy, p);
        assert_values("dw", tape.grad(wv), g.dw.into_dyn());
        assert_values("dx", tape.grad(xv), g.dx.into_dyn());
        assert_values("db", tape.grad(bv), g.db.into_dyn());
        // The cache went with the closure; the gradients arrived.
        assert_eq!(tape.bytes_held(), 8 * 2 * values);
    }

    /// The small network of the network chapter's check.
    fn small_net() -> (Network, Array2<f64>, Vec<usize>) {
        let mut net = Network::new(2, 5, 3, 1);
        net.w1 = random((5, 2), 2);
        net.w2 = random((3, 5), 3);
        net.b1 = random(5, 4);
        net.b2 = random(3, 5);
        (net, random((2, 6), 5), vec![0, 1, 2, 2, 1, 0])
    }

    fn parameters(net: &Network) -> Vec<ArrayD<f64>> {
        vec![
            net.w1.clone().into_dyn(),
            net.b1.clone().into_dyn(),
            net.w2.clone().into_dyn(),
            net.b2.clone().into_dyn(),
        ]
    }

    #[test]
    fn the_network_on_a_tape_matches_network_loss() {
        let (net, x, labels) = small_net();
        let reg = 0.1;
        let mut tape = Tape::new();
        let p = tape.leaves(&parameters(&net));
        let xv = tape.leaf(x.clone());
        let l =
            network_loss(&mut tape, [p[0], p[1], p[2], p[3]], xv, &labels, reg);
        tape.backward(l);
        let (want, g) = net.loss(&x, &labels, reg);
        assert!(
            relative_error(tape.value(l)[[]], want) <= 1e-12,
            "loss {} vs {want}",
            tape.value(l)
        );
        let wants = [
            g.dw1.into_dyn(),
            g.db1.into_dyn(),
            g.dw2.into_dyn(),
            g.db2.into_dyn(),
        ];
        for (k, (v, want)) in p.iter().zip(wants).enumerate() {
            let worst = tape
                .grad(*v)
                .iter()
                .zip(&want)
                .map(|(&a, &b)| relative_error(a, b))
                .fold(0.0, f64::max);
            assert!(worst <= 1e-12, "parameter {k}: relative error {worst:e}");
        }
        // And as a function of the data and the parameters, the layer check.
        let mut inputs = vec![input("x", &x)];
        inputs
            .extend(["w1", "b1", "w2", "b2"].into_iter().zip(parameters(&net)));
        let r = check("network", &inputs, |t, v| {
            network_loss(t, [v[1], v[2], v[3], v[4]], v[0], &labels, reg)
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.jacobians_compared, 5);
    }

    #[test]
    fn a_value_the_loss_does_not_use_gets_zero() {
        let mut tape = Tape::new();
        let x = tape.leaf(array![1.0, 2.0]);
        let unused = tape.leaf(array![[5.0, 6.0, 7.0]]);
        let l = tape.sum(x);
        let after = tape.relu(unused); // recorded after the loss
        tape.backward(l);
        assert_values("dx", tape.grad(x), array![1.0, 1.0].into_dyn());
        assert_values(
            "d unused",
            tape.grad(unused),
            array![[0.0, 0.0, 0.0]].into_dyn(),
        );
        assert_values(
            "d after",
            tape.grad(after),
            array![[0.0, 0.0, 0.0]].into_dyn(),
        );
        assert_eq!(tape.grads(&[x, l]).len(), 2);
    }

    #[test]
    fn a_custom_operation_is_checked_and_recorded_like_the_others() {
        let forward = |v: &[ArrayD<f64>]| v[0].mapv(f64::tanh);
        let backward = |v: &[ArrayD<f64>], dy: &ArrayD<f64>| {
            vec![dy * &v[0].mapv(|a| 1.0 - a.tanh().powi(2))]
        };
        let x: Array2<f64> = random((3, 2), 1);
        layer_check::check_layer("tanh", &[input("x", &x)], forward, backward);
        let r = check("tanh", &[input("x", &x)], |t, v| {
            t.custom("tanh", &[("x", v[0])], forward, backward)
        });
        assert_eq!(r.unwrap_or_else(|e| panic!("{e}")).jacobians_compared, 1);
        let mut tape = Tape::new();
        let xv = tape.leaf(x.clone());
        let y = tape.custom("tanh", &[("x", xv)], forward, backward);
        assert_values("tanh", tape.value(y), x.mapv(f64::tanh).into_dyn());
    }

    #[test]
    fn a_value_copied_off_the_tape_is_named_not_a_panic() {
        let inputs = [input("w", &array![1.0, 2.0])];
        let failure = check("detached", &inputs, |t, v| {
            let ww = t.mul(v[0], v[0]);
            let s = t.sum(ww);
            t.leaf(t.value(s).clone())
        })
        .unwrap_err();
        let msg = failure.message;
        assert!(
            msg.contains(
                "the first value whose gradient is wrong is op 2 (sum), which no operation on the \
                 tape uses, yet the output depends on it: it reached the output through a copy"
            ),
            "{msg}"
        );
    }

    /// Overwrites instead of adding: the bug the fan-out rule guards against.
    fn overwrite(grad: &mut Option<ArrayD<f64>>, g: ArrayD<f64>) {
        *grad = Some(g);
    }

    #[test]
    fn overwriting_on_fan_out_fails_naming_the_value_and_its_users() {
        let (w, x) = (array![1.0, -2.0, 0.5], array![3.0, 1.0, -1.0]);
        let inputs = [input("w", &w), input("x", &x)];
        let build = |t: &mut Tape, v: &[Var]| {
            let a = t.mul(v[0], v[1]);
            let b = t.mul(v[0], v[0]);
            let c = t.add(a, b);
            t.sum(c)
        };
        check("fan-out", &inputs, build).unwrap_or_else(|e| panic!("{e}"));
        let failure =
            check_with("fan-out", &inputs, overwrite, build).unwrap_err();
        assert_eq!(failure.gradient, "dw");
        let msg = failure.message;
        assert!(
            msg.starts_with("fan-out: dw failed the gradient check"),
            "{msg}"
        );
        assert!(
            msg.ends_with(
                "\n  walking back from the output, the first value whose gradient is wrong is op 0 \
                 (the input w), used 3 times, by op 2 (mul) as a, op 3 (mul) as a and op 3 (mul) as \
                 b, and the tape does not add what arrives there: gradients 1, 2 and 3 arriving at \
                 one value leave 3, not 6 (where a value is used more than once, its gradients add)"
            ),
            "{msg}"
        );
        // An accumulate that keeps nothing is named too.
        let drop_all: Accumulate = |_, _| {};
        let msg = check_with("fan-out", &inputs, drop_all, build)
            .unwrap_err()
            .message;
        assert!(
            msg.contains(
                "is op 4 (add), which only op 5 (sum) as x uses, and the tape does not add what \
                 arrives there: gradient 1 arriving at one value leaves none, not 1"
            ),
            "{msg}"
        );
    }

    /// tanh with the slope `1 - x²` in place of `1 - tanh(x)²`.
    fn wrong_tanh(t: &mut Tape, x: Var) -> Var {
        let backward = |v: &[ArrayD<f64>], dy: &ArrayD<f64>| {
            vec![dy * &v[0].mapv(|a| 1.0 - a * a)]
        };
        t.custom("tanh", &[("x", x)], |v| v[0].mapv(f64::tanh), backward)
    }

    #[test]
    fn a_wrong_backward_pass_is_named_by_its_operation() {
        let x: Array1<f64> = random(4, 1);
        let inputs = [input("x", &x)];
        let msg = check("net", &inputs, |t, v| {
            let r = t.relu(v[0]);
            let h = wrong_tanh(t, r);
            t.sum(h)
        })
        .unwrap_err()
        .message;
        assert!(
            msg.ends_with(
                "the first value whose gradient is wrong is op 1 (relu), which only op 2 (tanh) as \
                 x uses: the fault is in that operation's backward pass"
            ),
            "{msg}"
        );
        // Used twice, with a right accumulate: one of the users is wrong.
        let msg = check("net", &inputs, |t, v| {
            let h = wrong_tanh(t, v[0]);
            let s = t.mul(v[0], h);
            t.sum(s)
        })
        .unwrap_err()
        .message;
        assert!(
            msg.ends_with(
                "is op 0 (the input x), used 2 times, by op 1 (tanh) as x and op 2 (mul) as a: the \
                 fault is in one of their backward passes"
            ),
            "{msg}"
        );
    }

    #[test]
    fn a_failure_that_no_single_gradient_shows_says_so() {
        // ReLU at its kink: the gradient check skips the entry, the
        // Jacobian comparison does not.
        let x = array![0.0, 1.0];
        let msg = check("relu", &[input("x", &x)], |t, v| t.relu(v[0]))
            .unwrap_err()
            .message;
        assert!(msg.contains("Jacobian"), "{msg}");
        assert!(
            msg.ends_with("every value's gradient passes its own check"),
            "{msg}"
        );
    }

    #[test]
    fn the_tape_holds_its_values_and_the_caches_until_backward() {
        let (net, x, labels) = small_net();
        let (u, d, m, n) = (5, 2, 3, 6);
        let mut tape = Tape::new();
        let p = tape.leaves(&parameters(&net));
        let xv = tape.leaf(x.clone());
        let l =
            network_loss(&mut tape, [p[0], p[1], p[2], p[3]], xv, &labels, 0.1);
        let leaves = u * d + u + m * u + m + d * n;
        let layers = 2 * u * n + m * n + 1; // Z, V, Y and the data loss
        let penalty = u * d + m * u + 6; // W⊙W twice, two sums, their sum, 0.5·reg, penalty, L
        let cache = m * n; // the loss's dY
        let values = leaves + layers + penalty;
        assert_eq!(tape.bytes_held(), 8 * (values + cache));
        tape.backward(l);
        assert_eq!(tape.bytes_held(), 8 * 2 * values);
        // Evaluation keeps the values and no cache.
        let mut eval = Tape::evaluation();
        let p = eval.leaves(&parameters(&net));
        let xv = eval.leaf(x);
        network_loss(&mut eval, [p[0], p[1], p[2], p[3]], xv, &labels, 0.1);
        assert_eq!(eval.bytes_held(), 8 * values);
    }

    #[test]
    fn momentum_zero_is_the_network_chapters_gradient_descent() {
        let (mut net, x, labels) = small_net();
        let mut params = parameters(&net);
        let mut sgd = Sgd::new(0.5, 0.0);
        for _ in 0..3 {
            let mut tape = Tape::new();
            let p = tape.leaves(&params);
            let xv = tape.leaf(x.clone());
            let l = network_loss(
                &mut tape,
                [p[0], p[1], p[2], p[3]],
                xv,
                &labels,
                0.1,
            );
            tape.backward(l);
            sgd.step(&mut params, &tape.grads(&p));
            let (_, g) = net.loss(&x, &labels, 0.1);
            net.update(&g, 0.5);
        }
        assert_eq!(params, parameters(&net));
    }

    #[test]
    fn momentum_keeps_a_velocity() {
        let mut w = vec![array![1.0, -2.0].into_dyn()];
        let mut sgd = Sgd::new(0.5, 0.9);
        let g = array![2.0, 4.0].into_dyn();
        sgd.step(&mut w, &[&g]); // V = [2, 4], W = [1, -2] - 0.5 V
        assert_values("W after one step", &w[0], array![0.0, -4.0].into_dyn());
        sgd.step(&mut w, &[&g]); // V = 0.9 [2, 4] + [2, 4] = [3.8, 7.6]
        assert_values(
            "W after two steps",
            &w[0],
            array![-1.9, -7.8].into_dyn(),
        );
    }

    #[test]
    fn sgd_refuses_mismatched_parameters_and_gradients() {
        let (a, b) = (array![1.0, 2.0].into_dyn(), array![[1.0]].into_dyn());
        let context = "tape::Sgd::step";
        assert_error(
            Sgd::new(0.1, 0.9).try_step(&mut [a.clone(), b.clone()], &[&a]),
            context,
            &["2 parameters and 1 gradients, after a first step with 2 parameters"],
        );
        assert_error(
            Sgd::new(0.1, 0.9).try_step(&mut [a.clone()], &[&b]),
            context,
            &["grads[0] has shape [1, 1] but params[0] has shape [2]"],
        );
        let mut sgd = Sgd::new(0.1, 0.9);
        sgd.step(&mut [a.clone()], &[&a]);
        assert_error(
            sgd.clone().try_step(&mut [a.clone(), a.clone()], &[&a, &a]),
            context,
            &["2 parameters and 2 gradients, after a first step with 1 parameters"],
        );
        assert_error(
            sgd.try_step(&mut [b.clone()], &[&b]),
            context,
            &["params[0] has shape [1, 1] but the velocity of params[0] has shape [2]"],
        );
        let msg =
            panic_message(|| Sgd::new(0.1, 0.9).step(&mut [a.clone()], &[]));
        assert!(msg.starts_with(context), "{msg}");
    }

    #[test]
    fn a_tape_runs_backward_once_and_an_evaluation_tape_not_at_all() {
        let (mut tape, [.., l]) = fan_out();
        assert_error(
            tape.try_backward(l),
            "tape::backward",
            &["op 4 (sum) has already run its backward pass: a tape runs backward once"],
        );
        let mut eval = Tape::evaluation();
        let x = eval.leaf(array![1.0]);
        let s = eval.sum(x);
        assert_error(
            eval.try_backward(s),
            "tape::backward",
            &["made by Tape::evaluation"],
        );
        // Backward from a leaf needs nothing recorded.
        let mut tape = Tape::new();
        let x = tape.leaf(arr0(2.0));
        tape.backward(x);
        assert_values("dx", tape.grad(x), arr0(1.0).into_dyn());
    }

    #[test]
    fn backward_refuses_a_loss_of_several_entries_and_a_misshapen_dy() {
        let mut tape = Tape::new();
        let x = tape.leaf(array![1.0, 2.0]);
        let y = tape.relu(x);
        assert_error(
            tape.try_backward(y),
            "tape::backward",
            &["the loss has shape [2]; backward starts from a loss of one entry"],
        );
        assert_error(tape.try_backward_from(y, array![1.0].into_dyn()), "tape::backward", &[
            "dy has shape [1] but op 1 (relu) has shape [2]; dy must have the shape of the value",
        ]);
        let msg = panic_message(|| tape.backward_from(y, arr0(1.0).into_dyn()));
        assert!(msg.starts_with("tape::backward: dy has shape []"), "{msg}");
        let msg = panic_message(|| tape.backward(y));
        assert!(
            msg.starts_with("tape::backward: the loss has shape [2]"),
            "{msg}"
        );
        // A loss of one entry in any shape.
        let z = tape.leaf(array![[4.0]]);
        tape.backward(z);
        assert_values("dz", tape.grad(z), array![[1.0]].into_dyn());
    }

    #[test]
    fn handles_from_another_tape_are_refused() {
        let (tape, _) = fan_out();
        let mut small = Tape::new();
        let x = small.leaf(array![1.0]);
        let far = Var(5);
        let context = "tape op 1 (relu)";
        assert_error(
            small.try_relu(far),
            context,
            &["Var(5) is out of range for a tape of 1 value (was it made by another tape?)"],
        );
        assert_error(
            small.try_sum(Var(1)),
            "tape op 1 (sum)",
            &["Var(1) is out of range"],
        );
        assert_error(
            small.try_custom(
                "id",
                &[("x", far)],
                |v| v[0].clone(),
                |_, dy| vec![dy.clone()],
            ),
            "tape op 1 (id)",
            &["Var(5)"],
        );
        assert_error(small.try_backward(far), "tape::backward", &["Var(5)"]);
        assert_error(small.try_add(x, far), "tape op 1 (add)", &["Var(5)"]);
        let msg = panic_message(|| {
            small.value(far);
        });
        assert!(
            msg.starts_with(
                "tape::value: Var(5) is out of range for a tape of 1 value"
            ),
            "{msg}"
        );
        let msg = panic_message(|| {
            small.grad(x);
        });
        assert!(
            msg.starts_with(
                "tape::grad: no gradients yet: call backward first ("
            ),
            "{msg}"
        );
        let msg = panic_message(|| {
            tape.grad(far);
        });
        assert!(
            msg.starts_with(
                "tape::grad: Var(5) is out of range for a tape of 5 values"
            ),
            "{msg}"
        );
    }

    #[test]
    fn each_operation_names_itself_and_its_position_in_the_layers_words() {
        let mut t = Tape::new();
        let m23 = t.leaf(Array2::<f64>::zeros((2, 3)));
        let m32 = t.leaf(Array2::<f64>::zeros((3, 2)));
        let v2 = t.leaf(Array1::<f64>::zeros(2));
        let img = t.leaf(Array4::<f64>::zeros((1, 1, 3, 3)));
        let empty = t.leaf(Array1::<f64>::zeros(0));
        let ac = affine::CONVENTION;
        let at5 = |op: &str| format!("tape op 5 ({op}): ");
        // The layers' own messages, after the operation and its position.
        let e = t.try_affine(m23, m23, v2).unwrap_err().message;
        assert!(
            e.starts_with(&format!(
                "{}affine::forward: W has shape [2, 3] but X has shape [2, 3]",
                at5("affine")
            )),
            "{e}"
        );
        assert!(e.ends_with(&format!("({ac})")), "{e}");
        assert_error(
            t.try_affine(m23, img, v2),
            &at5("affine"),
            &[
                "x has shape [1, 1, 3, 3]; affine takes a 2-dimensional x",
                ac,
            ],
        );
        assert_error(
            t.try_affine(m23, m32, m23),
            &at5("affine"),
            &["b has shape [2, 3]; affine takes a 1-dimensional b"],
        );
        let p = ConvParams { stride: 1, pad: 0 };
        assert_error(
            t.try_conv2d(m23, img, v2, p),
            &at5("conv2d"),
            &[
                "w has shape [2, 3]; conv2d takes a 4-dimensional w",
                conv::CONVENTION,
            ],
        );
        let e = t.try_conv2d(img, img, v2, p).unwrap_err().message;
        assert!(
            e.starts_with(&format!("{}conv::forward: ", at5("conv2d"))),
            "{e}"
        );
        let pool_p = PoolParams {
            height: 4,
            width: 4,
            stride: 1,
        };
        assert_error(
            t.try_max_pool(m23, pool_p),
            &at5("max_pool"),
            &[
                "x has shape [2, 3]; max_pool takes a 4-dimensional x",
                pool::CONVENTION,
            ],
        );
        let e = t.try_max_pool(img, pool_p).unwrap_err().message;
        assert!(
            e.starts_with(&format!(
                "{}pool::forward: x has shape [1, 1, 3, 3]",
                at5("max_pool")
            )),
            "{e}"
        );
        assert_error(
            t.try_flatten(m23),
            &at5("flatten"),
            &["x has shape [2, 3]; flatten takes a 4-dimensional x"],
        );
        assert_error(
            t.try_unflatten(img, (1, 3, 3)),
            &at5("unflatten"),
            &["x has shape [1, 1, 3, 3]; unflatten takes a 2-dimensional x"],
        );
        assert_error(t.try_unflatten(m23, (1, 1, 3)), &at5("unflatten"), &[
            "x has shape [2, 3] but the image (C, D₁, D₂) has shape [1, 1, 3]; x must have one row per entry of an image",
        ]);
        for (op, result) in
            [("add", t.try_add(m23, m32)), ("mul", t.try_mul(m23, m32))]
        {
            assert_error(result, &at5(op), &[
                "a has shape [2, 3] but b has shape [3, 2]",
                "works entry by entry, so a and b must have the same shape (the tape broadcasts nothing but the affine layer's bias)",
            ]);
        }
        assert_error(
            t.try_mean(empty),
            &at5("mean"),
            &["x has shape [0]; x has no entries, and no mean"],
        );
        assert_error(
            t.try_softmax_cross_entropy(v2, &[0]),
            &at5("softmax_cross_entropy"),
            &[
                "y has shape [2]; softmax_cross_entropy takes a 2-dimensional y",
                loss::CONVENTION,
            ],
        );
        let e = t
            .try_softmax_cross_entropy(m23, &[0, 1, 5])
            .unwrap_err()
            .message;
        assert!(
            e.starts_with(&format!(
                "{}loss::softmax_cross_entropy: label 5 of sample 2",
                at5("softmax_cross_entropy")
            )),
            "{e}"
        );
        // The panicking forms panic with the same messages, and a failed
        // operation records nothing.
        assert_eq!(t.nodes.len(), 5);
        type Op = fn(&mut Tape, [Var; 4]) -> Var;
        let ops: [(&str, Op); 10] = [
            ("affine", |t, [a, _, v, _]| t.affine(a, a, v)),
            ("relu", |t, _| t.relu(Var(9))),
            ("conv2d", |t, [a, _, v, i]| {
                t.conv2d(a, i, v, ConvParams { stride: 1, pad: 0 })
            }),
            ("max_pool", |t, [a, ..]| {
                t.max_pool(
                    a,
                    PoolParams {
                        height: 2,
                        width: 2,
                        stride: 2,
                    },
                )
            }),
            ("flatten", |t, [a, ..]| t.flatten(a)),
            ("unflatten", |t, [a, ..]| t.unflatten(a, (1, 1, 1))),
            ("add", |t, [a, b, ..]| t.add(a, b)),
            ("mul", |t, [a, b, ..]| t.mul(a, b)),
            ("sum", |t, _| t.sum(Var(9))),
            ("softmax_cross_entropy", |t, [a, ..]| {
                t.softmax_cross_entropy(a, &[7, 7, 7])
            }),
        ];
        for (op, f) in ops {
            let msg = panic_message(|| {
                f(&mut t, [m23, m32, v2, img]);
            });
            assert!(msg.starts_with(&at5(op)), "{op}: {msg}");
        }
        let msg = panic_message(|| {
            t.mean(empty);
        });
        assert!(msg.starts_with(&at5("mean")), "{msg}");
        let msg = panic_message(|| {
            t.custom(
                "id",
                &[("x", Var(9))],
                |v| v[0].clone(),
                |_, dy| vec![dy.clone()],
            );
        });
        assert!(msg.starts_with(&at5("id")), "{msg}");
    }

    #[test]
    fn a_custom_backward_pass_with_the_wrong_gradients_is_named() {
        let mut t = Tape::new();
        let x = t.leaf(array![1.0, 2.0]);
        let two = t.custom(
            "two",
            &[("x", x)],
            |v| v[0].clone(),
            |_, dy| vec![dy.clone(), dy.clone()],
        );
        let short = t.custom(
            "short",
            &[("x", x)],
            |v| v[0].clone(),
            |_, _| vec![array![1.0].into_dyn()],
        );
        let s = t.sum(two);
        assert_error(t.try_backward(s), "tape op 1 (two), backward", &[
            "the backward pass returned 2 gradients for 1 inputs; it must return one per input, in order",
        ]);
        let s = t.sum(short);
        assert_error(t.try_backward(s), "tape op 2 (short), backward", &[
            "dx has shape [1] but x (op 0) has shape [2]; dx and x (op 0) must have the same shape",
        ]);
        let msg = panic_message(|| {
            let mut t = Tape::new();
            let x = t.leaf(array![1.0]);
            let y =
                t.custom("none", &[("x", x)], |v| v[0].clone(), |_, _| vec![]);
            t.backward(y);
        });
        assert!(
            msg.starts_with("tape op 1 (none), backward: the backward pass returned 0 gradients"),
            "{msg}"
        );
    }
}
