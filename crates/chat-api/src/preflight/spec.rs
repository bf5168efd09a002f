//! The checks the generated `constraints.rs` calls: one per kind of spec
//! constraint, each adding a [`Finding`] when a value is outside its bounds.

use super::{Finding, Problem};

/// A number as the range checks compare it.
pub trait Number: Copy {
    /// The value as `f64` (an `i64` beyond 2^53 rounds, which no spec bound
    /// is close enough to notice).
    fn to_f64(self) -> f64;
}

impl Number for f64 {
    fn to_f64(self) -> f64 {
        self
    }
}

impl Number for u8 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Number for i64 {
    #[allow(clippy::cast_precision_loss)]
    fn to_f64(self) -> f64 {
        self as f64
    }
}

/// `minimum` / `maximum` (inclusive).
pub fn check_range<N: Number>(
    out: &mut Vec<Finding>,
    field: &'static str,
    value: Option<N>,
    minimum: Option<f64>,
    maximum: Option<f64>,
) {
    let Some(value) = value.map(Number::to_f64) else {
        return;
    };
    if minimum.is_some_and(|m| value < m) || maximum.is_some_and(|m| value > m) || value.is_nan() {
        out.push(Finding::spec(
            field,
            Problem::OutOfRange {
                value,
                minimum,
                maximum,
            },
        ));
    }
}

/// `minLength` / `maxLength`, in characters.
pub fn check_length(
    out: &mut Vec<Finding>,
    field: &'static str,
    value: Option<&str>,
    min: Option<u64>,
    max: Option<u64>,
) {
    let length = value.map(|s| s.chars().count());
    if let Some(length) = length.filter(|&n| outside(n, min, max)) {
        out.push(Finding::spec(field, Problem::Length { length, min, max }));
    }
}

/// `minItems` / `maxItems`.
pub fn check_items(
    out: &mut Vec<Finding>,
    field: &'static str,
    count: Option<usize>,
    min: Option<u64>,
    max: Option<u64>,
) {
    if let Some(count) = count.filter(|&n| outside(n, min, max)) {
        out.push(Finding::spec(field, Problem::ItemCount { count, min, max }));
    }
}

fn outside(n: usize, min: Option<u64>, max: Option<u64>) -> bool {
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m)
}
