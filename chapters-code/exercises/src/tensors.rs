//! Exercises: Jacobians, from scalars to tensors
//! ([the chapter](../../../src/tensors.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{array, Array1, Array2};

/// **1. Where an entry lands in vec.** `vec(X)` stacks the columns
/// (samples) of a matrix `X` with `d` rows one after another. At which
/// position of `vec(X)`, counting from zero, does `X[[r, c]]` land?
///
/// Book: [exercise 1](../../../src/tensors.md#1-where-an-entry-lands-in-vec).
/// Check: `cargo run -p exercises -- check tensors::vec_position`
pub fn vec_position(r: usize, c: usize, d: usize) -> usize {
    todo!()
}

/// **2. How big a Jacobian gets.** A layer maps a minibatch `X` of shape
/// `(d, n)` to `Y` of shape `(m, n)`. How many entries does its Jacobian
/// `∂vec(Y)/∂vec(X)` have? (For 128 images of 784 pixels mapped to 256
/// features, how many bytes is that as `f64`?)
///
/// Book: [exercise 2](../../../src/tensors.md#2-how-big-a-jacobian-gets).
/// Check: `cargo run -p exercises -- check tensors::jacobian_entries`
pub fn jacobian_entries(d: u64, m: u64, n: u64) -> u64 {
    todo!()
}

/// **3. The Jacobian of neighbouring products.** Write down, by hand,
/// the Jacobian of `y_i = x_i x_{i+1}` at `x`: for `x` of length `d ≥ 2`,
/// `y` has length `d - 1` and the Jacobian has shape `(d - 1, d)`. For
/// `d = 3` that is `y = (x₁x₂, x₂x₃)`. The grader compares it with
/// `jacobian::numerical`.
///
/// Book: [exercise 3](../../../src/tensors.md#3-the-jacobian-of-neighbouring-products).
/// Check: `cargo run -p exercises -- check tensors::neighbour_products_jacobian`
pub fn neighbour_products_jacobian(x: &Array1<f64>) -> Array2<f64> {
    todo!()
}

/// **4. Neighbouring products without their Jacobian.** Return
/// `∂L/∂x = Jᵀ dy` for `y_i = x_i x_{i+1}`, without building `J`. Shapes:
/// `x` and the result have length `d`, `dy` has length `d - 1`.
///
/// Book: [exercise 4](../../../src/tensors.md#4-neighbouring-products-without-their-jacobian).
/// Check: `cargo run -p exercises -- check tensors::neighbour_products_backward`
pub fn neighbour_products_backward(
    x: &Array1<f64>,
    dy: &Array1<f64>,
) -> Array1<f64> {
    todo!()
}

/// **5. Find the bug: a missing transpose.** The backward pass of the
/// chapter's example `y = (x₁x₂, x₁ + 3x₂)`, whose Jacobian is
/// `J = [[x₂, x₁], [1, 3]]`, must return `Jᵀ dy`. At `x = (2, -1)` and
/// `dy = (-1, -2)` it should give `(-1, -8)`. Find the mistake and fix it.
///
/// Book: [exercise 5](../../../src/tensors.md#5-find-the-bug-a-missing-transpose).
/// Check: `cargo run -p exercises -- check tensors::example_backward`
pub fn example_backward(x: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    // Row j of the result: how every output moves with x_j, times dy.
    array![x[1] * dy[0] + x[0] * dy[1], dy[0] + 3.0 * dy[1]]
}

/// **6. The same gradient without the chain rule (optional).** With the
/// loss `L = y₁ y₂` of the chapter's example, `L = x₁ x₂ (x₁ + 3x₂)`.
/// Differentiate it directly and return `(∂L/∂x₁, ∂L/∂x₂)`; at `(2, -1)`
/// the chain rule gave `(-1, -8)`.
///
/// Book: [exercise 6](../../../src/tensors.md#6-the-same-gradient-without-the-chain-rule-optional).
/// Check: `cargo run -p exercises -- check tensors::product_loss_gradient`
pub fn product_loss_gradient(x: &Array1<f64>) -> Array1<f64> {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { tensors:
    vec_position => |m| {
        // The book's (3, 2) example first: X[[0, 1]] = 2 is at position 3.
        for (d, n) in [(3, 2), (2, 5), (4, 1), (1, 3)] {
            let x = Array2::from_shape_fn((d, n), |(r, c)| (10 * r + c) as f64);
            let vec = jacobian::vec(&x);
            for ((r, c), value) in x.indexed_iter() {
                let right = vec.iter().position(|e| e == value).unwrap();
                let p = m::vec_position(r, c, d);
                ensure(p == right, format!("X[[{r}, {c}]] of a ({d}, {n}) matrix is at position {right} of vec(X), not {p}"))?;
            }
        }
        Ok("every entry of four matrices lands where jacobian::vec puts it".to_string())
    };
    // A layer's Jacobian ∂vec(Y)/∂vec(X) is (m·n, d·n); the chapter's layer last.
    jacobian_entries => |m| {
        for (d, k, n) in [(1, 1, 1), (3, 2, 1), (2, 3, 4), (3, 1, 2), (784, 256, 128)] {
            let (got, want) = (m::jacobian_entries(d, k, n), (k * n) * (d * n));
            ensure(got == want, format!("(d, m, n) = ({d}, {k}, {n}): the Jacobian has shape ({}, {}), {want} entries, not {got}", k * n, d * n))?;
        }
        Ok("five Jacobians counted; 3,288,334,336 entries (26.3 GB) for the chapter's layer".to_string())
    };
    neighbour_products_jacobian => |m| {
        for x in [v(&[1.0, -2.0, 0.5]), random(2, 2), random(3, 3), random(4, 4), random(5, 5)] {
            let numerical = jacobian::numerical(neighbour_products, &x, 1e-5);
            let what = format!("the Jacobian at x = {x}, against jacobian::numerical");
            close_array(&what, &m::neighbour_products_jacobian(&x), &numerical, 1e-6)?;
        }
        Ok("[[-2, 1, 0], [0, 0.5, -2]] at (1, -2, 0.5); matches jacobian::numerical at 4 more points".to_string())
    };
    neighbour_products_backward => |m| {
        let stated = [&[1.0, -2.0, 0.5][..], &[0.3, -0.7], &[-0.6, -0.05, 1.4]];
        let (xs, f) = ([random(3, 1), random(5, 2)], m::neighbour_products_backward);
        backward_pass("neighbouring products", xs, neighbour_products, f, stated)
    };
    // The chapter's example y = (x1·x2, x1 + 3·x2), with L = y1·y2.
    example_backward => |m| {
        let stated = [&[2.0, -1.0][..], &[-1.0, -2.0], &[-1.0, -8.0]];
        let (xs, f) = ([v(&[2.0, -1.0]), random(2, 7)], m::example_backward);
        let y = |x: &Array1<f64>| array![x[0] * x[1], x[0] + 3.0 * x[1]];
        backward_pass("tensors example y = (x1·x2, x1 + 3·x2)", xs, y, f, stated)
    };
    product_loss_gradient => |m| {
        let loss = |x: &Array1<f64>| x[0] * x[1] * (x[0] + 3.0 * x[1]);
        let xs = [v(&[2.0, -1.0]), random(2, 1) * 2.0, random(2, 2) * 2.0, random(2, 3) * 2.0];
        let worst = gradients(loss, xs, m::product_loss_gradient)?;
        passed("(-1, -8) at (2, -1); gradient check at 3 random points", worst)
    };
}

/// `y_i = x_i x_{i+1}`.
fn neighbour_products(x: &Array1<f64>) -> Array1<f64> {
    &x.slice(ndarray::s![..x.len() - 1]) * &x.slice(ndarray::s![1..])
}
