//! The comparison's arithmetic, as DfE's LAIT does it: a group's mean leaves missing values out;
//! an authority's rank among all authorities puts the best first by the measure's polarity
//! (the largest first where it has none), ties taking the lowest rank; its quartile band A-D is
//! the quarter of that ranking it falls in, A always the best quarter (no band where the
//! measure has no polarity or DfE does not band it); its direction of travel compares the
//! latest value with the one before.

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    High,
    Low,
    None,
}

impl Polarity {
    pub fn of(stored: &str) -> Polarity {
        match stored {
            "high" => Polarity::High,
            "low" => Polarity::Low,
            _ => Polarity::None,
        }
    }
}

/// The mean of the values present; None when there are none.
pub fn mean(values: &[Option<f64>]) -> Option<f64> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
}

/// Whether `a` ranks ahead of `b`.
fn ahead(a: f64, b: f64, polarity: Polarity) -> bool {
    match polarity {
        Polarity::Low => a < b,
        Polarity::High | Polarity::None => a > b,
    }
}

/// The rank of `value` among `all` (which holds it), 1 the best; ties take the lowest rank.
pub fn rank(value: f64, all: &[f64], polarity: Polarity) -> usize {
    1 + all.iter().filter(|v| ahead(**v, value, polarity)).count()
}

/// The quartile band of a rank among `of` authorities: A the best quarter.
pub fn band(rank: usize, of: usize, polarity: Polarity, quartiles: bool) -> Option<char> {
    if polarity == Polarity::None || !quartiles || of == 0 || rank == 0 {
        return None;
    }
    // The quarter the rank falls in: ranks 1..=of/4 are A, and so on.
    let quarter = ((rank - 1) * 4) / of;
    Some(['A', 'B', 'C', 'D'][quarter.min(3)])
}

/// The direction of travel from `before` to `latest`.
pub fn direction(before: Option<f64>, latest: Option<f64>, polarity: Polarity) -> Option<&'static str> {
    let (b, l) = (before?, latest?);
    if (l - b).abs() < f64::EPSILON * b.abs().max(1.0) {
        return Some("no change");
    }
    Some(match polarity {
        Polarity::None => {
            if l > b {
                "increasing"
            } else {
                "decreasing"
            }
        }
        p => {
            if ahead(l, b, p) {
                "improving"
            } else {
                "worsening"
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mean_leaves_missing_values_out() {
        assert_eq!(mean(&[Some(1.0), None, Some(3.0)]), Some(2.0));
        assert_eq!(mean(&[None, None]), None);
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn ties_take_the_lowest_rank_and_polarity_decides_which_end_is_first() {
        let all = [5.0, 3.0, 3.0, 1.0];
        assert_eq!(rank(5.0, &all, Polarity::High), 1);
        assert_eq!(rank(3.0, &all, Polarity::High), 2, "both 3s are second");
        assert_eq!(rank(1.0, &all, Polarity::High), 4);
        assert_eq!(rank(1.0, &all, Polarity::Low), 1);
        assert_eq!(rank(3.0, &all, Polarity::Low), 2);
        assert_eq!(rank(5.0, &all, Polarity::None), 1, "with no polarity the largest is first");
    }

    #[test]
    fn a_is_always_the_best_quarter_and_some_measures_have_no_band() {
        // 152 authorities: ranks 1-38 A, 39-76 B, 77-114 C, 115-152 D.
        assert_eq!(band(1, 152, Polarity::High, true), Some('A'));
        assert_eq!(band(38, 152, Polarity::Low, true), Some('A'));
        assert_eq!(band(39, 152, Polarity::High, true), Some('B'));
        assert_eq!(band(114, 152, Polarity::High, true), Some('C'));
        assert_eq!(band(152, 152, Polarity::High, true), Some('D'));
        assert_eq!(band(1, 152, Polarity::None, true), None, "no polarity, no band");
        assert_eq!(band(1, 152, Polarity::High, false), None, "DfE does not band it");
    }

    #[test]
    fn the_direction_of_travel_reads_polarity() {
        assert_eq!(direction(Some(10.0), Some(12.0), Polarity::High), Some("improving"));
        assert_eq!(direction(Some(10.0), Some(12.0), Polarity::Low), Some("worsening"));
        assert_eq!(direction(Some(10.0), Some(8.0), Polarity::None), Some("decreasing"));
        assert_eq!(direction(Some(10.0), Some(10.0), Polarity::High), Some("no change"));
        assert_eq!(direction(None, Some(10.0), Polarity::High), None, "nothing to compare with");
    }
}
