//! A tiny computational graph over scalars, in the spirit of micrograd.
//! The code of the chapter "Computational graphs in one dimension".
//!
//! Nodes live in an arena ([`Graph`]): a `Vec` of nodes, each holding its
//! operation, the handles of its inputs, its value and its gradient. A
//! [`Var`] is the index of a node in the graph that made it. Building a node
//! computes its value at once, so building the graph *is* the forward pass.
//!
//! [`Graph::backward`] fills in `grad` = ∂out/∂(node) for every node. Each
//! node only knows its own *local gradients* ([`Op::local_gradients`]); the
//! chain rule does the rest: `input.grad += node.grad * local_gradient`. The
//! `+=` is what makes a value that feeds several nodes (fan-out) collect
//! every contribution, and `backward` zeroes every gradient before it starts,
//! so running it twice gives the same numbers.
//!
//! # The order of the backward pass
//! A node may pass its gradient on only once that gradient is complete: once
//! every node that uses its value has added its share. [`Graph::topological_order`]
//! lists the ancestors of `out`, and `out` itself last, each after all of its
//! inputs, by depth-first search from `out`. The arena alone already has every
//! input before the nodes that use it, but it may also hold nodes that `out`
//! does not depend on; the search keeps only the ancestors. Every user of a
//! node comes after it in that order, so walking it from the end reaches each
//! node after all of its users. Two nodes that do not use each other (the
//! neuron's two products, nodes 7 and 8) may come in either order.
//!
//! # Handles from another graph
//! A `Var` is only an index, so a graph cannot tell its own handles from
//! another graph's. What it refuses is an index past its last node, as a
//! `Var` from a larger graph may be: every method taking a `Var` reports it
//! with the index and the size of the graph. A `Var` from another graph that
//! happens to be in range is not caught. [`Graph::try_node`] returns the
//! message
//! (`"scalar::Graph: Var(5) is out of range for a graph with 1 node (was it
//! made by another graph?)"`), and the other methods panic with it.
//!
//! # Labels
//! Labels of non-input nodes are short symbols of their operation:
//! `"+"`, `"*"`, `"max"`, `"-x"` (negation), `"exp"`, `"+c"` for adding a
//! constant (`"+1"`, `"-0.5"`), and `"1/x"`; then `"/"`, `"sqrt"`, `"ln"`
//! and `"tanh"`. Input nodes carry the label given to [`Graph::input`].
//!
//! # Checking local gradients
//! [`check_local_gradients`] checks a whole graph one node at a time: each
//! node's local gradients, at the node's own input values, against centred
//! differences of that node's operation alone. The rest of the graph plays
//! no part, so a wrong local gradient is reported by the node that holds it:
//! its number (its handle, in creation order), its label, the nodes that feed
//! it, its operation, its input values and both values of the local gradient.
//! Each local gradient is a single number, so one that sits on a corner (max
//! at a tie), where the centred difference means nothing, cannot be compared:
//! the check then fails and says so, rather than pass having checked nothing,
//! and a graph with no operation node fails the same way. [`check_op`] does
//! the same for one operation at one point, [`assert_local_gradients`]
//! panics with the report, and [`check_local_gradients_with`] takes the
//! local gradients from a function of your own, to try a rule (or a planted
//! bug) before it goes into the engine.

use crate::gradcheck;

/// A handle to a node: its index in the [`Graph`] that created it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(pub usize);

// Shown in "Computational graphs in one dimension", section "Local gradients of the primitives".
// ANCHOR: op
/// The operation a node performs on its inputs `f_1, f_2, …` to give its
/// output `g` (a node with one input calls it `f`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// A leaf: its value is given, it has no inputs.
    Input,
    Add,
    Mul,
    /// A tie routes the whole gradient to the first input.
    Max,
    Neg,
    Exp,
    /// Adds a constant.
    AddConst(f64),
    Recip,
    Div,
    Sqrt,
    Ln,
    Tanh,
}

impl Op {
    /// The forward computation `g(f_1, f_2, …)`.
    pub fn apply(&self, inputs: &[f64]) -> f64 {
        self.require_arity(inputs, "scalar::Op::apply");
        match (self, inputs) {
            (Op::Add, [a, b]) => a + b,
            (Op::Mul, [a, b]) => a * b,
            (Op::Max, [a, b]) => a.max(*b),
            (Op::Neg, [a]) => -a,
            (Op::Exp, [a]) => a.exp(),
            (Op::AddConst(c), [a]) => a + c,
            (Op::Recip, [a]) => 1.0 / a,
            (Op::Div, [a, b]) => a / b,
            (Op::Sqrt, [a]) => a.sqrt(),
            (Op::Ln, [a]) => a.ln(),
            (Op::Tanh, [a]) => a.tanh(),
            _ => panic!(
                "scalar::Op::apply: an Input node has no formula; \
                 its value is given"
            ),
        }
    }

    /// The local gradients `∂g/∂f_i`, one per input, given the input values
    /// and the node's output `g`.
    pub fn local_gradients(&self, inputs: &[f64], output: f64) -> Vec<f64> {
        self.require_arity(inputs, "scalar::Op::local_gradients");
        match (self, inputs) {
            (Op::Input, []) => vec![],
            (Op::Add, [_, _]) => vec![1.0, 1.0],
            (Op::Mul, [a, b]) => vec![*b, *a],
            (Op::Max, [a, b]) if a >= b => vec![1.0, 0.0],
            (Op::Max, [_, _]) => vec![0.0, 1.0],
            (Op::Neg, [_]) => vec![-1.0],
            (Op::Exp, [_]) => vec![output],
            (Op::AddConst(_), [_]) => vec![1.0],
            (Op::Recip, [a]) => vec![-1.0 / (a * a)],
            (Op::Div, [a, b]) => vec![1.0 / b, -a / (b * b)],
            (Op::Sqrt, [_]) => vec![0.5 / output],
            (Op::Ln, [a]) => vec![1.0 / a],
            (Op::Tanh, [_]) => vec![1.0 - output * output],
            _ => unreachable!("arity checked above"),
        }
    }
}
// ANCHOR_END: op

impl Op {
    /// How many inputs the operation takes.
    pub(crate) fn arity(&self) -> usize {
        match self {
            Op::Input => 0,
            Op::Add | Op::Mul | Op::Max | Op::Div => 2,
            Op::Neg | Op::Exp | Op::AddConst(_) | Op::Recip => 1,
            Op::Sqrt | Op::Ln | Op::Tanh => 1,
        }
    }

    /// The label of a node made by this operation (see the module docs).
    pub(crate) fn symbol(&self) -> String {
        match self {
            Op::Input => "input".to_string(),
            Op::Add => "+".to_string(),
            Op::Mul => "*".to_string(),
            Op::Max => "max".to_string(),
            Op::Neg => "-x".to_string(),
            Op::Exp => "exp".to_string(),
            Op::AddConst(c) if *c < 0.0 => format!("-{}", -c),
            Op::AddConst(c) => format!("+{c}"),
            Op::Recip => "1/x".to_string(),
            Op::Div => "/".to_string(),
            Op::Sqrt => "sqrt".to_string(),
            Op::Ln => "ln".to_string(),
            Op::Tanh => "tanh".to_string(),
        }
    }

    /// The operation's name in the first chapter's table of primitives
    /// (`"reciprocal"` for [`Op::Recip`]), used in failure messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Add => "add",
            Op::Mul => "multiply",
            Op::Max => "max",
            Op::Neg => "negate",
            Op::Exp => "exp",
            Op::AddConst(_) => "add a constant",
            Op::Recip => "reciprocal",
            Op::Div => "divide",
            Op::Sqrt => "square root",
            Op::Ln => "logarithm",
            Op::Tanh => "tanh",
        }
    }

    /// Panics on a wrong number of inputs, naming both counts; `apply`
    /// also panics for [`Op::Input`], whose value is given, not computed.
    #[track_caller]
    fn require_arity(&self, inputs: &[f64], context: &str) {
        assert!(
            inputs.len() == self.arity(),
            "{context}: {self:?} takes {} inputs but was given {}",
            self.arity(),
            inputs.len()
        );
    }
}

// Shown in "Computational graphs in one dimension", section "The same in code".
// ANCHOR: graph
/// One node; `grad` is ∂out/∂value, set by [`Graph::backward`].
#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub inputs: Vec<Var>,
    pub value: f64,
    pub grad: f64,
    pub label: String,
}

/// An arena of nodes: inputs come before the nodes that use them.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// A leaf node with a given value.
    pub fn input(&mut self, label: &str, value: f64) -> Var {
        self.push(Op::Input, vec![], value, label.to_string())
    }

    /// `a + b`
    #[track_caller]
    pub fn add(&mut self, a: Var, b: Var) -> Var {
        self.op(Op::Add, &[a, b])
    }

    /// `a · b`
    #[track_caller]
    pub fn mul(&mut self, a: Var, b: Var) -> Var {
        self.op(Op::Mul, &[a, b])
    }

    /// `max(a, b)`
    #[track_caller]
    pub fn max(&mut self, a: Var, b: Var) -> Var {
        self.op(Op::Max, &[a, b])
    }

    /// `-a`
    #[track_caller]
    pub fn neg(&mut self, a: Var) -> Var {
        self.op(Op::Neg, &[a])
    }

    /// `e^a`
    #[track_caller]
    pub fn exp(&mut self, a: Var) -> Var {
        self.op(Op::Exp, &[a])
    }

    /// `1 / a`
    #[track_caller]
    pub fn recip(&mut self, a: Var) -> Var {
        self.op(Op::Recip, &[a])
    }

    /// `a / b`
    #[track_caller]
    pub fn div(&mut self, a: Var, b: Var) -> Var {
        self.op(Op::Div, &[a, b])
    }

    /// `√a`
    #[track_caller]
    pub fn sqrt(&mut self, a: Var) -> Var {
        self.op(Op::Sqrt, &[a])
    }

    /// `ln a`
    #[track_caller]
    pub fn ln(&mut self, a: Var) -> Var {
        self.op(Op::Ln, &[a])
    }

    /// `tanh a`
    #[track_caller]
    pub fn tanh(&mut self, a: Var) -> Var {
        self.op(Op::Tanh, &[a])
    }

    /// `a + c` for a constant `c`
    #[track_caller]
    pub fn add_const(&mut self, a: Var, c: f64) -> Var {
        self.op(Op::AddConst(c), &[a])
    }

    /// The value computed by the forward pass.
    #[track_caller]
    pub fn value(&self, v: Var) -> f64 {
        self.node(v).value
    }

    /// ∂out/∂v for the `out` of the last [`Graph::backward`].
    #[track_caller]
    pub fn grad(&self, v: Var) -> f64 {
        self.node(v).grad
    }

    /// The node behind a handle; panics with [`Graph::try_node`]'s message.
    #[track_caller]
    pub fn node(&self, v: Var) -> &Node {
        self.check(v);
        &self.nodes[v.0]
    }

    /// The node behind a handle, or why there is none (see the module docs).
    pub fn try_node(&self, v: Var) -> Result<&Node, String> {
        self.nodes.get(v.0).ok_or_else(|| {
            let n = self.nodes.len();
            let nodes = if n == 1 { "node" } else { "nodes" };
            format!(
                "scalar::Graph: {v:?} is out of range for a graph with {n} {nodes} \
                 (was it made by another graph?)"
            )
        })
    }

    /// Every node, in creation order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The number of nodes, inputs included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph has no nodes yet.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    #[track_caller]
    fn op(&mut self, op: Op, inputs: &[Var]) -> Var {
        inputs.iter().for_each(|&v| self.check(v));
        let values: Vec<f64> =
            inputs.iter().map(|v| self.nodes[v.0].value).collect();
        self.push(op, inputs.to_vec(), op.apply(&values), op.symbol())
    }

    fn push(
        &mut self,
        op: Op,
        inputs: Vec<Var>,
        value: f64,
        label: String,
    ) -> Var {
        let node = Node {
            op,
            inputs,
            value,
            grad: 0.0,
            label,
        };
        self.nodes.push(node);
        Var(self.nodes.len() - 1)
    }
}
// ANCHOR_END: graph

impl Graph {
    /// Panics with [`Graph::try_node`]'s message if `v` is past the last
    /// node of this graph.
    #[track_caller]
    fn check(&self, v: Var) {
        if let Err(e) = self.try_node(v) {
            panic!("{e}");
        }
    }
}

// Shown in "Computational graphs in one dimension", section "The same in code".
// ANCHOR: backward
impl Graph {
    /// The ancestors of `out`, and `out` last, each after all of its inputs
    /// (see the module docs).
    #[track_caller]
    pub fn topological_order(&self, out: Var) -> Vec<Var> {
        self.check(out);
        fn visit(
            nodes: &[Node],
            v: Var,
            seen: &mut [bool],
            order: &mut Vec<Var>,
        ) {
            if !seen[v.0] {
                seen[v.0] = true;
                for &input in &nodes[v.0].inputs {
                    visit(nodes, input, seen, order);
                }
                order.push(v);
            }
        }
        let mut seen = vec![false; self.nodes.len()];
        let mut order = Vec::new();
        visit(&self.nodes, out, &mut seen, &mut order);
        order
    }

    /// Sets every `grad` to ∂out/∂(node).
    #[track_caller]
    pub fn backward(&mut self, out: Var) {
        let order = self.topological_order(out);
        for node in &mut self.nodes {
            node.grad = 0.0;
        }
        self.nodes[out.0].grad = 1.0;
        for &v in order.iter().rev() {
            let node = &self.nodes[v.0];
            let inputs: Vec<f64> =
                node.inputs.iter().map(|i| self.nodes[i.0].value).collect();
            let locals = node.op.local_gradients(&inputs, node.value);
            let (grad, targets) = (node.grad, node.inputs.clone());
            for (input, local) in targets.into_iter().zip(locals) {
                self.nodes[input.0].grad += grad * local;
            }
        }
    }
}
// ANCHOR_END: backward

/// A local gradient that disagrees with the centred difference of its own
/// operation, or that could not be compared with it because the operation
/// has a kink there: which operation, at which inputs, which input `f_i`,
/// and both values.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalGradientFailure {
    /// The operation whose local gradient is wrong.
    pub op: Op,
    /// The input values `f_1, f_2, …` at which it was checked.
    pub inputs: Vec<f64>,
    /// The node's output `g` at those inputs.
    pub output: f64,
    /// Which local gradient is wrong, counting from 0 (`0` is `∂g/∂f_1`).
    pub input: usize,
    /// The value from [`Op::local_gradients`].
    pub analytic: f64,
    /// The centred difference `(g(f + h e_i) - g(f - h e_i)) / 2h`.
    pub numerical: f64,
    /// `|analytic - numerical| / max(|analytic|, |numerical|)`; NaN when a
    /// value is not finite.
    pub relative_error: f64,
    /// `Some((below, above))`, the one-sided slopes, when the local
    /// gradient lies between them but they disagree (a kink within `h`,
    /// such as max at a tie): then it was not compared at all, and a check
    /// that compared nothing for this input fails. `None` for a value that
    /// is wrong.
    pub kink: Option<(f64, f64)>,
}

impl std::fmt::Display for LocalGradientFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inputs: Vec<String> =
            self.inputs.iter().map(|v| format!("{v:.10e}")).collect();
        let k = self.input + 1;
        write!(
            f,
            "the {} operation ({:?}) at inputs [{}], output {:.10e}: ",
            self.op.name(),
            self.op,
            inputs.join(", "),
            self.output,
        )?;
        if let Some((below, above)) = self.kink {
            return write!(
                f,
                "∂g/∂f_{k} was not compared, so nothing was checked for f_{k}: the operation \
                 has a kink within h = {:e} of f_{k} = {:.10e} (one-sided slopes {below:.10e} \
                 below and {above:.10e} above; local_gradients gives {:.10e}, between them). \
                 Check the graph at other inputs, away from the kink",
                gradcheck::H,
                self.inputs[self.input],
                self.analytic,
            );
        }
        write!(
            f,
            "∂g/∂f_{k} is {:.10e} by local_gradients but {:.10e} by centred differences of \
             the operation",
            self.analytic, self.numerical,
        )?;
        if self.relative_error.is_nan() {
            write!(f, " (a value is not finite)")
        } else {
            write!(
                f,
                " (relative error {:.3e} > {:e}, h = {:e})",
                self.relative_error,
                gradcheck::TOLERANCE,
                gradcheck::H
            )
        }
    }
}

impl std::error::Error for LocalGradientFailure {}

/// What a passing [`check_local_gradients`] looked at. Every local
/// gradient of every operation node was compared: one that sits on a kink
/// fails the check instead of being skipped, since each is a single number.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalGradientReport {
    /// How many operation nodes (every node but the inputs) were checked.
    pub nodes: usize,
    /// How many local gradients were compared, one per input of each node.
    pub checked: usize,
}

/// `"8 operation nodes, 12 local gradients checked"`.
impl std::fmt::Display for LocalGradientReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} operation nodes, {} local gradients checked",
            self.nodes, self.checked
        )
    }
}

/// One node that failed [`check_local_gradients`].
#[derive(Clone, Debug, PartialEq)]
pub struct NodeFailure {
    /// The node's handle.
    pub node: Var,
    /// The node's label.
    pub label: String,
    /// The nodes that feed it, `f_1, f_2, …`: handle and label.
    pub inputs: Vec<(Var, String)>,
    /// Its first local gradient that is wrong or could not be compared.
    pub failure: LocalGradientFailure,
}

/// A failed [`check_local_gradients`]: every node with a wrong (or
/// uncomparable) local gradient, in creation order, or a graph with no
/// operation node at all (`failures` empty, `nodes` 0).
#[derive(Clone, Debug, PartialEq)]
pub struct GraphCheckFailure {
    /// Each node that failed.
    pub failures: Vec<NodeFailure>,
    /// How many operation nodes were checked.
    pub nodes: usize,
}

impl std::fmt::Display for GraphCheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let context = "scalar::check_local_gradients";
        if self.nodes == 0 {
            return write!(
                f,
                "{context}: the graph has no operation nodes, so no local gradient was checked; \
                 check a graph with at least one operation"
            );
        }
        let what = if self.failures.iter().all(|n| n.failure.kink.is_none()) {
            "have a wrong local gradient"
        } else {
            "have a local gradient that is wrong or could not be compared"
        };
        let k = self.failures.len();
        write!(f, "{context}: {k} of {} operation nodes {what}", self.nodes)?;
        for n in &self.failures {
            let inputs: Vec<String> = n
                .inputs
                .iter()
                .enumerate()
                .map(|(i, (v, label))| {
                    format!("f_{} = node {} {label:?}", i + 1, v.0)
                })
                .collect();
            write!(
                f,
                "\n  node {} (label {:?}; {}): {}",
                n.node.0,
                n.label,
                inputs.join(", "),
                n.failure
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for GraphCheckFailure {}

// Shown in "Computational graphs in one dimension", section "Local gradients
// of the primitives".
// ANCHOR: check_local_gradients
/// Checks every operation node's local gradients, at the node's input
/// values, against centred differences of its operation alone; a failure
/// names each failing node (see the module docs).
pub fn check_local_gradients(
    graph: &Graph,
) -> Result<LocalGradientReport, GraphCheckFailure> {
    check_local_gradients_with(graph, |op, inputs, output| {
        op.local_gradients(inputs, output)
    })
}

/// [`check_local_gradients`] with the local gradients given by
/// `local_gradients(op, inputs, output)` instead of [`Op::local_gradients`].
pub fn check_local_gradients_with(
    graph: &Graph,
    local_gradients: impl Fn(Op, &[f64], f64) -> Vec<f64>,
) -> Result<LocalGradientReport, GraphCheckFailure> {
    let mut report = LocalGradientReport {
        nodes: 0,
        checked: 0,
    };
    let mut failures = Vec::new();
    for (i, node) in graph.nodes().iter().enumerate() {
        if node.op == Op::Input {
            continue;
        }
        let inputs: Vec<f64> =
            node.inputs.iter().map(|&v| graph.value(v)).collect();
        report.nodes += 1;
        report.checked += inputs.len();
        let analytic = local_gradients(node.op, &inputs, node.value);
        if let Err(failure) =
            compare_local_gradients(node.op, &inputs, node.value, &analytic)
        {
            failures.push(NodeFailure {
                node: Var(i),
                label: node.label.clone(),
                inputs: node
                    .inputs
                    .iter()
                    .map(|&v| (v, graph.node(v).label.clone()))
                    .collect(),
                failure,
            });
        }
    }
    if failures.is_empty() && report.nodes > 0 {
        Ok(report)
    } else {
        Err(GraphCheckFailure {
            failures,
            nodes: report.nodes,
        })
    }
}

/// [`check_local_gradients`] that panics on failure, with the same message.
#[track_caller]
pub fn assert_local_gradients(graph: &Graph) -> LocalGradientReport {
    match check_local_gradients(graph) {
        Ok(report) => report,
        Err(failure) => panic!("{failure}"),
    }
}

/// The same check for one operation at one point.
pub fn check_op(op: Op, inputs: &[f64]) -> Result<(), LocalGradientFailure> {
    let output = op.apply(inputs);
    compare_local_gradients(
        op,
        inputs,
        output,
        &op.local_gradients(inputs, output),
    )
}
// ANCHOR_END: check_local_gradients

/// Compares `analytic`, claimed local gradients of `op` at `inputs` (with
/// output `output`), with centred differences of [`Op::apply`]:
///
/// ```text
/// ∂g/∂f_i  ≈  (g(f + h e_i) - g(f - h e_i)) / (2h),   h = gradcheck::H
/// ```
///
/// Each must agree to relative error [`gradcheck::TOLERANCE`] (or differ by
/// less than [`gradcheck::ABSOLUTE_FLOOR`]). The first wrong local gradient
/// is the error, naming the operation, the inputs and both values; a
/// non-finite input, output or gradient is an error too. So, when no local
/// gradient is wrong, is one that could not be compared: where the operation
/// has a kink within `h` (max at a tie), the one-sided slopes disagree and
/// the centred difference means nothing. (A value between the slopes is
/// named as not compared, one outside them as wrong.) Panics on a wrong
/// number of inputs or of local gradients, and for [`Op::Input`].
fn compare_local_gradients(
    op: Op,
    inputs: &[f64],
    output: f64,
    analytic: &[f64],
) -> Result<(), LocalGradientFailure> {
    assert!(
        analytic.len() == inputs.len(),
        "scalar::check_local_gradients: the {} operation ({op:?}) was given {} local gradients \
         for {} inputs; it needs one per input, or some input would go unchecked",
        op.name(),
        analytic.len(),
        inputs.len()
    );
    let h = gradcheck::H;
    let mut not_compared = None;
    for (i, &a) in analytic.iter().enumerate() {
        let at = |shift: f64| {
            let mut moved = inputs.to_vec();
            moved[i] += shift;
            op.apply(&moved)
        };
        let (plus, minus) = (at(h), at(-h));
        let numerical = (plus - minus) / (2.0 * h);
        let fail = |relative_error, kink| LocalGradientFailure {
            op,
            inputs: inputs.to_vec(),
            output,
            input: i,
            analytic: a,
            numerical,
            relative_error,
            kink,
        };
        let values = [a, numerical, output];
        if !values.iter().chain(inputs).all(|v| v.is_finite()) {
            return Err(fail(f64::NAN, None));
        }
        let err = gradcheck::relative_error(a, numerical);
        if err <= gradcheck::TOLERANCE
            || (a - numerical).abs() < gradcheck::ABSOLUTE_FLOOR
        {
            continue;
        }
        // A kink inside [f_i - h, f_i + h]: a slope between the two
        // one-sided ones is not wrong, but it is not checked either. A
        // wrong value elsewhere is the better news, so look on first.
        let (above, below) = ((plus - output) / h, (output - minus) / h);
        let slack =
            gradcheck::TOLERANCE * 1f64.max(above.abs()).max(below.abs());
        let between =
            above.min(below) - slack <= a && a <= above.max(below) + slack;
        if gradcheck::on_kink(above, below) && between {
            not_compared.get_or_insert(fail(err, Some((below, above))));
        } else {
            return Err(fail(err, None));
        }
    }
    not_compared.map_or(Ok(()), Err)
}

// Shown in "Computational graphs in one dimension", section "A neuron cut into eight nodes".
// ANCHOR: sigmoid_neuron
/// The graph of `1 / (1 + exp(-(w0·x0 + w1·x1 + w2)))` in eight nodes,
/// every node by name; backward has already run from `out`.
#[rustfmt::skip]
pub fn sigmoid_neuron_graph(w: [f64; 3], x: [f64; 2]) -> SigmoidNeuronGraph {
    let mut g = Graph::new();
    let w0 = g.input("w0", w[0]);
    let x0 = g.input("x0", x[0]);
    let w1 = g.input("w1", w[1]);
    let x1 = g.input("x1", x[1]);
    let w2 = g.input("w2", w[2]);
    let p0 = g.mul(w0, x0); // node 7
    let p1 = g.mul(w1, x1); // node 8
    let s = g.add(p0, p1); // node 6
    let z = g.add(s, w2); // node 5
    let n = g.neg(z); // node 4
    let e = g.exp(n); // node 3
    let d = g.add_const(e, 1.0); // node 2
    let out = g.recip(d); // node 1
    g.backward(out);
    SigmoidNeuronGraph { graph: g, w0, x0, w1, x1, w2, p0, p1, s, z, n, e, d, out }
}

/// The neuron's graph and a handle for each of its nodes.
#[derive(Clone, Debug)]
pub struct SigmoidNeuronGraph {
    pub graph: Graph,
    pub w0: Var,
    pub x0: Var,
    pub w1: Var,
    pub x1: Var,
    pub w2: Var,
    pub p0: Var,
    pub p1: Var,
    pub s: Var,
    pub z: Var,
    pub n: Var,
    pub e: Var,
    pub d: Var,
    pub out: Var,
}

impl SigmoidNeuronGraph {
    /// The operation nodes by number: node `k` is `steps()[k - 1]`.
    pub fn steps(&self) -> [Var; 8] {
        [
            self.out, self.d, self.e, self.n, self.z, self.s, self.p0, self.p1,
        ]
    }

    /// The inputs `[w0, x0, w1, x1, w2]`.
    pub fn inputs(&self) -> [Var; 5] {
        [self.w0, self.x0, self.w1, self.x1, self.w2]
    }
}

/// The neuron's output and its gradients, read off [`sigmoid_neuron_graph`].
pub fn sigmoid_neuron(w: [f64; 3], x: [f64; 2]) -> SigmoidNeuron {
    let n = sigmoid_neuron_graph(w, x);
    let grad = |v| n.graph.grad(v);
    SigmoidNeuron {
        out: n.graph.value(n.out),
        dw: [grad(n.w0), grad(n.w1), grad(n.w2)],
        dx: [grad(n.x0), grad(n.x1)],
    }
}

/// The neuron's output and the gradients `[∂out/∂w0, ∂out/∂w1, ∂out/∂w2]`
/// and `[∂out/∂x0, ∂out/∂x1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SigmoidNeuron {
    pub out: f64,
    pub dw: [f64; 3],
    pub dx: [f64; 2],
}
// ANCHOR_END: sigmoid_neuron

/// The chapter's worked example of the sigmoid neuron: the weights
/// `w = [w0, w1, w2] = [2, -3, -3]` (used with [`SIGMOID_X`]). The
/// computational-graphs chapter, its figure and the unit tests all use it.
pub const SIGMOID_W: [f64; 3] = [2.0, -3.0, -3.0];

/// The chapter's worked example of the sigmoid neuron: the inputs
/// `x = [x0, x1] = [-1, -2]` (used with [`SIGMOID_W`]).
pub const SIGMOID_X: [f64; 2] = [-1.0, -2.0];

// Shown in "Computational graphs in one dimension", section "Fan-out: where a value is used twice, gradients add".
// ANCHOR: fan_out_example

/// The fan-out example of the computational-graphs chapter, every node by
/// name: `x = 3`, `y = -4`, `s = x + y = -1`, `q = s · x = -3`. `x` is used
/// twice, so `∂q/∂x = s + x = -1 + 3 = 2`; `∂q/∂y = x = 3`.
#[derive(Clone, Debug)]
pub struct FanOut {
    /// The graph, after backward from `q`.
    pub graph: Graph,
    pub x: Var,
    pub y: Var,
    /// `x + y`
    pub s: Var,
    /// `s · x`, the output.
    pub q: Var,
}

/// Builds the fan-out example ([`FanOut`]) and runs backward from `q`.
pub fn fan_out_example() -> FanOut {
    let mut graph = Graph::new();
    let x = graph.input("x", 3.0);
    let y = graph.input("y", -4.0);
    let s = graph.add(x, y);
    let q = graph.mul(s, x);
    graph.backward(q);
    FanOut { graph, x, y, s, q }
}
// ANCHOR_END: fan_out_example

#[cfg(test)]
mod named_example_tests {
    use super::*;

    #[test]
    fn sigmoid_steps_are_a_backward_order_of_every_operation_node() {
        let sig = sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X);
        let steps = sig.steps();
        let g = &sig.graph;
        // every operation node exactly once, inputs never
        let mut ops: Vec<Var> = (0..g.len())
            .map(Var)
            .filter(|&v| g.node(v).op != Op::Input)
            .collect();
        let mut sorted = steps.to_vec();
        sorted.sort();
        ops.sort();
        assert_eq!(sorted, ops);
        // a node is visited only after every node that uses it
        for (k, &v) in steps.iter().enumerate() {
            for &later in &steps[k + 1..] {
                assert!(
                    !g.node(later).inputs.contains(&v),
                    "step {} ({v:?}) is used by step {} ({later:?}), which comes later",
                    k + 1,
                    steps.iter().position(|&u| u == later).unwrap() + 1
                );
            }
        }
        assert_eq!(steps[6], sig.p0, "node 7 is w0·x0");
        assert_eq!(g.node(sig.p0).inputs, [sig.w0, sig.x0]);
        assert_eq!(
            sig.inputs().map(|v| g.node(v).label.clone()),
            ["w0", "x0", "w1", "x1", "w2"]
        );
    }

    #[test]
    fn fan_out_example_numbers() {
        let ex = fan_out_example();
        let g = &ex.graph;
        assert_eq!((g.value(ex.s), g.value(ex.q)), (-1.0, -3.0));
        assert_eq!((g.grad(ex.x), g.grad(ex.y)), (2.0, 3.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::panic_message;
    use approx::assert_abs_diff_eq;

    const ALL_OPS: [Op; 11] = [
        Op::Add,
        Op::Mul,
        Op::Max,
        Op::Neg,
        Op::Exp,
        Op::AddConst(1.0),
        Op::Recip,
        Op::Div,
        Op::Sqrt,
        Op::Ln,
        Op::Tanh,
    ];

    #[test]
    fn an_added_constant_is_labelled_with_its_sign() {
        for (c, want) in [(2.5, "+2.5"), (-1.0, "-1"), (0.0, "+0")] {
            let got = Op::AddConst(c).symbol();
            assert_eq!(got, want, "the label of the node x + c for c = {c}");
        }
    }

    #[test]
    fn local_gradients_of_every_op() {
        let (a, b): (f64, f64) = (3.0, -2.0);
        // Each with the operation and the inputs that decide its values.
        let input = Op::Input.local_gradients(&[], 5.0);
        assert!(input.is_empty(), "input: {input:?}");
        let cases = [
            (Op::Add, vec![a, b], a + b, vec![1.0, 1.0]),
            (Op::Mul, vec![a, b], a * b, vec![b, a]),
            (Op::Max, vec![a, b], a, vec![1.0, 0.0]),
            (Op::Max, vec![b, a], a, vec![0.0, 1.0]),
            (Op::Max, vec![a, a], a, vec![1.0, 0.0]),
            (Op::Neg, vec![a], -a, vec![-1.0]),
            (Op::Exp, vec![a], a.exp(), vec![a.exp()]),
            (Op::AddConst(7.0), vec![a], a + 7.0, vec![1.0]),
        ];
        for (op, inputs, output, want) in cases {
            let got = op.local_gradients(&inputs, output);
            assert_eq!(
                got,
                want,
                "the {} operation at inputs {inputs:?}",
                op.name()
            );
        }
        assert_eq!(
            Op::Recip.local_gradients(&[b], 1.0 / b),
            [-0.25],
            "reciprocal"
        );
        assert_eq!(
            Op::Div.local_gradients(&[a, b], a / b),
            [-0.5, -0.75],
            "divide"
        );
        assert_eq!(
            Op::Sqrt.local_gradients(&[4.0], 2.0),
            [0.25],
            "square root"
        );
        assert_eq!(
            Op::Ln.local_gradients(&[2.0], 2f64.ln()),
            [0.5],
            "logarithm"
        );
        let t = 0.5f64.tanh();
        assert_eq!(Op::Tanh.local_gradients(&[0.5], t), [1.0 - t * t], "tanh");
    }

    #[test]
    fn local_gradients_match_centered_differences() {
        // A failure names the operation and the input point, e.g. "the
        // reciprocal operation (Recip) at inputs [1.5000000000e0], ...".
        let points = [[1.5, -0.7], [-0.4, 0.9], [2.0, 0.3], [0.25, -3.0]];
        let mut checked = 0;
        for op in ALL_OPS {
            for p in points {
                let x = &p[..op.arity()];
                if matches!(op, Op::Sqrt | Op::Ln) && x[0] <= 0.0 {
                    continue; // outside the domain
                }
                check_op(op, x).unwrap_or_else(|failure| panic!("{failure}"));
                checked += 1;
            }
        }
        assert_eq!(checked, 11 * 4 - 2);
    }

    #[test]
    fn the_new_primitives_by_their_formulas() {
        let mut g = Graph::new();
        let (a, b) = (g.input("a", 3.0), g.input("b", -2.0));
        let four = g.input("4", 4.0);
        let q = g.div(a, b);
        let r = g.sqrt(four);
        let l = g.ln(four);
        let t = g.tanh(b);
        assert_eq!([g.value(q), g.value(r)], [-1.5, 2.0]);
        assert_eq!([g.value(l), g.value(t)], [4f64.ln(), (-2f64).tanh()]);
        // d(a/b)/da = 1/b, d(a/b)/db = -a/b²; √ and tanh read their output.
        g.backward(q);
        assert_eq!((g.grad(a), g.grad(b)), (-0.5, -0.75));
        g.backward(r);
        assert_eq!(g.grad(four), 0.25); // 1 / (2 · 2)
        g.backward(l);
        assert_eq!(g.grad(four), 0.25); // 1 / 4
        g.backward(t);
        assert_eq!(g.grad(b), 1.0 - (-2f64).tanh().powi(2));
        let names = ALL_OPS.map(|op| op.name());
        assert_eq!(
            names[6..],
            ["reciprocal", "divide", "square root", "logarithm", "tanh"]
        );
    }

    #[test]
    fn check_local_gradients_passes_correct_graphs() {
        let sig = sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X);
        let report = assert_local_gradients(&sig.graph);
        assert_eq!((report.nodes, report.checked), (8, 12));
        assert_eq!(
            report.to_string(),
            "8 operation nodes, 12 local gradients checked"
        );
        let (d, _) = diamond();
        assert_eq!(assert_local_gradients(&d).nodes, 3);
        // Every operation once.
        let mut g = Graph::new();
        let (a, b) = (g.input("a", 0.7), g.input("b", 1.9));
        let top = g.max(a, b);
        let s = g.add(top, b);
        let p = g.mul(s, b);
        let q = g.div(p, a);
        let r = g.sqrt(q);
        let l = g.ln(r);
        let t = g.tanh(l);
        let e = g.exp(t);
        let n = g.neg(e);
        let c = g.add_const(n, 5.0);
        let out = g.recip(c);
        g.backward(out);
        let report = assert_local_gradients(&g);
        assert_eq!((report.nodes, report.checked), (11, 15));
    }

    #[test]
    fn a_node_on_a_kink_fails_as_not_compared_and_is_named() {
        // max(a, a) is always a tie: neither local gradient can be
        // compared, and a check that compared nothing must not pass.
        let mut g = Graph::new();
        let a = g.input("a", 0.7);
        let tie = g.max(a, a);
        let out = g.exp(tie);
        g.backward(out);
        let failure = check_local_gradients(&g).unwrap_err();
        assert_eq!(failure.failures.len(), 1);
        let n = &failure.failures[0];
        assert_eq!((n.node, n.label.as_str()), (tie, "max"));
        let (below, above) = n.failure.kink.expect("a kink");
        assert!(
            below == 0.0 && (above - 1.0).abs() < 1e-9,
            "{:?}",
            n.failure
        );
        let msg = failure.to_string();
        let lines: Vec<&str> = msg.lines().collect();
        assert_eq!(
            lines[0],
            "scalar::check_local_gradients: 1 of 2 operation nodes have a local gradient \
             that is wrong or could not be compared"
        );
        assert_eq!(
            lines[1],
            "  node 1 (label \"max\"; f_1 = node 0 \"a\", f_2 = node 0 \"a\"): the max \
             operation (Max) at inputs [7.0000000000e-1, 7.0000000000e-1], output \
             7.0000000000e-1: ∂g/∂f_1 was not compared, so nothing was checked for f_1: the \
             operation has a kink within h = 1e-5 of f_1 = 7.0000000000e-1 (one-sided slopes \
             0.0000000000e0 below and 1.0000000000e0 above; local_gradients gives \
             1.0000000000e0, between them). Check the graph at other inputs, away from the kink"
        );
        assert_eq!(panic_message(|| _ = assert_local_gradients(&g)), msg);
    }

    #[test]
    fn a_graph_without_operations_checks_nothing_and_fails() {
        let mut g = Graph::new();
        g.input("a", 1.0);
        for graph in [Graph::new(), g] {
            let failure = check_local_gradients(&graph).unwrap_err();
            assert_eq!((failure.nodes, failure.failures.len()), (0, 0));
            assert_eq!(
                failure.to_string(),
                "scalar::check_local_gradients: the graph has no operation nodes, so no local \
                 gradient was checked; check a graph with at least one operation"
            );
        }
    }

    #[test]
    fn a_planted_local_gradient_is_checked_and_a_missing_one_refused() {
        // The exp node's rule replaced by one that returns its input.
        let mut g = Graph::new();
        let x = g.input("x", 0.5);
        let e = g.exp(x);
        let wrong = |op: Op, inputs: &[f64], output: f64| match op {
            Op::Exp => inputs.to_vec(),
            _ => op.local_gradients(inputs, output),
        };
        let failure = check_local_gradients_with(&g, wrong).unwrap_err();
        assert_eq!(failure.failures[0].node, e);
        assert!(
            failure.to_string().contains(
                "node 1 (label \"exp\"; f_1 = node 0 \"x\"): the exp operation (Exp) at inputs \
                 [5.0000000000e-1]"
            ),
            "{failure}"
        );
        let msg = panic_message(|| {
            _ = check_local_gradients_with(&g, |_, _, _| vec![])
        });
        assert_eq!(
            msg,
            "scalar::check_local_gradients: the exp operation (Exp) was given 0 local \
             gradients for 1 inputs; it needs one per input, or some input would go unchecked"
        );
    }

    #[test]
    fn a_wrong_local_gradient_is_named_with_its_operation_inputs_and_both_values(
    ) {
        // The reciprocal's gradient with its sign lost: +1/f² instead of -1/f².
        let f = 1.25;
        let err =
            compare_local_gradients(Op::Recip, &[f], 0.8, &[1.0 / (f * f)])
                .unwrap_err();
        assert_eq!((err.input, err.analytic, err.kink), (0, 0.64, None));
        assert!((err.numerical + 0.64).abs() < 1e-9, "{err:?}");
        assert!((err.relative_error - 2.0).abs() < 1e-9, "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.starts_with(
                "the reciprocal operation (Recip) at inputs [1.2500000000e0]"
            ),
            "{msg}"
        );
        assert!(
            msg.contains("∂g/∂f_1 is 6.4000000000e-1 by local_gradients"),
            "{msg}"
        );
        assert!(msg.contains("but -6.40000000"), "{msg}");
        assert!(
            msg.contains("(relative error 2.000e0 > 1e-7, h = 1e-5)"),
            "{msg}"
        );
        // The second input of a divide: -f_1/f_2² with the minus lost.
        let err =
            compare_local_gradients(Op::Div, &[3.0, 2.0], 1.5, &[0.5, 0.75])
                .unwrap_err();
        assert_eq!(err.input, 1);
        assert!(err.to_string().contains("∂g/∂f_2 is 7.5"), "{err}");
        // Max at a tie: the engine's [1, 0] lies between the one-sided slopes
        // (not compared, which fails), the centred [0.5, 0.5] agrees, 2 is
        // wrong.
        let tie = |locals: &[f64]| {
            compare_local_gradients(Op::Max, &[1.0, 1.0], 1.0, locals)
        };
        let not_compared = tie(&[1.0, 0.0]).unwrap_err();
        let (below, above) = not_compared.kink.expect("a kink");
        assert_eq!((not_compared.input, below), (0, 0.0));
        assert!((above - 1.0).abs() < 1e-9, "{not_compared:?}");
        assert_eq!(tie(&[0.5, 0.5]), Ok(()));
        let wrong = tie(&[2.0, 0.0]).unwrap_err();
        assert_eq!((wrong.input, wrong.kink), (0, None));
    }

    #[test]
    fn near_a_kink_only_slopes_between_the_one_sided_ones_are_excused() {
        // max(f_1, f_2) with f_2 above f_1 by half a step: within reach of
        // the kink. For f_2 the one-sided slopes are 1 (above) and
        // d/h = 0.5 (below), so any slope in [0.5, 1] is excused.
        let (h, d) = (gradcheck::H, gradcheck::H / 2.0);
        let (inputs, output) = ([1.0, 1.0 + d], 1.0 + d);
        // Both inputs sit within h of the kink. An excused value is not
        // compared, which fails too, naming the first such input; a wrong
        // value is named first wherever it is.
        let check = |locals: &[f64]| {
            compare_local_gradients(Op::Max, &inputs, output, locals)
        };
        let verdict = |locals: &[f64]| {
            check(locals).map_err(|e| (e.input, e.kink.is_some()))
        };
        assert_eq!(verdict(&[0.0, 1.0]), Err((0, true)));
        assert_eq!(verdict(&[0.0, 0.5]), Err((0, true)));
        assert_eq!(verdict(&[0.0, 0.25]), Err((1, false)));
        assert_eq!(verdict(&[0.75, 1.0]), Err((0, false)));
        // The slack beside that interval grows with the slopes: 1/f just
        // beside its pole has one-sided slopes near 4e10 and -1.3e10, and a
        // slope 2000 beyond the larger one is within TOLERANCE · 4e10.
        let f = h / 2.0;
        let below = (1.0 / f - 1.0 / (f - h)) / h;
        assert!(below > 3.9e10, "{below}");
        let recip = |a: f64| {
            compare_local_gradients(Op::Recip, &[f], 1.0 / f, &[a]).unwrap_err()
        };
        assert!(recip(below + 2e3).kink.is_some());
        assert!(recip(below + 8e3).kink.is_none());
    }

    #[test]
    fn differences_below_the_absolute_floor_are_excused_and_no_others() {
        // d(f_1 f_2)/df_1 = f_2 = 1e-12: a claimed 1.5e-12 is 50% off but
        // 5e-13 away, below the floor of 1e-10.
        let tiny = compare_local_gradients(
            Op::Mul,
            &[3.0, 1e-12],
            3e-12,
            &[1.5e-12, 3.0],
        );
        assert_eq!(tiny, Ok(()));
        // f_2 = 0: the numerical slope is exactly 0, and a claimed 1e-10
        // is exactly the floor away: not below it, so it fails.
        let at_floor = compare_local_gradients(
            Op::Mul,
            &[3.0, 0.0],
            0.0,
            &[gradcheck::ABSOLUTE_FLOOR, 3.0],
        );
        assert_eq!(at_floor.unwrap_err().input, 0);
    }

    #[test]
    fn a_graph_check_failure_names_the_node_and_its_label() {
        // ln of a negative number: the node's value is NaN, and the check
        // names that node rather than the nodes downstream of it.
        let mut g = Graph::new();
        let x = g.input("x", 2.0);
        let n = g.neg(x);
        let l = g.ln(n);
        let out = g.exp(l);
        let failure = check_local_gradients(&g).unwrap_err();
        assert_eq!(failure.nodes, 3);
        assert_eq!(failure.failures.len(), 2);
        let first = &failure.failures[0];
        assert_eq!(
            (first.node, first.label.as_str(), first.failure.op),
            (l, "ln", Op::Ln)
        );
        assert_eq!(first.inputs, [(n, "-x".to_string())]);
        assert_eq!(first.failure.inputs, [-2.0]);
        assert!(first.failure.relative_error.is_nan());
        assert_eq!(failure.failures[1].node, out);
        let msg = failure.to_string();
        let lines: Vec<&str> = msg.lines().collect();
        assert_eq!(
            lines[0],
            "scalar::check_local_gradients: 2 of 3 operation nodes have a wrong local gradient"
        );
        assert!(
            lines[1].starts_with(
                "  node 2 (label \"ln\"; f_1 = node 1 \"-x\"): the logarithm operation (Ln) \
                 at inputs [-2.0000000000e0]"
            ),
            "{msg}"
        );
        assert!(lines[1].ends_with("(a value is not finite)"), "{msg}");
        // The panicking form carries the same message.
        assert_eq!(panic_message(|| _ = assert_local_gradients(&g)), msg);
    }

    #[test]
    fn each_op_computes_its_value_and_label() {
        let mut g = Graph::new();
        let (a, b) = (g.input("a", 2.0), g.input("b", -0.5));
        let cases = [
            (g.add(a, b), 1.5, "+"),
            (g.mul(a, b), -1.0, "*"),
            (g.max(a, b), 2.0, "max"),
            (g.neg(a), -2.0, "-x"),
            (g.exp(b), (-0.5f64).exp(), "exp"),
            (g.add_const(a, 1.0), 3.0, "+1"),
            (g.add_const(a, -0.5), 1.5, "-0.5"),
            (g.recip(b), -2.0, "1/x"),
            (g.div(b, a), -0.25, "/"),
            (g.sqrt(a), 2f64.sqrt(), "sqrt"),
            (g.ln(a), 2f64.ln(), "ln"),
            (g.tanh(b), (-0.5f64).tanh(), "tanh"),
        ];
        for (v, value, label) in cases {
            assert_eq!(g.value(v), value);
            assert_eq!(g.node(v).label, label);
        }
        assert_eq!(g.node(a).label, "a");
        assert_eq!(g.node(a).op, Op::Input);
        assert_eq!(g.len(), 14);
        assert!(!g.is_empty() && Graph::new().is_empty());
    }

    fn diamond() -> (Graph, [Var; 5]) {
        // a = x*y; b = a + a; c = a*b = 2 x² y²
        let mut g = Graph::new();
        let (x, y) = (g.input("x", 2.0), g.input("y", 3.0));
        let a = g.mul(x, y);
        let b = g.add(a, a);
        let c = g.mul(a, b);
        (g, [x, y, a, b, c])
    }

    #[test]
    fn reused_node_collects_every_contribution() {
        let (mut g, [x, y, a, b, c]) = diamond();
        g.backward(c);
        assert_eq!(g.value(c), 72.0);
        assert_eq!(g.grad(b), 6.0); // a
        assert_eq!(g.grad(a), 24.0); // b + 2a: one path direct, two through b
        assert_eq!(g.grad(x), 72.0); // 4 x y²
        assert_eq!(g.grad(y), 48.0); // 4 x² y
    }

    #[test]
    fn backward_twice_gives_the_same_grads() {
        let (mut g, vars) = diamond();
        g.backward(vars[4]);
        let first: Vec<f64> = g.nodes().iter().map(|n| n.grad).collect();
        g.backward(vars[4]);
        let second: Vec<f64> = g.nodes().iter().map(|n| n.grad).collect();
        assert_eq!(first, second);
    }

    #[test]
    fn backward_from_another_output_clears_old_grads() {
        let (mut g, [x, _, a, _, c]) = diamond();
        g.backward(c);
        g.backward(a);
        assert_eq!(g.grad(c), 0.0);
        assert_eq!(g.grad(x), 3.0);
    }

    #[test]
    fn fan_out_example() {
        let mut g = Graph::new();
        let (x, y) = (g.input("x", 3.0), g.input("y", -4.0));
        let s = g.add(x, y);
        let q = g.mul(s, x);
        g.backward(q);
        assert_eq!((g.value(s), g.value(q)), (-1.0, -3.0));
        assert_eq!((g.grad(x), g.grad(y)), (2.0, 3.0));
    }

    #[test]
    fn topological_order_puts_inputs_first_and_skips_non_ancestors() {
        let (mut g, [x, y, a, b, c]) = diamond();
        let unrelated = g.neg(x);
        assert_eq!(g.topological_order(c), [x, y, a, b, c]);
        assert_eq!(g.topological_order(a), [x, y, a]);
        assert!(!g.topological_order(c).contains(&unrelated));
        let sig = sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X);
        let (n, out) = (&sig.graph, sig.out);
        let order = n.topological_order(out);
        assert_eq!(order.len(), n.len());
        for (pos, v) in order.iter().enumerate() {
            for input in &n.node(*v).inputs {
                assert!(order[..pos].contains(input), "{input:?} after {v:?}");
            }
        }
    }

    #[test]
    fn sigmoid_neuron_numbers() {
        // Every local gradient first, so that a wrong one is named here
        // rather than seen only as a wrong final gradient below.
        assert_local_gradients(
            &sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X).graph,
        );
        let s = sigmoid_neuron([2.0, -3.0, -3.0], [-1.0, -2.0]);
        assert_abs_diff_eq!(s.out, 0.7311, epsilon = 1e-4);
        let dw = [-0.1966, -0.3932, 0.1966];
        let dx = [0.3932, -0.5898];
        for (got, want) in s.dw.iter().zip(dw).chain(s.dx.iter().zip(dx)) {
            assert_abs_diff_eq!(*got, want, epsilon = 1e-4);
        }
    }

    #[test]
    fn sigmoid_neuron_matches_the_closed_form() {
        let (w, x) = ([0.3, -1.2, 0.8], [1.7, 0.4]);
        assert_local_gradients(&sigmoid_neuron_graph(w, x).graph);
        let s = sigmoid_neuron(w, x);
        let sigma = 1.0 / (1.0 + (-(w[0] * x[0] + w[1] * x[1] + w[2])).exp());
        let local = sigma * (1.0 - sigma);
        assert_abs_diff_eq!(s.out, sigma, epsilon = 1e-12);
        let dw = [local * x[0], local * x[1], local];
        let dx = [local * w[0], local * w[1]];
        for (got, want) in s.dw.iter().zip(dw).chain(s.dx.iter().zip(dx)) {
            assert_abs_diff_eq!(*got, want, epsilon = 1e-12);
        }
        let sig = sigmoid_neuron_graph(w, x);
        let (g, out) = (&sig.graph, sig.out);
        let labels: Vec<&str> =
            g.nodes().iter().map(|n| n.label.as_str()).collect();
        let expected = [
            "w0", "x0", "w1", "x1", "w2", "*", "*", "+", "+", "-x", "exp",
            "+1", "1/x",
        ];
        assert_eq!(labels, expected);
        assert_eq!(out, Var(g.len() - 1), "the output is the last node");
    }

    #[test]
    fn a_var_from_another_graph_panics_with_index_and_size() {
        let mut big = Graph::new();
        let far = (0..6).map(|i| big.input("v", i as f64)).last().unwrap();
        let mut small = Graph::new();
        let a = small.input("a", 1.0);
        small.input("b", 2.0);
        // Each way of handing a foreign Var to the graph: (graph, own, foreign).
        let uses: [fn(&mut Graph, Var, Var); 6] = [
            |g, a, far| _ = g.add(a, far),
            |g, _, far| _ = g.exp(far),
            |g, _, far| _ = g.value(far),
            |g, _, far| _ = g.grad(far),
            |g, _, far| _ = g.topological_order(far),
            |g, _, far| g.backward(far),
        ];
        for use_it in uses {
            let mut g = small.clone();
            let msg = panic_message(move || use_it(&mut g, a, far));
            assert!(msg.contains("Var(5) is out of range"), "{msg}");
            assert!(msg.contains("a graph with 2 nodes"), "{msg}");
            assert_eq!(Err(msg), small.try_node(far).map(|n| n.label.clone()));
        }
    }

    #[test]
    fn a_var_from_another_graph_is_named_exactly() {
        // The message every method that takes a Var panics with.
        let mut big = Graph::new();
        let far = (0..6).map(|i| big.input("v", i as f64)).last().unwrap();
        let mut small = Graph::new();
        let a = small.input("a", 1.0);
        let msg =
            "scalar::Graph: Var(5) is out of range for a graph with 1 node \
                   (was it made by another graph?)";
        assert_eq!(small.try_node(far).unwrap_err(), msg);
        assert_eq!(panic_message(|| _ = small.value(far)), msg);
        assert_eq!(small.try_node(a).unwrap().label, "a");
    }

    #[test]
    fn a_wrong_rule_in_the_neurons_exp_node_is_named_by_its_node() {
        // The exponential's local gradient written as its input f where e^f
        // belongs: the check names the exp node (the chapter's node 3, which
        // is Var(10) in creation order), the node that feeds it, and f = -1.
        let neuron = sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X);
        let exp_returns_its_input =
            |op: Op, inputs: &[f64], output: f64| match op {
                Op::Exp => inputs.to_vec(),
                _ => op.local_gradients(inputs, output),
            };
        let failure =
            check_local_gradients_with(&neuron.graph, exp_returns_its_input)
                .unwrap_err();
        assert_eq!(failure.failures.len(), 1);
        assert_eq!((failure.failures[0].node, neuron.e), (Var(10), Var(10)));
        let message = failure.to_string();
        let lines: Vec<&str> = message.lines().collect();
        assert_eq!(
            lines,
            [
                "scalar::check_local_gradients: 1 of 8 operation nodes have a wrong local gradient",
                "  node 10 (label \"exp\"; f_1 = node 9 \"-x\"): the exp operation (Exp) at inputs \
                 [-1.0000000000e0], output 3.6787944117e-1: ∂g/∂f_1 is -1.0000000000e0 by \
                 local_gradients but 3.6787944118e-1 by centred differences of the operation \
                 (relative error 1.368e0 > 1e-7, h = 1e-5)",
            ]
        );
        // One operation at one point: the reciprocal at node 1's input.
        let d = neuron.graph.value(neuron.d);
        assert_eq!(check_op(Op::Recip, &[d]), Ok(()));
    }

    #[test]
    fn wrong_number_of_inputs_panics_with_both_counts() {
        let msg = panic_message(|| {
            Op::Mul.local_gradients(&[1.0], 1.0);
        });
        assert!(msg.contains("Mul takes 2 inputs but was given 1"), "{msg}");
        let msg = panic_message(|| {
            Op::Input.apply(&[]);
        });
        assert!(msg.contains("an Input node has no formula"), "{msg}");
        let msg = panic_message(|| {
            _ = check_op(Op::Div, &[1.0]);
        });
        assert!(msg.contains("Div takes 2 inputs but was given 1"), "{msg}");
    }
}
