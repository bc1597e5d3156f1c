//! [`super::check`]'s walk back from the output, when the whole check has
//! failed. Support code of the chapter "Autograd from local gradients":
//! the check itself is [`super::check_with`].
//!
//! The walk visits the values in reverse order of recording, as the
//! backward pass does, and checks each value's own gradient: the tape's
//! `∂L/∂value` against centred differences of the output with that one
//! value nudged (the tape records the nudged value in place of the one
//! computed there, and everything after it is computed again from it). The
//! first value whose gradient is wrong has a right gradient at every value
//! after it, so at all of its users: the fault is in one of their backward
//! passes, or in how the tape adds what they send back.

use super::{Accumulate, Tape, Var};
use crate::gradcheck::{self, check_named};
use crate::layer_check::{LayerCheckFailure, DY_SEED};
use ndarray::{arr0, ArrayD, IxDyn};

/// `failure`, with the first value whose gradient is wrong, walking back
/// from the output, and the operations that use it.
pub(super) fn walk_back(
    failure: LayerCheckFailure,
    inputs: &[(&str, ArrayD<f64>)],
    accumulate: Accumulate,
    build: &dyn Fn(&mut Tape, &[Var]) -> Var,
) -> LayerCheckFailure {
    let values: Vec<ArrayD<f64>> =
        inputs.iter().map(|(_, v)| v.clone()).collect();
    let run = |replace: Option<(usize, ArrayD<f64>)>| {
        let mut tape = Tape::with_accumulate(accumulate);
        tape.replace = replace;
        let leaves = tape.leaves(&values);
        let out = build(&mut tape, &leaves);
        (tape, out)
    };
    let (mut tape, out) = run(None);
    // The same dy as the layer check's.
    let dy: ArrayD<f64> =
        gradcheck::random(IxDyn(tape.value(out).shape()), DY_SEED);
    tape.backward_from(out, dy.clone());
    let name = |k: usize| match inputs.get(k) {
        Some((input, _)) => format!("op {k} (the input {input})"),
        None => format!("op {k} ({})", tape.nodes[k].op),
    };
    let found = (0..=out.0).rev().find(|&k| {
        let value = tape.value(Var(k));
        let nudged = |v: &ArrayD<f64>| {
            let (t, o) = run(Some((k, v.clone())));
            (t.value(o) * &dy).sum()
        };
        let (h, tolerance) = (gradcheck::H, gradcheck::TOLERANCE);
        !value.is_empty()
            && check_named(
                &name(k),
                nudged,
                value,
                tape.grad(Var(k)),
                h,
                tolerance,
            )
            .is_err()
    });
    let message = match found {
        Some(k) => format!(
            "{}\n  walking back from the output, the first value whose gradient is wrong is {}, \
             {}",
            failure.message,
            name(k),
            verdict(&tape, k, accumulate)
        ),
        None => format!(
            "{}\n  walking back from the output, every value's gradient passes its own check",
            failure.message
        ),
    };
    LayerCheckFailure { message, ..failure }
}

/// Who uses value `k`, and so where the fault is: the tape's
/// `accumulate`, tried on as many arrivals as `k` has uses, or else the
/// backward pass of its one user, or one of its users'.
fn verdict(tape: &Tape, k: usize, accumulate: Accumulate) -> String {
    let uses: Vec<String> = tape
        .nodes
        .iter()
        .enumerate()
        .flat_map(|(j, node)| {
            let slots = node.inputs.iter().filter(|(_, v)| v.0 == k);
            slots
                .map(move |(slot, _)| format!("op {j} ({}) as {slot}", node.op))
        })
        .collect();
    let [rest @ .., last] = uses.as_slice() else {
        // The output still moved when this value was nudged, yet no
        // operation on the tape reads it: its numbers reached the output
        // through a copy, such as `value` read and recorded as a new leaf.
        return "which no operation on the tape uses, yet the output depends on it: it reached \
                the output through a copy made off the tape (for example `value` recorded \
                again with `leaf`), which the backward pass cannot follow"
            .to_string();
    };
    let listed = |items: &[String], last: &str| match items {
        [] => last.to_string(),
        _ => format!("{} and {last}", items.join(", ")),
    };
    let used = match rest {
        [] => format!("which only {last} uses"),
        _ => format!("used {} times, by {}", uses.len(), listed(rest, last)),
    };
    // Gradients 1, 2, … arriving at one value must leave their sum.
    let arrivals: Vec<String> =
        (1..=uses.len()).map(|a| a.to_string()).collect();
    let mut sum = None;
    for a in 1..=uses.len() {
        accumulate(&mut sum, arr0(a as f64).into_dyn());
    }
    let want = (uses.len() * (uses.len() + 1) / 2) as f64;
    match sum.map(|s| s[[]]) {
        Some(got) if got == want && rest.is_empty() => {
            format!("{used}: the fault is in that operation's backward pass")
        }
        Some(got) if got == want => {
            format!("{used}: the fault is in one of their backward passes")
        }
        got => {
            let (first, last) = arrivals.split_at(arrivals.len() - 1);
            let (gradients, leave) = if first.is_empty() {
                ("gradient", "leaves")
            } else {
                ("gradients", "leave")
            };
            format!(
                "{used}, and the tape does not add what arrives there: {gradients} {} arriving at \
                 one value {leave} {}, not {want} (where a value is used more than once, its \
                 gradients add)",
                listed(first, &last[0]),
                got.map_or("none".to_string(), |g| g.to_string())
            )
        }
    }
}
