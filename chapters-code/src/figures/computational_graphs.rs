//! The figures of the computational-graphs chapter: the sigmoid neuron
//! after both passes, and the fan-out example. Both are drawn from the
//! chapter's named worked examples in [`crate::scalar`]
//! ([`sigmoid_neuron_graph`] with [`SIGMOID_W`] and [`SIGMOID_X`], and
//! [`fan_out_example`]).

use super::format::{fixed2, short, typeset};
use super::graph::{self, GEdge, GNode, Kind};
use super::svg::Span;
use crate::scalar::{
    fan_out_example, sigmoid_neuron_graph, Graph, Op, Var, SIGMOID_W, SIGMOID_X,
};

/// The gradient that flows back along each edge of a scalar graph: for the
/// edge into input slot `i` of node `g`, `g.grad · ∂g/∂f_i`. A value used
/// by several nodes has one edge per use; its `grad` is the sum of theirs.
/// Returns `(from, to, gradient)` for every edge, in node order.
pub(crate) fn edge_gradients(g: &Graph) -> Vec<(Var, Var, f64)> {
    let mut out = Vec::new();
    for (j, node) in g.nodes().iter().enumerate() {
        if node.op == Op::Input {
            continue;
        }
        let inputs: Vec<f64> =
            node.inputs.iter().map(|&v| g.value(v)).collect();
        let locals = node.op.local_gradients(&inputs, node.value);
        for (&from, local) in node.inputs.iter().zip(locals) {
            out.push((from, Var(j), node.grad * local));
        }
    }
    // Fan-out rule: every node's gradient is the sum over its outgoing edges.
    for (i, node) in g.nodes().iter().enumerate() {
        let sum: f64 = out.iter().filter(|e| e.0 == Var(i)).map(|e| e.2).sum();
        let used = out.iter().any(|e| e.0 == Var(i));
        assert!(
            !used || (sum - node.grad).abs() < 1e-12,
            "figures: edge gradients out of node {i} sum to {sum}, but its grad is {}",
            node.grad
        );
    }
    out
}

/// A node's name as the chapter's formulas write it: a variable in
/// italics with its index as a subscript (`w0` is \(w_0\)), a product as
/// the page's `·`, a true minus sign; as figure markup (`$w_0$`, see
/// [`svg::math`](super::svg::math)).
pub(crate) fn as_math(label: &str) -> String {
    let label = typeset(label).replace('*', "·");
    let digits = label.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let letters = label.len() - digits.len();
    if letters == 1
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
    {
        format!("${}_{{{digits}}}$", &label[..1])
    } else {
        format!("${label}$")
    }
}

/// The operation nodes of the graph above `out` in the order the engine's
/// backward pass visits them (reversed topological order).
fn engine_steps(g: &Graph, out: Var) -> Vec<Var> {
    g.topological_order(out)
        .into_iter()
        .rev()
        .filter(|&v| g.node(v).op != Op::Input)
        .collect()
}

/// The nodes and edges of a scalar graph figure, with an extra output node
/// `out_label` after `out`. The operation nodes get badges numbered in the
/// order of `steps` (`steps[0]` is 1), which must name every operation
/// node above `out` exactly once, in a valid backward order. Values and
/// gradients are formatted with `fmt`.
pub(crate) fn scalar_figure(
    g: &Graph,
    steps: &[Var],
    out: Var,
    out_label: &str,
    fmt: fn(f64) -> String,
) -> (Vec<GNode>, Vec<GEdge>) {
    let mut expected = engine_steps(g, out);
    let mut given = steps.to_vec();
    expected.sort();
    given.sort();
    assert_eq!(
        given, expected,
        "figures: the numbered steps must be the operation nodes above the output, each once"
    );
    for (k, v) in steps.iter().enumerate() {
        assert!(
            steps[k + 1..]
                .iter()
                .all(|u| !g.node(*u).inputs.contains(v)),
            "figures: step {} is used by a node numbered after it",
            k + 1
        );
    }
    let mut nodes: Vec<GNode> = g
        .nodes()
        .iter()
        .enumerate()
        .map(|(i, n)| GNode {
            label: as_math(&n.label),
            kind: if n.op == Op::Input {
                Kind::Input
            } else {
                Kind::Op
            },
            badge: steps.iter().position(|&v| v == Var(i)).map(|p| p + 1),
            note: None,
        })
        .collect();
    nodes.push(GNode {
        label: out_label.to_string(),
        kind: Kind::Output,
        badge: None,
        note: None,
    });
    let mut edges: Vec<GEdge> = edge_gradients(g)
        .into_iter()
        .map(|(from, to, grad)| GEdge {
            from: from.0,
            to: to.0,
            value: fmt(g.value(from)),
            grad: fmt(grad),
        })
        .collect();
    edges.push(GEdge {
        from: out.0,
        to: nodes.len() - 1,
        value: fmt(g.value(out)),
        grad: fmt(g.grad(out)),
    });
    (nodes, edges)
}

/// The legend of the two computational graphs.
const GRAPH_LEGEND: [&[Span]; 3] = [
    &[
        ("value", Some("lg-value")),
        (": carried forward (above each edge)", None),
    ],
    &[
        ("gradient", Some("lg-grad")),
        (": flowing back (below each edge)", None),
    ],
    &[("numbered nodes: order of the backward pass", None)],
];

/// The sigmoid neuron's output, named as the chapter names it,
/// \(\text{out}\): upright, in the math font's regular weight, like the
/// other nodes' names (not in the figure's sans-serif font, and not in
/// the semibold that the stylesheet gives an output node's words).
const OUT: &str = r"$\text{out}$";

/// Figure `sigmoid-neuron.svg`: the sigmoid neuron
/// `1 / (1 + exp(-(w0·x0 + w1·x1 + w2)))` with the chapter's
/// [`SIGMOID_W`] and [`SIGMOID_X`], from [`sigmoid_neuron_graph`]: every
/// edge with its value (2 decimals) and gradient, operation nodes numbered
/// as the chapter numbers them ([`SigmoidNeuronGraph::steps`]).
///
/// [`SigmoidNeuronGraph::steps`]: crate::scalar::SigmoidNeuronGraph::steps
pub fn sigmoid_neuron() -> String {
    let sig = sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X);
    let g = &sig.graph;
    let (nodes, edges) = scalar_figure(g, &sig.steps(), sig.out, OUT, fixed2);
    let inputs: Vec<String> = sig
        .inputs()
        .iter()
        .map(|&v| format!("{} = {}", g.node(v).label, short(g.value(v))))
        .collect();
    let grads: Vec<String> = sig
        .inputs()
        .iter()
        .map(|&v| format!("{} {}", g.node(v).label, fixed2(g.grad(v))))
        .collect();
    let ops: Vec<String> = sig
        .steps()
        .iter()
        .rev()
        .map(|&v| typeset(&g.node(v).label))
        .collect();
    let desc = format!(
        "Computational graph of a sigmoid neuron, read left to right. Inputs {}. They flow through the nodes {} and give the output {}. Each edge is labelled with the value it carries forward and, below it, the gradient of the output with respect to that value; the gradient starts as {} at the output and reaches the inputs as {}. A number on each operation node gives its place in the backward pass: 1 for the reciprocal at the end, 7 for the product of w0 and x0, 8 for the product of w1 and x1.",
        inputs.join(", "),
        ops.join(", "),
        fixed2(g.value(sig.out)),
        fixed2(g.grad(sig.out)),
        grads.join(", "),
    );
    graph::draw(
        "sigmoid-neuron",
        &nodes,
        &edges,
        &GRAPH_LEGEND,
        "The sigmoid neuron as a computational graph, forward values and gradients",
        &desc,
    )
}

/// Figure `fan-out.svg`: the chapter's [`fan_out_example`], `x = 3`,
/// `y = -4`, `s = x + y`, `q = s · x`. `x` is used twice, so two gradients
/// flow back to it (`3` through `+`, `-1` through `*`) and add up to
/// `∂q/∂x = 2`, written next to `x`.
pub fn fan_out() -> String {
    let ex = fan_out_example();
    let g = &ex.graph;
    let steps = engine_steps(g, ex.q);
    let (mut nodes, edges) = scalar_figure(g, &steps, ex.q, "$q$", short);
    // The contributions to x in the order the backward pass delivers them
    // (the product, step 1, before the sum, step 2), as the chapter writes
    // them: -1 + 3.
    let step = |v: Var| nodes[v.0].badge.unwrap_or(0);
    let mut into_x: Vec<(Var, Var, f64)> = edge_gradients(g)
        .into_iter()
        .filter(|e| e.0 == ex.x)
        .collect();
    into_x.sort_by_key(|e| step(e.1));
    let parts: Vec<String> = into_x.iter().map(|e| short(e.2)).collect();
    // On three lines, broken before each relation as an aligned display
    // breaks, so that the figure fits a phone's column (on two lines,
    // `= −1 + 3 = 2` made it 427 units wide, 363 px at the narrowest the
    // page draws it); `{}` before the relation that opens a line keeps
    // TeX's space before it.
    nodes[ex.x.0].note = Some(format!(
        "$∂q/∂x\n{{}}= {}\n{{}}= {}$",
        parts.join(" + "),
        short(g.grad(ex.x))
    ));
    let desc = format!(
        "Computational graph of q = (x + y) times x with x = {}, y = {}: s = x + y = {}, q = s times x = {}. The input x feeds two nodes, the addition and the multiplication. Going backward, the gradient {} reaches x through the multiplication and {} through the addition; the two add up, so the gradient of q with respect to x is {}. The gradient with respect to y is {}.",
        short(g.value(ex.x)),
        short(g.value(ex.y)),
        short(g.value(ex.s)),
        short(g.value(ex.q)),
        parts[0],
        parts[1],
        short(g.grad(ex.x)),
        short(g.grad(ex.y)),
    );
    graph::draw(
        "fan-out",
        &nodes,
        &edges,
        &GRAPH_LEGEND,
        "A value used twice: the gradients of its two uses add up",
        &desc,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The figure numbers its nodes with the chapter's
    /// [`SigmoidNeuronGraph::steps`](crate::scalar::SigmoidNeuronGraph::steps):
    /// node 7 is `w0·x0`, node 8 is `w1·x1`, as in the chapter's table.
    #[test]
    fn sigmoid_badges_follow_the_chapters_numbering() {
        let sig = sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X);
        let (nodes, _) =
            scalar_figure(&sig.graph, &sig.steps(), sig.out, OUT, fixed2);
        for (k, v) in sig.steps().iter().enumerate() {
            assert_eq!(
                nodes[v.0].badge,
                Some(k + 1),
                "node {:?}",
                sig.graph.node(*v)
            );
        }
        assert_eq!(nodes[sig.p0.0].badge, Some(7), "node 7 must be w0·x0");
        assert_eq!(nodes[sig.p1.0].badge, Some(8), "node 8 must be w1·x1");
        assert_eq!(nodes[sig.out.0].label, "$1/x$");
        assert_eq!(nodes[sig.n.0].label, "$−x$");
        assert_eq!(nodes[sig.p0.0].label, "$·$");
        assert_eq!(nodes[sig.inputs()[0].0].label, "$w_{0}$");
        assert!(nodes
            .iter()
            .filter(|n| n.kind == Kind::Input)
            .all(|n| n.badge.is_none()));
    }

    #[test]
    fn steps_that_are_not_a_backward_order_are_refused() {
        let sig = sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X);
        let mut steps = sig.steps();
        steps.swap(0, 1); // the reciprocal after the node it uses
        let r = std::panic::catch_unwind(|| {
            scalar_figure(&sig.graph, &steps, sig.out, OUT, fixed2)
        });
        assert!(r.is_err());
        let r = std::panic::catch_unwind(|| {
            scalar_figure(&sig.graph, &sig.steps()[..7], sig.out, OUT, fixed2)
        });
        assert!(r.is_err());
    }

    #[test]
    fn fan_outs_gradients_are_its_two_contributions() {
        let ex = fan_out_example();
        let into_x: Vec<f64> = edge_gradients(&ex.graph)
            .iter()
            .filter(|e| e.0 == ex.x)
            .map(|e| e.2)
            .collect();
        assert_eq!(into_x, vec![3.0, -1.0]);
    }

    #[test]
    fn edge_gradients_refuse_a_graph_whose_grads_do_not_add_up() {
        let mut g = Graph::new();
        let x = g.input("x", 3.0);
        let y = g.mul(x, x);
        g.backward(y);
        assert_eq!(edge_gradients(&g).iter().map(|e| e.2).sum::<f64>(), 6.0);
        // Backward from x: x.grad = 1 but y.grad = 0, so the edges out of x
        // carry 0 and do not add up to x.grad.
        g.backward(x);
        let r = std::panic::catch_unwind(|| edge_gradients(&g));
        assert!(r.is_err());
    }
}
