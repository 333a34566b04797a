//! Statistical disclosure control (SDC) applied to a trust's own local indicator values before they are
//! shared with other trusts.
//!
//! The conventions are the Government Statistical Service's, as DfE applies them in its children's
//! social care statistics:
//!
//! - a count from 1 to 5 is suppressed and shown as `c` (primary suppression); 0 is published, because
//!   saying that nobody is in a group identifies nobody;
//! - a rate or percentage is `c` whenever its numerator is;
//! - further cells are suppressed (secondary suppression) so that no `c` can be worked back out from
//!   published totals, from several breakdowns of one total, or from one count banded two ways;
//! - symbols: `c` confidential, `z` not applicable, `x` not available, `low` rounds to zero but is not zero.
//!
//! # Who the attacker is and when a table is safe
//!
//! The attacker knows how the table is built (each cell counts a union of "atoms", such as single
//! years of age or the inner cells of a two-way table), every published value, that counts are whole
//! numbers of at least 0 and, because this module never suppresses a zero, that every `c` is at least 1.
//! The protector accepts a pattern only when, for that attacker:
//!
//! 1. no suppressed cell is a linear combination of published cells (exact elimination), and no
//!    suppressed cell's feasible range is a single value;
//! 2. every primary cell (1 to 5) can be as large as 6 or more, so the figures do not even reveal that
//!    the count is a small one;
//! 3. rule 2 also covers each "sliver" that two overlapping bandings cut each other into, such as ages
//!    10-11 from a trust's band 5-11 less the common band 5-9, when its true value is 1 to 5.
//!
//! Feasible ranges come from linear programming over the pieces. The tables built here (one-way,
//! two-way with margins, bandings of consecutive ages) have network or interval constraint matrices,
//! whose linear-programming optima are whole numbers, so the range found is the attacker's best (the
//! tests confirm this against an exhaustive search).

use std::collections::BTreeMap;
use std::fmt;

/// The largest count that primary suppression hides; counts from 1 up to this are shown as `c`.
pub const THRESHOLD: u64 = 5;

/// The oldest age covered by the common banding. Care leavers (18 to 25) are deliberately left out to
/// keep the banding to children: their figures are few enough to share as one group, unbanded.
pub const MAX_AGE: u8 = 17;

/// An inclusive range of whole years of age.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeBand {
    pub from: u8,
    pub to: u8,
}

impl AgeBand {
    pub const fn new(from: u8, to: u8) -> Self {
        Self { from, to }
    }

    /// A band of one year, for counts held by single year of age.
    pub const fn year(age: u8) -> Self {
        Self { from: age, to: age }
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.from, self.to)
    }
}

/// The common banding in which every trust's local data is shared: 0-4, 5-9, 10-15 and 16-17.
///
/// These are DfE's age groups for children in need and children looked after, with "under 1" and
/// "1 to 4" merged because under-1 counts are often small at trust level, so shared figures still line
/// up with national statistics. Shared data is always re-banded into these from single years or from bands that nest
/// inside them; it is never shared in one trust's own bands, because two trusts' overlapping bands
/// could be differenced to reveal small slivers.
pub const COMMON_BANDS: [AgeBand; 4] =
    [AgeBand::new(0, 4), AgeBand::new(5, 9), AgeBand::new(10, 15), AgeBand::new(16, 17)];

/// Why a banding or a table could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SdcError {
    /// The band crosses the boundary between two common bands, so its children cannot be placed.
    Straddles { band: AgeBand, below: AgeBand, above: AgeBand },
    /// The band runs backwards or beyond the ages covered.
    OutOfRange { band: AgeBand },
    /// Two bands both count children of this age.
    Overlap { band: AgeBand, age: u8 },
    /// No band counts children of this age.
    Gap { age: u8 },
    /// The counts do not fit the table's shape.
    #[cfg(test)]
    Shape { expected: usize, found: usize },
}

impl fmt::Display for SdcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Straddles { band, below, above } => write!(
                f,
                "age band {band} straddles the boundary between common bands {below} and {above}; supply single \
                 years of age or bands that fit inside one common band"
            ),
            Self::OutOfRange { band } => write!(f, "age band {band} is empty or lies outside the ages covered"),
            Self::Overlap { band, age } => write!(f, "age band {band} counts age {age} a second time"),
            Self::Gap { age } => write!(f, "no age band covers age {age}"),
            #[cfg(test)]
            Self::Shape { expected, found } => write!(f, "expected {expected} counts but found {found}"),
        }
    }
}

impl std::error::Error for SdcError {}

/// Checks that `bands` cover ages `0..ages` exactly once each.
fn check_partition(bands: &[AgeBand], ages: usize) -> Result<(), SdcError> {
    let mut covered = vec![false; ages];
    for &band in bands {
        if band.from > band.to || usize::from(band.to) >= ages {
            return Err(SdcError::OutOfRange { band });
        }
        for age in band.from..=band.to {
            let seen = &mut covered[usize::from(age)];
            if *seen {
                return Err(SdcError::Overlap { band, age });
            }
            *seen = true;
        }
    }
    match covered.iter().position(|c| !c) {
        Some(age) => Err(SdcError::Gap { age: u8::try_from(age).unwrap_or(u8::MAX) }),
        None => Ok(()),
    }
}

/// Re-bands counts held by single year of age, or by bands that nest inside the common bands, into
/// [`COMMON_BANDS`]. Refuses a band that straddles a common boundary (its children cannot be split
/// without guessing), and source bands that overlap or leave an age uncovered.
pub fn reband(source: &[(AgeBand, u64)]) -> Result<[u64; 4], SdcError> {
    let mut out = [0; 4];
    for &(band, count) in source {
        if band.from > band.to || band.to > MAX_AGE {
            return Err(SdcError::OutOfRange { band });
        }
        if let Some(i) = COMMON_BANDS.iter().position(|c| c.from <= band.from && band.from <= c.to) {
            let common = COMMON_BANDS[i];
            if band.to > common.to {
                let above = COMMON_BANDS.get(i + 1).copied().unwrap_or(common);
                return Err(SdcError::Straddles { band, below: common, above });
            }
            out[i] += count;
        }
    }
    let bands: Vec<AgeBand> = source.iter().map(|(band, _)| *band).collect();
    check_partition(&bands, usize::from(MAX_AGE) + 1)?;
    Ok(out)
}

/// Index of a cell in a [`Table`] and in the [`Published`] result.
pub type CellId = usize;

#[derive(Clone, Debug)]
struct Cell {
    label: String,
    atoms: Vec<usize>,
    value: u64,
}

/// Counts to be published together, each the sum of some underlying atoms (single years of age, or
/// the inner cells of a two-way table). Everything the attacker can combine must be in one table.
#[derive(Clone, Debug)]
pub struct Table {
    atoms: Vec<u64>,
    cells: Vec<Cell>,
    relations: Vec<Vec<(CellId, i64)>>,
}

impl Table {
    fn new(atoms: Vec<u64>) -> Self {
        Self { atoms, cells: Vec::new(), relations: Vec::new() }
    }

    /// Adds a cell, or returns the existing one that counts the same atoms: the same figure shown twice
    /// is one cell for disclosure purposes.
    fn add_cell(&mut self, label: String, mut atoms: Vec<usize>) -> CellId {
        atoms.sort_unstable();
        atoms.dedup();
        if let Some(id) = self.cells.iter().position(|c| c.atoms == atoms) {
            self.cells[id].label = format!("{} = {label}", self.cells[id].label);
            return id;
        }
        let value = atoms.iter().filter_map(|&a| self.atoms.get(a)).sum();
        self.cells.push(Cell { label, atoms, value });
        self.cells.len() - 1
    }

    /// Records the published relation sum(left) = sum(right); cells on both sides cancel.
    fn relate(&mut self, left: &[CellId], right: &[CellId]) {
        let mut terms: BTreeMap<CellId, i64> = BTreeMap::new();
        left.iter().for_each(|&c| *terms.entry(c).or_default() += 1);
        right.iter().for_each(|&c| *terms.entry(c).or_default() -= 1);
        let terms: Vec<(CellId, i64)> = terms.into_iter().filter(|&(_, k)| k != 0).collect();
        if !terms.is_empty() {
            self.relations.push(terms);
        }
    }

    /// A one-way breakdown and its total (labelled "Total", the last cell).
    pub fn one_way(parts: &[(&str, u64)]) -> Self {
        let mut table = Self::new(parts.iter().map(|&(_, v)| v).collect());
        let ids: Vec<CellId> =
            parts.iter().enumerate().map(|(i, &(l, _))| table.add_cell(l.to_string(), vec![i])).collect();
        let total = table.add_cell("Total".to_string(), (0..parts.len()).collect());
        table.relate(&[total], &ids);
        table
    }

    /// A two-way table with row totals, column totals and the grand total; `counts` is row by row.
    /// Cells are labelled "row / column", with "Total" for a margin. (The platform shares no second
    /// breakdown yet, as no trust holds counts by age and sex; the adversary tests it.)
    #[cfg(test)]
    pub fn two_way(rows: &[&str], cols: &[&str], counts: &[u64]) -> Result<Self, SdcError> {
        let (nr, nc) = (rows.len(), cols.len());
        if counts.len() != nr * nc {
            return Err(SdcError::Shape { expected: nr * nc, found: counts.len() });
        }
        let mut table = Self::new(counts.to_vec());
        let mut inner = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, col) in cols.iter().enumerate() {
                inner.push(table.add_cell(format!("{row} / {col}"), vec![r * nc + c]));
            }
        }
        let mut row_totals = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let id = table.add_cell(format!("{row} / Total"), (r * nc..(r + 1) * nc).collect());
            table.relate(&[id], &inner[r * nc..(r + 1) * nc]);
            row_totals.push(id);
        }
        let mut col_totals = Vec::new();
        for (c, col) in cols.iter().enumerate() {
            let id = table.add_cell(format!("Total / {col}"), (0..nr).map(|r| r * nc + c).collect());
            let members: Vec<CellId> = (0..nr).map(|r| inner[r * nc + c]).collect();
            table.relate(&[id], &members);
            col_totals.push(id);
        }
        let grand = table.add_cell("Total".to_string(), (0..nr * nc).collect());
        table.relate(&[grand], &row_totals);
        table.relate(&[grand], &col_totals);
        Ok(table)
    }

    /// The same single-year counts (index = age) banded two ways, e.g. a trust's own bands and the
    /// common bands, with the shared total. Each banding is named and must cover every age once.
    pub fn two_bandings(
        counts: &[u64],
        first: (&str, &[AgeBand]),
        second: (&str, &[AgeBand]),
    ) -> Result<Self, SdcError> {
        check_partition(first.1, counts.len())?;
        check_partition(second.1, counts.len())?;
        let mut table = Self::new(counts.to_vec());
        let total = table.add_cell("Total".to_string(), (0..counts.len()).collect());
        let mut ids = [Vec::new(), Vec::new()];
        for (side, (name, bands)) in [first, second].into_iter().enumerate() {
            for band in bands {
                let atoms = (usize::from(band.from)..=usize::from(band.to)).collect();
                ids[side].push((band.from, table.add_cell(format!("{name} {band}"), atoms)));
            }
            let all: Vec<CellId> = ids[side].iter().map(|&(_, id)| id).collect();
            table.relate(&[total], &all);
        }
        // Where both bandings start a band at the same age, the bands between two such ages add up
        // to the same children in each banding: those blocks are what an attacker can difference.
        let starts = |side: &[(u8, CellId)]| side.iter().map(|&(s, _)| s).collect::<Vec<u8>>();
        let (a, b) = (starts(&ids[0]), starts(&ids[1]));
        let mut aligned: Vec<u8> = a.iter().copied().filter(|s| b.contains(s)).collect();
        aligned.sort_unstable();
        if aligned.len() > 1 {
            let end = u8::try_from(counts.len()).unwrap_or(u8::MAX);
            let bounds: Vec<u8> = aligned.iter().copied().chain([end]).collect();
            for w in bounds.windows(2) {
                let block = |side: &[(u8, CellId)]| {
                    side.iter().filter(|&&(s, _)| w[0] <= s && s < w[1]).map(|&(_, id)| id).collect::<Vec<_>>()
                };
                table.relate(&block(&ids[0]), &block(&ids[1]));
            }
        }
        Ok(table)
    }

    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    #[cfg(test)]
    /// The cell's label, or "" for an unknown cell.
    pub fn label(&self, cell: CellId) -> &str {
        self.cells.get(cell).map_or("", |c| c.label.as_str())
    }

    #[cfg(test)]
    /// The true (unprotected) value of the cell.
    pub fn value(&self, cell: CellId) -> Option<u64> {
        self.cells.get(cell).map(|c| c.value)
    }

    #[cfg(test)]
    pub fn cell_id(&self, label: &str) -> Option<CellId> {
        self.cells.iter().position(|c| c.label == label)
    }

    /// The atoms (e.g. single years of age) the cell adds up.
    pub fn atoms_of(&self, cell: CellId) -> &[usize] {
        self.cells.get(cell).map_or(&[], |c| c.atoms.as_slice())
    }

    #[cfg(test)]
    pub fn atom_count(&self) -> usize {
        self.atoms.len()
    }

    #[cfg(test)]
    /// The published relations between cells, each meaning sum(coefficient × cell) = 0.
    pub fn relations(&self) -> &[Vec<(CellId, i64)>] {
        &self.relations
    }
}

/// A value as shown to other trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    Count(u64),
    /// A rate held as its value × 10^dps, rounded half away from zero, so display never re-rounds.
    Rate {
        scaled: u64,
        dps: u32,
    },
    /// `c`: suppressed to protect confidentiality.
    Suppressed,
    /// `z`: not applicable (for example a rate whose denominator is zero).
    NotApplicable,
    /// `x`: not available (not collected, or missing).
    Unavailable,
    /// `low`: not zero, but rounds to zero at the published precision.
    Low,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count(n) => write!(f, "{n}"),
            Self::Rate { scaled, dps: 0 } => write!(f, "{scaled}"),
            Self::Rate { scaled, dps } => {
                let Some(unit) = 10u64.checked_pow(*dps) else { return f.write_str("x") };
                write!(f, "{}.{:0width$}", scaled / unit, scaled % unit, width = *dps as usize)
            }
            Self::Suppressed => f.write_str("c"),
            Self::NotApplicable => f.write_str("z"),
            Self::Unavailable => f.write_str("x"),
            Self::Low => f.write_str("low"),
        }
    }
}

/// A rate per `per` (100 for a percentage, 10,000 for DfE's rates per 10,000 children) rounded to `dps`
/// decimal places. The numerator's suppression carries over (`c`), since a rate with a known
/// denominator gives the count back. A missing denominator or numerator gives `x`; a zero denominator
/// gives `z`; a numerator that is itself a rate or `low` is not a count, so the result is `x`.
pub fn rate(numerator: &Shown, denominator: Option<u64>, per: u64, dps: u32) -> Shown {
    let Some(denominator) = denominator else { return Shown::Unavailable };
    match numerator {
        Shown::Unavailable => Shown::Unavailable,
        _ if denominator == 0 => Shown::NotApplicable,
        Shown::Suppressed => Shown::Suppressed,
        Shown::NotApplicable => Shown::NotApplicable,
        Shown::Count(0) => Shown::Rate { scaled: 0, dps },
        // Too large to hold is as good as unavailable; it cannot arise from real counts.
        Shown::Count(n) => match scale(*n, denominator, per, dps) {
            Some(0) => Shown::Low,
            Some(scaled) => Shown::Rate { scaled, dps },
            None => Shown::Unavailable,
        },
        Shown::Rate { .. } | Shown::Low => Shown::Unavailable,
    }
}

/// n × per / d × 10^dps, rounded half up in whole-number arithmetic so that no rate is misrounded.
fn scale(n: u64, d: u64, per: u64, dps: u32) -> Option<u64> {
    let unit = u128::from(10u64.checked_pow(dps)?);
    let twice = (2 * u128::from(n)).checked_mul(u128::from(per))?.checked_mul(unit)?;
    u64::try_from((twice + u128::from(d)) / (2 * u128::from(d))).ok()
}

/// The protected table: what other trusts see, and how much the suppression cost.
#[derive(Clone, Debug)]
pub struct Published {
    cells: Vec<(String, Shown)>,
    /// Cells hidden because they are 1 to 5.
    pub primary: usize,
    /// Further cells hidden so the primary ones cannot be worked out.
    pub secondary: usize,
    /// The sum of the counts hidden by secondary suppression, a measure of the information lost.
    pub secondary_total: u64,
}

impl Published {
    #[cfg(test)]
    /// The cell as shown: a number or `c`; `x` for a cell the table does not have.
    pub fn shown(&self, cell: CellId) -> String {
        self.cells.get(cell).map_or_else(|| Shown::Unavailable.to_string(), |(_, s)| s.to_string())
    }

    pub fn value(&self, cell: CellId) -> Option<&Shown> {
        self.cells.get(cell).map(|(_, s)| s)
    }

    #[cfg(test)]
    /// Every cell's label and shown value, in table order.
    pub fn cells(&self) -> impl Iterator<Item = (&str, &Shown)> {
        self.cells.iter().map(|(l, s)| (l.as_str(), s))
    }
}

/// Applies primary suppression (1 to 5) and then secondary suppression until the attacker described in
/// the module documentation can neither recover a suppressed cell nor bound a small count below 6.
///
/// Secondary cells are chosen greedily: for the first unsafe cell, a linear programme finds the
/// cheapest alternative table consistent with what is published in which that cell is large enough,
/// weighting each published cell's change by its value (so small cells are preferred), and the cells
/// that alternative changes are suppressed. Zeros are never suppressed: hiding a zero adds no
/// uncertainty (nothing can move out of it), and a hidden zero next to a small cell would leave the
/// attacker a sum that confines the small cell. Finally each secondary cell, largest first, is
/// published again if the table stays safe without hiding it.
pub fn protect(table: &Table) -> Published {
    let model = Model::new(table);
    let primary: Vec<bool> = table.cells.iter().map(|c| (1..=THRESHOLD).contains(&c.value)).collect();
    let mut hidden = primary.clone();
    for _ in 0..=table.cells.len() {
        let Some(target) = model.violation(&hidden) else { break };
        let mut chosen = model.alternative(target, &hidden);
        chosen.retain(|&id| !hidden[id] && table.cells[id].value > 0);
        if chosen.is_empty() {
            chosen.extend(model.fallback(target, &hidden));
        }
        if chosen.is_empty() {
            break;
        }
        chosen.into_iter().for_each(|id| hidden[id] = true);
    }
    let mut secondaries: Vec<CellId> = (0..hidden.len()).filter(|&id| hidden[id] && !primary[id]).collect();
    secondaries.sort_by_key(|&id| std::cmp::Reverse(table.cells[id].value));
    for id in secondaries {
        hidden[id] = false;
        if model.violation(&hidden).is_some() {
            hidden[id] = true;
        }
    }
    let cells = table.cells.iter().zip(&hidden);
    let is_secondary = |id: usize| hidden[id] && !primary[id];
    Published {
        cells: cells
            .map(|(c, &h)| (c.label.clone(), if h { Shown::Suppressed } else { Shown::Count(c.value) }))
            .collect(),
        primary: primary.iter().filter(|&&p| p).count(),
        secondary: (0..hidden.len()).filter(|&id| is_secondary(id)).count(),
        secondary_total: (0..hidden.len()).filter(|&id| is_secondary(id)).map(|id| table.cells[id].value).sum(),
    }
}

/// Something the attacker must not pin down: a suppressed cell, or a small sliver (a class of atoms).
#[derive(Clone, Copy, Debug)]
enum Target {
    Cell(CellId),
    Sliver(usize),
}

/// The table as the attacker sees it. Atoms that every cell either wholly contains or wholly excludes
/// are merged into one class: the attacker can never tell them apart, and fewer unknowns keep the
/// linear programmes small.
struct Model {
    cells: Vec<Vec<usize>>,
    values: Vec<u64>,
    classes: Vec<u64>,
    slivers: Vec<usize>,
}

impl Model {
    fn new(table: &Table) -> Self {
        let mut signature: Vec<Vec<CellId>> = vec![Vec::new(); table.atoms.len()];
        for (id, cell) in table.cells.iter().enumerate() {
            cell.atoms.iter().for_each(|&a| signature[a].push(id));
        }
        let (mut index, mut classes, mut class_of) = (BTreeMap::new(), Vec::new(), vec![None; table.atoms.len()]);
        for (atom, sig) in signature.into_iter().enumerate() {
            if !sig.is_empty() {
                let next = index.len();
                let k = *index.entry(sig).or_insert(next);
                if k == classes.len() {
                    classes.push(0);
                }
                classes[k] += table.atoms[atom];
                class_of[atom] = Some(k);
            }
        }
        let cells: Vec<Vec<usize>> = table
            .cells
            .iter()
            .map(|c| {
                let mut ks: Vec<usize> = c.atoms.iter().filter_map(|&a| class_of[a]).collect();
                ks.sort_unstable();
                ks.dedup();
                ks
            })
            .collect();
        let slivers = (0..classes.len())
            .filter(|&k| (1..=THRESHOLD).contains(&classes[k]) && !cells.iter().any(|c| c.as_slice() == [k]))
            .collect();
        Self { cells, values: table.cells.iter().map(|c| c.value).collect(), classes, slivers }
    }

    fn classes_of(&self, target: Target) -> Vec<usize> {
        match target {
            Target::Cell(id) => self.cells[id].clone(),
            Target::Sliver(k) => vec![k],
        }
    }

    fn value_of(&self, target: Target) -> u64 {
        match target {
            Target::Cell(id) => self.values[id],
            Target::Sliver(k) => self.classes[k],
        }
    }

    /// Small counts (primary cells and small slivers) must reach 6; any other hidden cell must at least
    /// be able to move, and the protector asks for one more than its value.
    fn goal(&self, target: Target) -> u64 {
        let value = self.value_of(target);
        if value <= THRESHOLD { THRESHOLD + 1 } else { value + 1 }
    }

    /// The first target that the attacker can pin down or bound below 6, or `None` if the pattern is safe.
    fn violation(&self, hidden: &[bool]) -> Option<Target> {
        let rows = (0..self.cells.len()).filter(|&id| !hidden[id]).map(|id| self.indicator(&self.cells[id]));
        let basis = echelon(rows);
        let known = self.peel(hidden);
        let cells = (0..self.cells.len()).filter(|&id| hidden[id]);
        let small = cells.clone().filter(|&id| self.values[id] <= THRESHOLD).map(Target::Cell);
        let others = cells.filter(|&id| self.values[id] > THRESHOLD).map(Target::Cell);
        let mut targets = small.chain(self.slivers.iter().map(|&k| Target::Sliver(k))).chain(others);
        targets.find(|&target| {
            let classes = self.classes_of(target);
            if reduce(&basis, self.indicator(&classes)).is_none() {
                return true;
            }
            let value = self.value_of(target) as f64;
            let Some(high) = self.extreme(hidden, &known, &classes, true) else { return true };
            if high + 0.5 >= self.goal(target) as f64 {
                return false;
            }
            if self.value_of(target) <= THRESHOLD {
                return true;
            }
            // A large hidden cell only needs some freedom: downwards will do.
            self.extreme(hidden, &known, &classes, false).is_none_or(|low| low > value - 0.5)
        })
    }

    fn indicator(&self, classes: &[usize]) -> Vec<i128> {
        let mut row = vec![0; self.classes.len()];
        classes.iter().for_each(|&k| row[k] = 1);
        row
    }

    /// Classes the published cells fix outright (a zero cell, or a cell with one unknown class left),
    /// so the linear programmes only carry the real unknowns.
    fn peel(&self, hidden: &[bool]) -> Vec<Option<u64>> {
        let mut known = vec![None; self.classes.len()];
        let mut changed = true;
        while changed {
            changed = false;
            for (id, classes) in self.cells.iter().enumerate().filter(|&(id, _)| !hidden[id]) {
                let unknown: Vec<usize> = classes.iter().copied().filter(|&k| known[k].is_none()).collect();
                let rest: u64 = classes.iter().filter_map(|&k| known[k]).sum();
                if self.values[id] == 0 || unknown.len() == 1 {
                    unknown.iter().for_each(|&k| known[k] = Some(self.values[id].saturating_sub(rest)));
                    changed |= !unknown.is_empty();
                }
            }
        }
        known
    }

    /// The largest (or smallest) value of the sum of `target` classes consistent with the published
    /// values; infinity when unbounded, `None` if the solver fails (the caller then assumes the worst).
    fn extreme(&self, hidden: &[bool], known: &[Option<u64>], target: &[usize], maximise: bool) -> Option<f64> {
        let mut column = vec![None; known.len()];
        let mut vars = 0;
        for (k, value) in known.iter().enumerate() {
            if value.is_none() {
                column[k] = Some(vars);
                vars += 1;
            }
        }
        let split = |classes: &[usize]| {
            let terms: Vec<(usize, f64)> = classes.iter().filter_map(|&k| column[k]).map(|j| (j, 1.0)).collect();
            (terms, classes.iter().filter_map(|&k| known[k]).sum::<u64>() as f64)
        };
        let mut rows = Vec::new();
        for (id, classes) in self.cells.iter().enumerate() {
            let (terms, fixed) = split(classes);
            if terms.is_empty() {
                continue;
            }
            if !hidden[id] {
                rows.push(Constraint { terms, at_least: false, rhs: self.values[id] as f64 - fixed });
            } else if fixed < 1.0 {
                rows.push(Constraint { terms, at_least: true, rhs: 1.0 - fixed });
            }
        }
        let (objective, fixed) = split(target);
        let sign = if maximise { 1.0 } else { -1.0 };
        let objective: Vec<(usize, f64)> = objective.into_iter().map(|(j, c)| (j, sign * c)).collect();
        lp_maximise(vars, &objective, &rows).map(|(best, _)| fixed + sign * best)
    }

    /// The cells to hide so that `target` can reach its goal: those changed by the cheapest alternative
    /// table in which it does, where changing a published cell by d costs d × its value.
    fn alternative(&self, target: Target, hidden: &[bool]) -> Vec<CellId> {
        let mut vars = self.classes.len();
        let mut rows = Vec::new();
        let mut objective = Vec::new();
        let mut moves = Vec::new();
        for (id, classes) in self.cells.iter().enumerate() {
            let terms: Vec<(usize, f64)> = classes.iter().map(|&k| (k, 1.0)).collect();
            if hidden[id] {
                rows.push(Constraint { terms, at_least: true, rhs: 1.0 });
            } else if self.values[id] == 0 {
                rows.push(Constraint { terms, at_least: false, rhs: 0.0 });
            } else {
                let weight = self.values[id] as f64;
                let mut terms = terms;
                terms.extend([(vars, -1.0), (vars + 1, 1.0)]);
                objective.extend([(vars, -weight), (vars + 1, -weight)]);
                moves.push((id, vars));
                vars += 2;
                rows.push(Constraint { terms, at_least: false, rhs: self.values[id] as f64 });
            }
        }
        let terms = self.classes_of(target).into_iter().map(|k| (k, 1.0)).collect();
        rows.push(Constraint { terms, at_least: true, rhs: self.goal(target) as f64 });
        let Some((_, x)) = lp_maximise(vars, &objective, &rows) else { return Vec::new() };
        moves
            .into_iter()
            .filter(|&(_, j)| x.get(j).zip(x.get(j + 1)).is_some_and(|(p, n)| p + n > 1e-6))
            .map(|(id, _)| id)
            .collect()
    }

    /// If the linear programme fails to help, hide the smallest non-zero published cell overlapping the
    /// target, or failing that any; with every non-zero cell hidden nothing can be pinned, so this ends.
    fn fallback(&self, target: Target, hidden: &[bool]) -> Option<CellId> {
        let classes = self.classes_of(target);
        let candidates = (0..self.cells.len()).filter(|&id| !hidden[id] && self.values[id] > 0);
        let overlapping = candidates.clone().filter(|&id| self.cells[id].iter().any(|k| classes.contains(k)));
        overlapping.min_by_key(|&id| self.values[id]).or_else(|| candidates.min_by_key(|&id| self.values[id]))
    }
}

/// Reduces `v` against an echelon basis in exact integer arithmetic (fraction-free, kept small by
/// dividing out common factors); `None` means `v` lies in the span, i.e. is recoverable exactly.
fn reduce(basis: &[(usize, Vec<i128>)], mut v: Vec<i128>) -> Option<(usize, Vec<i128>)> {
    for (pivot, row) in basis {
        let factor = v[*pivot];
        if factor != 0 {
            let p = row[*pivot];
            v.iter_mut().zip(row).for_each(|(x, y)| *x = *x * p - factor * y);
            let g = v.iter().fold(0, |g, &x| gcd(g, x.abs()));
            if g > 1 {
                v.iter_mut().for_each(|x| *x /= g);
            }
        }
    }
    v.iter().position(|&x| x != 0).map(|pivot| (pivot, v))
}

fn echelon(rows: impl Iterator<Item = Vec<i128>>) -> Vec<(usize, Vec<i128>)> {
    let mut basis = Vec::new();
    for row in rows {
        if let Some(reduced) = reduce(&basis, row) {
            basis.push(reduced);
        }
    }
    basis
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// `terms · x = rhs`, or `≥ rhs` when `at_least`.
struct Constraint {
    terms: Vec<(usize, f64)>,
    at_least: bool,
    rhs: f64,
}

const EPS: f64 = 1e-9;

/// Maximises `objective · x` over `x ≥ 0` subject to `rows`, by the two-phase simplex method with
/// Bland's rule (which cannot cycle). Returns the optimum and a solution, `f64::INFINITY` when
/// unbounded, and `None` when infeasible or when the iteration cap is hit.
fn lp_maximise(vars: usize, objective: &[(usize, f64)], rows: &[Constraint]) -> Option<(f64, Vec<f64>)> {
    let surplus = rows.iter().filter(|r| r.at_least).count();
    let artificial = vars + surplus;
    let width = artificial + rows.len();
    let mut t = vec![vec![0.0; width + 1]; rows.len()];
    let mut next_surplus = vars;
    for (i, (row, line)) in rows.iter().zip(t.iter_mut()).enumerate() {
        row.terms.iter().for_each(|&(j, a)| line[j] += a);
        if row.at_least {
            line[next_surplus] = -1.0;
            next_surplus += 1;
        }
        line[width] = row.rhs;
        if row.rhs < 0.0 {
            line.iter_mut().for_each(|x| *x = -*x);
        }
        line[artificial + i] = 1.0;
    }
    let mut basis: Vec<usize> = (artificial..width).collect();
    let mut cost = vec![0.0; width];
    cost[artificial..].iter_mut().for_each(|c| *c = -1.0);
    simplex(&mut t, &mut basis, &cost, width)?;
    let infeasibility: f64 = t.iter().zip(&basis).map(|(line, &b)| cost[b] * line[width]).sum();
    if infeasibility < -1e-7 {
        return None;
    }
    // Artificials left in the basis at zero are pivoted out where possible; any that remain sit on
    // redundant rows and stay at zero because they may not re-enter.
    for i in 0..t.len() {
        if basis[i] >= artificial
            && let Some(j) = (0..artificial).find(|&j| t[i][j].abs() > EPS)
        {
            pivot(&mut t, i, j);
            basis[i] = j;
        }
    }
    let mut cost = vec![0.0; width];
    objective.iter().for_each(|&(j, c)| cost[j] += c);
    if !simplex(&mut t, &mut basis, &cost, artificial)? {
        return Some((f64::INFINITY, Vec::new()));
    }
    let mut x = vec![0.0; vars];
    for (line, &b) in t.iter().zip(&basis) {
        if b < vars {
            x[b] = line[width];
        }
    }
    Some((objective.iter().map(|&(j, c)| c * x[j]).sum(), x))
}

/// Runs simplex iterations letting only columns below `enter_below` enter. `Some(true)`: optimal;
/// `Some(false)`: unbounded; `None`: gave up.
fn simplex(t: &mut [Vec<f64>], basis: &mut [usize], cost: &[f64], enter_below: usize) -> Option<bool> {
    let width = cost.len();
    for _ in 0..10_000 {
        let reduced = |j: usize| cost[j] - t.iter().zip(basis.iter()).map(|(line, &b)| cost[b] * line[j]).sum::<f64>();
        let Some(j) = (0..enter_below).find(|&j| !basis.contains(&j) && reduced(j) > EPS) else { return Some(true) };
        let mut leave: Option<(f64, usize, usize)> = None;
        for (i, line) in t.iter().enumerate() {
            if line[j] > EPS {
                let ratio = line[width] / line[j];
                let better = leave.is_none_or(|(r, b, _)| ratio < r - EPS || (ratio <= r + EPS && basis[i] < b));
                if better {
                    leave = Some((ratio, basis[i], i));
                }
            }
        }
        let Some((_, _, i)) = leave else { return Some(false) };
        pivot(t, i, j);
        basis[i] = j;
    }
    None
}

fn pivot(t: &mut [Vec<f64>], r: usize, c: usize) {
    let p = t[r][c];
    let pivot_row: Vec<f64> = t[r].iter().map(|x| x / p).collect();
    for (i, line) in t.iter_mut().enumerate() {
        if i == r {
            line.clone_from(&pivot_row);
        } else {
            let f = line[c];
            if f.abs() > 0.0 {
                for (x, y) in line.iter_mut().zip(&pivot_row) {
                    *x -= f * y;
                    if x.abs() < 1e-12 {
                        *x = 0.0;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(published: &Published, id: CellId) -> bool {
        published.value(id) == Some(&Shown::Suppressed)
    }

    fn id(table: &Table, label: &str) -> CellId {
        table.cell_id(label).unwrap()
    }

    /// Splitmix64: small, seeded and good enough to draw test tables.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn range(&mut self, lo: u64, hi: u64) -> u64 {
            lo + self.next() % (hi - lo + 1)
        }

        /// A count that is 0 with `zero`% chance, 1 to 5 with `small`% chance, else 6 to `max`.
        fn count(&mut self, zero: u64, small: u64, max: u64) -> u64 {
            match self.range(1, 100) {
                p if p <= zero => 0,
                p if p <= zero + small => self.range(1, 5),
                _ => self.range(6, max),
            }
        }

        /// A random partition of ages 0-17: each of the 17 possible cut points is used with chance 1/3.
        fn banding(&mut self) -> Vec<AgeBand> {
            let mut bands = Vec::new();
            let mut from = 0;
            for age in 1..=MAX_AGE {
                if self.range(1, 3) == 1 {
                    bands.push(AgeBand::new(from, age - 1));
                    from = age;
                }
            }
            bands.push(AgeBand::new(from, MAX_AGE));
            bands
        }
    }

    /// The attacker's knowledge of one unknown: at least `lo`, at most `hi` (`None`: no upper bound).
    #[derive(Clone, Copy, Debug)]
    struct Bounds {
        lo: i64,
        hi: Option<i64>,
    }

    impl Bounds {
        fn tighten(&mut self, lo: Option<i64>, hi: Option<i64>) -> bool {
            let mut changed = false;
            if let Some(lo) = lo.filter(|&l| l > self.lo) {
                self.lo = lo;
                changed = true;
            }
            if let Some(hi) = hi.filter(|&h| self.hi.is_none_or(|old| h < old)) {
                self.hi = Some(hi);
                changed = true;
            }
            changed
        }

        /// Exactly `lo`.
        fn pin(self) -> Self {
            Self { hi: Some(self.lo), ..self }
        }
    }

    fn div_floor(p: i64, q: i64) -> i64 {
        if q < 0 { (-p).div_euclid(-q) } else { p.div_euclid(q) }
    }

    fn div_ceil(p: i64, q: i64) -> i64 {
        -div_floor(-p, q)
    }

    /// The subset-difference attack: every combination of the published relations with coefficients
    /// -1, 0 and +1. Published cells are substituted; a combination left with one suppressed cell
    /// gives it exactly, and one whose suppressed cells all have the same sign bounds each of them from
    /// above, since every `c` is at least 1.
    fn subset_differences(table: &Table, seen: &[Option<i64>]) -> Vec<Bounds> {
        struct Search<'a> {
            relations: &'a [Vec<(CellId, i64)>],
            seen: &'a [Option<i64>],
            coef: Vec<i64>,
            constant: i64,
            signs: [usize; 2],
            unknown: Vec<CellId>,
            found: Vec<Bounds>,
        }
        impl Search<'_> {
            fn add(&mut self, relation: usize, sign: i64) {
                for &(cell, a) in &self.relations[relation] {
                    let (old, new) = (self.coef[cell], self.coef[cell] + sign * a);
                    self.coef[cell] = new;
                    match self.seen[cell] {
                        Some(v) => self.constant += sign * a * v,
                        None => {
                            self.signs[0] = self.signs[0] + usize::from(new > 0) - usize::from(old > 0);
                            self.signs[1] = self.signs[1] + usize::from(new < 0) - usize::from(old < 0);
                        }
                    }
                }
            }
            /// Each relation enters with -1, 0 or +1; the first one used enters with +1 only, as a
            /// combination and its negative say the same thing.
            fn visit(&mut self, relation: usize, started: bool) {
                if relation == self.relations.len() {
                    return self.conclude();
                }
                self.visit(relation + 1, started);
                for sign in if started { &[1, -1][..] } else { &[1][..] } {
                    self.add(relation, *sign);
                    self.visit(relation + 1, true);
                    self.add(relation, -sign);
                }
            }
            fn conclude(&mut self) {
                let [pos, neg] = self.signs;
                if pos + neg == 0 || (pos > 0 && neg > 0) {
                    return;
                }
                // sum(a x) + constant = 0, turned round so every a is positive.
                let s = if pos > 0 { 1 } else { -1 };
                let rhs = -s * self.constant;
                let floor: i64 = self.unknown.iter().map(|&c| s * self.coef[c]).sum();
                let only = pos + neg == 1;
                for &c in &self.unknown {
                    let a = s * self.coef[c];
                    if a != 0 {
                        let lo = if only { Some(div_ceil(rhs, a)) } else { None };
                        self.found[c].tighten(lo, Some(div_floor(rhs - (floor - a), a)));
                    }
                }
            }
        }
        let start = seen.iter().map(|s| s.map_or(Bounds { lo: 1, hi: None }, |v| Bounds { lo: v, hi: Some(v) }));
        let mut search = Search {
            relations: table.relations(),
            seen,
            coef: vec![0; seen.len()],
            constant: 0,
            signs: [0, 0],
            unknown: (0..seen.len()).filter(|&c| seen[c].is_none()).collect(),
            found: start.collect(),
        };
        search.visit(0, false);
        search.found
    }

    /// Rank by Gaussian elimination in floating point with partial pivoting (written separately from
    /// the protector's exact elimination on purpose).
    fn rank(mut rows: Vec<Vec<f64>>) -> usize {
        let width = rows.first().map_or(0, Vec::len);
        let mut rank = 0;
        for col in 0..width {
            let Some(best) = (rank..rows.len()).max_by(|&a, &b| rows[a][col].abs().total_cmp(&rows[b][col].abs()))
            else {
                break;
            };
            if rows[best][col].abs() < 1e-9 {
                continue;
            }
            rows.swap(rank, best);
            let pivot = rows[rank].clone();
            for row in rows.iter_mut().skip(rank + 1) {
                let f = row[col] / pivot[col];
                row.iter_mut().zip(&pivot).for_each(|(x, p)| *x -= f * p);
            }
            rank += 1;
        }
        rank
    }

    /// The elimination attack: with atoms as unknowns, `atoms` is exactly recoverable iff adding its
    /// indicator to the published cells' indicators does not raise the rank.
    fn recoverable(table: &Table, seen: &[Option<i64>], atoms: &[usize]) -> bool {
        let indicator = |atoms: &[usize]| {
            let mut row = vec![0.0; table.atom_count()];
            atoms.iter().for_each(|&a| row[a] = 1.0);
            row
        };
        let rows: Vec<Vec<f64>> =
            (0..seen.len()).filter(|&c| seen[c].is_some()).map(|c| indicator(table.atoms_of(c))).collect();
        let base = rank(rows.clone());
        rank(rows.into_iter().chain([indicator(atoms)]).collect()) == base
    }

    /// The pieces the cells cut the atoms into: atoms belonging to exactly the same cells.
    fn pieces(table: &Table) -> Vec<Vec<usize>> {
        let mut by_membership: BTreeMap<Vec<CellId>, Vec<usize>> = BTreeMap::new();
        for atom in 0..table.atom_count() {
            let member: Vec<CellId> = (0..table.cell_count()).filter(|&c| table.atoms_of(c).contains(&atom)).collect();
            by_membership.entry(member).or_default().push(atom);
        }
        by_membership.into_values().collect()
    }

    /// The bounds attack: interval propagation to a fixpoint over cells and pieces, using the published
    /// relations and "each cell is the sum of its pieces", with pieces at least 0 and `c` at least 1.
    fn propagate(table: &Table, seen: &[Option<i64>], pieces: &[Vec<usize>]) -> Vec<Bounds> {
        let n = seen.len();
        let mut relations: Vec<Vec<(usize, i64)>> = table.relations().to_vec();
        for c in 0..n {
            let inside = (0..pieces.len()).filter(|&p| pieces[p].iter().all(|a| table.atoms_of(c).contains(a)));
            relations.push([(c, 1)].into_iter().chain(inside.map(|p| (n + p, -1))).collect());
        }
        let mut b: Vec<Bounds> =
            seen.iter().map(|s| s.map_or(Bounds { lo: 1, hi: None }, |v| Bounds { lo: v, hi: Some(v) })).collect();
        b.extend(pieces.iter().map(|_| Bounds { lo: 0, hi: None }));
        for _ in 0..500 {
            let mut changed = false;
            for relation in &relations {
                for &(j, aj) in relation {
                    // aj * x_j = -(sum of the other terms); None is an infinite end.
                    let (mut lo, mut hi) = (Some(0), Some(0));
                    for &(i, ai) in relation.iter().filter(|&&(i, _)| i != j) {
                        let (l, h) = if ai > 0 {
                            (Some(ai * b[i].lo), b[i].hi.map(|h| ai * h))
                        } else {
                            (b[i].hi.map(|h| ai * h), Some(ai * b[i].lo))
                        };
                        lo = lo.zip(l).map(|(x, y)| x + y);
                        hi = hi.zip(h).map(|(x, y)| x + y);
                    }
                    let (l, h) = (hi.map(|h| -h), lo.map(|l| -l));
                    let (l, h) = if aj > 0 { (l, h) } else { (h, l) };
                    changed |= b[j].tighten(l.map(|l| div_ceil(l, aj)), h.map(|h| div_floor(h, aj)));
                }
            }
            if !changed {
                break;
            }
        }
        b
    }

    /// The exhaustive attack, exact for the attacker model: every assignment of whole numbers to the
    /// pieces, within the propagation bounds, that reproduces each published figure with every `c` at
    /// least 1. Gives the true range of each cell and then each piece; `None` if the search is too big.
    fn exhaustive(
        table: &Table,
        seen: &[Option<i64>],
        pieces: &[Vec<usize>],
        bounds: &[Bounds],
    ) -> Option<Vec<Bounds>> {
        struct Search<'a> {
            ranges: Vec<(i64, i64)>,
            sum: Vec<i64>,
            seen: &'a [Option<i64>],
            complete_at: Vec<Vec<CellId>>,
            containing: Vec<Vec<CellId>>,
            value: Vec<i64>,
            budget: usize,
            found: Vec<Option<Bounds>>,
        }
        impl Search<'_> {
            /// Sets piece `p`, keeping every cell's running sum.
            fn set(&mut self, p: usize, v: i64) {
                let change = v - self.value[p];
                self.value[p] = v;
                self.containing[p].iter().for_each(|&c| self.sum[c] += change);
            }
            fn record(&mut self, i: usize, v: i64) {
                let b = self.found[i].get_or_insert(Bounds { lo: v, hi: Some(v) });
                b.lo = b.lo.min(v);
                b.hi = b.hi.map(|h| h.max(v));
            }
            fn go(&mut self, p: usize) -> bool {
                if p == self.ranges.len() {
                    (0..self.sum.len()).for_each(|c| self.record(c, self.sum[c]));
                    (0..p).for_each(|q| self.record(self.sum.len() + q, self.value[q]));
                    return true;
                }
                let (lo, hi) = self.ranges[p];
                for v in lo..=hi {
                    if self.budget == 0 {
                        return false;
                    }
                    self.budget -= 1;
                    self.set(p, v);
                    // Pieces not yet set are 0, so a published cell already exceeded stays exceeded.
                    if self.containing[p].iter().any(|&c| self.seen[c].is_some_and(|x| self.sum[c] > x)) {
                        break;
                    }
                    let fits = |c: &CellId| self.seen[*c].map_or(self.sum[*c] >= 1, |x| self.sum[*c] == x);
                    if self.complete_at[p].iter().all(fits) && !self.go(p + 1) {
                        return false;
                    }
                }
                self.set(p, 0);
                true
            }
        }
        let n = seen.len();
        let ranges: Option<Vec<(i64, i64)>> =
            (0..pieces.len()).map(|p| bounds[n + p].hi.map(|h| (bounds[n + p].lo, h))).collect();
        let members: Vec<Vec<usize>> = (0..n)
            .map(|c| (0..pieces.len()).filter(|&p| pieces[p].iter().all(|a| table.atoms_of(c).contains(a))).collect())
            .collect();
        let (mut complete_at, mut containing) = (vec![Vec::new(); pieces.len()], vec![Vec::new(); pieces.len()]);
        for (c, inside) in members.iter().enumerate() {
            inside.last().into_iter().for_each(|&p| complete_at[p].push(c));
            inside.iter().for_each(|&p| containing[p].push(c));
        }
        let mut search = Search {
            ranges: ranges?,
            sum: vec![0; n],
            seen,
            complete_at,
            containing,
            value: vec![0; pieces.len()],
            budget: 20_000,
            found: vec![None; n + pieces.len()],
        };
        if !search.go(0) {
            return None;
        }
        search.found.into_iter().collect()
    }

    /// Checks the conventions (1 to 5 hidden, zeros and true values published), then plays the attacker
    /// and panics on any disclosure.
    /// Returns whether the exhaustive attack could run.
    fn assert_safe(table: &Table, published: &Published) -> bool {
        for c in 0..table.cell_count() {
            let value = table.value(c).unwrap();
            let small = (1..=5).contains(&value);
            assert!(!small || hidden(published, c), "small cell {} published", table.label(c));
            assert!(value > 0 || published.shown(c) == "0", "zero cell {} hidden", table.label(c));
            assert!(hidden(published, c) || published.shown(c) == value.to_string(), "{} altered", table.label(c));
        }
        let (found, searched) = attack(table, published);
        assert!(found.is_empty(), "disclosed: {found:?}");
        searched
    }

    /// Plays the attacker against a published table: the subset-difference, elimination and bounds
    /// attacks. Returns what each attack (named first) discloses.
    fn attack(table: &Table, published: &Published) -> (Vec<(&'static str, String)>, bool) {
        let n = table.cell_count();
        let truth: Vec<i64> = (0..n).map(|c| table.value(c).unwrap() as i64).collect();
        let seen: Vec<Option<i64>> = (0..n)
            .map(|c| match published.value(c) {
                Some(Shown::Count(v)) => Some(*v as i64),
                _ => None,
            })
            .collect();
        for relation in table.relations() {
            assert_eq!(relation.iter().map(|&(c, a)| a * truth[c]).sum::<i64>(), 0, "relation does not hold");
        }
        let mut found = Vec::new();
        let mut judge = |attack: &'static str, what: String, bounds: &Bounds, truth: i64| {
            // An attack that excludes the truth is a bug in the attacker, not a disclosure.
            assert!(
                bounds.lo <= truth && bounds.hi.is_none_or(|h| truth <= h),
                "{attack} unsound on {what}: {bounds:?}"
            );
            if bounds.hi == Some(bounds.lo) {
                found.push((attack, format!("{what} pinned at {}", bounds.lo)));
            } else if truth <= 5 && bounds.hi.is_some_and(|h| h <= 5) {
                found.push((attack, format!("{what} ({truth}) shown to be small: {bounds:?}")));
            }
        };
        let differences = subset_differences(table, &seen);
        let pieces = pieces(table);
        let propagated = propagate(table, &seen, &pieces);
        let searched = exhaustive(table, &seen, &pieces, &propagated);
        let exact = Bounds { lo: 0, hi: Some(0) };
        for c in (0..n).filter(|&c| seen[c].is_none()) {
            let label = table.label(c).to_string();
            if recoverable(table, &seen, table.atoms_of(c)) {
                judge("elimination", label.clone(), &Bounds { lo: truth[c], ..exact }.pin(), truth[c]);
            }
            judge("differences", label.clone(), &differences[c], truth[c]);
            judge("propagation", label.clone(), &propagated[c], truth[c]);
            searched.iter().for_each(|b| judge("exhaustive", label.clone(), &b[c], truth[c]));
        }
        for (p, atoms) in pieces.iter().enumerate() {
            let value = atoms.iter().map(|&a| table.atoms[a] as i64).sum::<i64>();
            if (1..=5).contains(&value) && !(0..n).any(|c| table.atoms_of(c) == atoms.as_slice()) {
                let what = format!("sliver of atoms {atoms:?}");
                if recoverable(table, &seen, atoms) {
                    judge("elimination", what.clone(), &Bounds { lo: value, ..exact }.pin(), value);
                }
                judge("propagation", what.clone(), &propagated[n + p], value);
                searched.iter().for_each(|b| judge("exhaustive", what.clone(), &b[n + p], value));
            }
        }
        (found, searched.is_some())
    }

    /// The fewest secondary cells any safe pattern needs for a one-way table (parts then total),
    /// by trying every set of non-zero, non-small cells in order of size with the exact one-way ranges.
    fn fewest_secondaries_one_way(values: &[u64]) -> usize {
        let total = values.len() - 1;
        let candidates: Vec<usize> = (0..values.len()).filter(|&c| values[c] > 5).collect();
        let safe = |extra: &[usize]| {
            let hidden = |c: usize| (1..=5).contains(&values[c]) || extra.contains(&c);
            let parts: Vec<usize> = (0..total).filter(|&c| hidden(c)).collect();
            if hidden(total) {
                return !parts.is_empty();
            }
            // With the total published, each hidden part lies in [1, sum - (others' minimum of 1 each)].
            let high = parts.iter().map(|&c| values[c]).sum::<u64>() + 1 - parts.len() as u64;
            parts.is_empty() || (parts.len() > 1 && high > 1 && parts.iter().all(|&c| values[c] > 5 || high > 5))
        };
        (0..=candidates.len())
            .find(|&size| {
                (0u32..1 << candidates.len()).filter(|m| m.count_ones() as usize == size).any(|m| {
                    let extra: Vec<usize> =
                        (0..candidates.len()).filter(|&i| m & (1 << i) != 0).map(|i| candidates[i]).collect();
                    safe(&extra)
                })
            })
            .unwrap()
    }

    // GSS/DfE convention: a count of 1 to 5 is suppressed as `c`; zero and counts of 6 or more are
    // published. Two small cells here add up to 7, so each could be as large as 6 and no secondary
    // suppression is needed.
    #[test]
    fn primary_suppression_hides_one_to_five_only() {
        let table = Table::one_way(&[("a", 0), ("b", 3), ("c", 6), ("d", 20), ("e", 4)]);
        let published = protect(&table);
        let shown: Vec<String> = (0..table.cell_count()).map(|c| published.shown(c)).collect();
        assert_eq!(shown, ["0", "c", "6", "20", "c", "33"]);
        assert_eq!((published.primary, published.secondary), (2, 0));
        for v in 1..=5 {
            assert_eq!(protect(&Table::one_way(&[("x", v), ("y", 10), ("z", 12)])).shown(0), "c");
        }
        assert_eq!(published.shown(99), "x");
        assert_safe(&table, &published);
    }

    // GSS/DfE secondary suppression: a suppressed cell must not be recoverable as the published total
    // less the other published cells, so one more cell is hidden; the convention is to choose the
    // smallest non-zero one (a zero would protect nothing).
    #[test]
    fn one_way_complement_is_the_smallest_non_zero_cell() {
        let table =
            Table::one_way(&[("Neglect", 3), ("Emotional", 0), ("Physical", 14), ("Sexual", 9), ("Multiple", 27)]);
        let published = protect(&table);
        let shown: Vec<String> = (0..table.cell_count()).map(|c| published.shown(c)).collect();
        assert_eq!(shown, ["c", "0", "14", "c", "27", "53"]);
        assert_eq!((published.primary, published.secondary, published.secondary_total), (1, 1, 9));
        assert_safe(&table, &published);
    }

    // Secondary suppression across two breakdowns of one total (GSS guidance on linked tables): a small
    // cell in a table with margins needs hiding in its row and its column, and then in the rows and
    // columns of those cells, so the cheapest pattern is a rectangle. Here 2 (row r1, column B) is
    // best completed by r1/A (25), r0/B (30) and r0/A (20): 75 children, fewer than any other corner.
    #[test]
    fn two_way_table_hides_the_cheapest_rectangle() {
        let counts = [20, 30, 12, 25, 2, 40, 9, 50, 60];
        let table = Table::two_way(&["r0", "r1", "r2"], &["A", "B", "C"], &counts).unwrap();
        let published = protect(&table);
        let hidden_labels: Vec<&str> =
            (0..table.cell_count()).filter(|&c| hidden(&published, c)).map(|c| table.label(c)).collect();
        assert_eq!(hidden_labels, ["r0 / A", "r0 / B", "r1 / A", "r1 / B"]);
        assert_eq!((published.primary, published.secondary, published.secondary_total), (1, 3, 75));
        assert_safe(&table, &published);
        assert_eq!(Table::two_way(&["r"], &["A", "B"], &[1]).unwrap_err(), SdcError::Shape { expected: 2, found: 1 });
    }

    // GSS guidance on differencing: when one count is published in two bandings whose boundaries line
    // up at 5 and 18, trust band 5-11 less common band 5-9 gives ages 10-11 (3 children) although no
    // cell shows it. The cheapest fix hides common 5-9 (36) and common 16-17 (19).
    #[test]
    fn two_bandings_protect_a_small_sliver() {
        let counts = [4, 5, 6, 5, 6, 7, 8, 6, 7, 8, 1, 2, 8, 9, 7, 9, 10, 9];
        let trust = [AgeBand::new(0, 4), AgeBand::new(5, 11), AgeBand::new(12, 17)];
        let table = Table::two_bandings(&counts, ("trust", &trust), ("common", &COMMON_BANDS)).unwrap();
        assert_eq!(table.label(1), "trust 0-4 = common 0-4");
        let published = protect(&table);
        assert_eq!((published.primary, published.secondary, published.secondary_total), (0, 2, 55));
        assert!(hidden(&published, id(&table, "common 5-9")) && hidden(&published, id(&table, "common 16-17")));
        assert_safe(&table, &published);
    }

    // DfE symbols for rates: `c` when the numerator is suppressed, `low` when a non-zero rate rounds to
    // zero, `z` when the denominator is zero (not applicable), `x` when a figure is not available.
    #[test]
    fn rates_carry_the_symbols() {
        assert_eq!(rate(&Shown::Count(37), Some(8_000), 10_000, 1).to_string(), "46.3");
        assert_eq!(rate(&Shown::Count(1), Some(3), 100, 0).to_string(), "33");
        assert_eq!(rate(&Shown::Count(1), Some(8), 100, 1).to_string(), "12.5");
        assert_eq!(rate(&Shown::Count(0), Some(40), 100, 1).to_string(), "0.0");
        assert_eq!(rate(&Shown::Suppressed, Some(8_000), 10_000, 1), Shown::Suppressed);
        assert_eq!(rate(&Shown::Count(1), Some(300_000), 100, 1).to_string(), "low");
        assert_eq!(rate(&Shown::Count(1), Some(300_000), 100, 4).to_string(), "0.0003");
        assert_eq!(rate(&Shown::Count(1), Some(3_000), 100, 3).to_string(), "0.033");
        assert_eq!(rate(&Shown::Count(0), Some(0), 100, 1).to_string(), "z");
        assert_eq!(rate(&Shown::Suppressed, Some(0), 100, 1).to_string(), "z");
        assert_eq!(rate(&Shown::Count(3), None, 100, 1).to_string(), "x");
        assert_eq!(rate(&Shown::Unavailable, Some(10), 100, 1).to_string(), "x");
        assert_eq!(rate(&Shown::Low, Some(10), 100, 1).to_string(), "x");
        assert_eq!(rate(&Shown::Count(u64::MAX), Some(1), u64::MAX, 2).to_string(), "x");
        assert_eq!(rate(&Shown::Count(3), Some(4), 100, 40).to_string(), "x");
    }

    // Platform rule (this module's COMMON_BANDS): shared data is re-banded to the common bands from
    // single years or nested bands, and a band straddling a common boundary is refused, never split.
    #[test]
    fn rebanding_to_the_common_bands() {
        let years: Vec<(AgeBand, u64)> = (0..=MAX_AGE).map(|a| (AgeBand::year(a), u64::from(a) + 1)).collect();
        assert_eq!(reband(&years), Ok([15, 40, 81, 35]));
        let nested = [(0, 1, 3), (2, 4, 5), (5, 9, 7), (10, 12, 2), (13, 15, 4), (16, 17, 9)];
        let nested: Vec<(AgeBand, u64)> = nested.iter().map(|&(f, t, n)| (AgeBand::new(f, t), n)).collect();
        assert_eq!(reband(&nested), Ok([8, 7, 6, 9]));
        let trust = [(0, 4, 10), (5, 11, 20), (12, 17, 30)].map(|(f, t, n)| (AgeBand::new(f, t), n));
        let refusal = reband(&trust).unwrap_err();
        let expected =
            SdcError::Straddles { band: AgeBand::new(5, 11), below: COMMON_BANDS[1], above: COMMON_BANDS[2] };
        assert_eq!(refusal, expected);
        assert!(
            refusal.to_string().contains("age band 5-11 straddles the boundary between common bands 5-9 and 10-15")
        );
        assert_eq!(reband(&years[1..]), Err(SdcError::Gap { age: 0 }));
        let twice: Vec<(AgeBand, u64)> = years.iter().copied().chain([(AgeBand::new(3, 4), 1)]).collect();
        assert_eq!(reband(&twice), Err(SdcError::Overlap { band: AgeBand::new(3, 4), age: 3 }));
        assert_eq!(reband(&[(AgeBand::new(16, 18), 1)]), Err(SdcError::OutOfRange { band: AgeBand::new(16, 18) }));
    }

    fn print_table(title: &str, table: &Table, published: &Published) {
        println!(
            "{title}: {} primary, {} secondary ({} children)",
            published.primary, published.secondary, published.secondary_total
        );
        for (c, (label, shown)) in published.cells().enumerate() {
            println!("  {label:<28} {:>4}  shown {shown}", table.value(c).unwrap());
        }
    }

    // Demo data for a small authority, protected under the GSS/DfE rules above (1 to 5 suppressed,
    // secondary suppression across margins and across bandings, zeros published).
    #[test]
    fn demo_report() {
        // Children in need by common age band and sex. Two cells are small: 0-4 male (3) and 16-17
        // female (4). They sit on opposite corners of the rectangle of rows 0-4 and 16-17, so hiding
        // the other two corners, 0-4 female (38) and 16-17 male (27), protects both at once: each
        // row, column and total then has two unknowns, and 16-17 female can be anything from 2 to
        // 30. Any other rectangle would have to use row 5-9 or 10-15 (over 100 children).
        let rows = ["0-4", "5-9", "10-15", "16-17"];
        let counts = [38, 3, 52, 60, 70, 64, 4, 27];
        let table = Table::two_way(&rows, &["Female", "Male"], &counts).unwrap();
        let published = protect(&table);
        print_table("demo: children in need by age and sex", &table, &published);
        assert_eq!((published.primary, published.secondary, published.secondary_total), (2, 2, 65));
        for label in ["0-4 / Female", "0-4 / Male", "16-17 / Female", "16-17 / Male"] {
            assert!(hidden(&published, id(&table, label)), "{label}");
        }
        assert_safe(&table, &published);

        // Children living in children's homes by single year of age, published locally in the trust's
        // own bands and shared in the common bands. Primary: trust 5-11 (4) and common 5-9 (1). With
        // only those hidden, total less trust 0-4 and 12-17 gives trust 5-11, and total less the other
        // common bands gives common 5-9. The cheapest way to let trust 5-11 reach 6 moves children
        // from ages 12-15 to 10-11, which changes only trust 12-17 (34): hidden. Common 5-9 is still
        // total less published common bands; moving children from ages 16-17 to 5-9 changes only common
        // 16-17 (14, cheaper than common 10-15 at 23 or the total at 38): hidden. Neither secondary can
        // then be published again, so 2 primary and 2 secondary cells, 48 children hidden.
        let mut years = [0; 18];
        years[9..].copy_from_slice(&[1, 1, 2, 3, 4, 6, 7, 8, 6]);
        let trust = [AgeBand::new(0, 4), AgeBand::new(5, 11), AgeBand::new(12, 17)];
        let table = Table::two_bandings(&years, ("trust", &trust), ("common", &COMMON_BANDS)).unwrap();
        let published = protect(&table);
        print_table("demo: children's homes by age, trust and common bands", &table, &published);
        assert_eq!((published.primary, published.secondary, published.secondary_total), (2, 2, 48));
        for label in ["trust 5-11", "common 5-9", "trust 12-17", "common 16-17"] {
            assert!(hidden(&published, id(&table, label)), "{label}");
        }
        assert_safe(&table, &published);
    }

    fn labels(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn random_one_way(rng: &mut Rng) -> Table {
        let values: Vec<u64> = (0..rng.range(2, 8)).map(|_| rng.count(20, 35, 80)).collect();
        let labels = labels("p", values.len());
        Table::one_way(&labels.iter().map(String::as_str).zip(values).collect::<Vec<_>>())
    }

    fn random_two_way(rng: &mut Rng) -> Table {
        let (rows, cols) = (labels("r", rng.range(2, 5) as usize), labels("c", rng.range(2, 4) as usize));
        let counts: Vec<u64> = (0..rows.len() * cols.len()).map(|_| rng.count(15, 25, 40)).collect();
        let (rows, cols): (Vec<&str>, Vec<&str>) =
            (rows.iter().map(String::as_str).collect(), cols.iter().map(String::as_str).collect());
        Table::two_way(&rows, &cols, &counts).unwrap()
    }

    fn random_two_bandings(rng: &mut Rng) -> Table {
        let years: Vec<u64> = (0..=MAX_AGE).map(|_| rng.count(25, 55, 10)).collect();
        let first = rng.banding();
        let second = if rng.range(0, 1) == 0 { COMMON_BANDS.to_vec() } else { rng.banding() };
        Table::two_bandings(&years, ("first", &first), ("second", &second)).unwrap()
    }

    type Draw = fn(&mut Rng) -> Table;

    /// Protects `count` random tables, attacks each, and prints what the secondary pattern cost.
    fn adversary(kind: &str, seed: u64, count: usize, draw: Draw, extra: fn(&Table, &Published)) {
        let mut rng = Rng(seed);
        let (mut primary, mut secondary, mut children, mut searched) = (0, 0, 0, 0);
        for _ in 0..count {
            let table = draw(&mut rng);
            let published = protect(&table);
            searched += usize::from(assert_safe(&table, &published));
            extra(&table, &published);
            (primary, secondary, children) =
                (primary + published.primary, secondary + published.secondary, children + published.secondary_total);
        }
        println!(
            "adversary {kind}: {count} tables, {primary} primary cells; secondary pattern cost {secondary} cells \
             ({:.2} per table, {:.2} per primary cell), {children} children; exhaustive search ran on {searched}",
            secondary as f64 / count as f64,
            secondary as f64 / primary.max(1) as f64,
        );
    }

    // The adversary (GSS principle behind secondary suppression: no suppressed figure may be worked
    // out, exactly or as "a small number", from what is published). One-way tables also check that
    // the pattern is as small as it can be: at most one extra cell, and exactly as many as needed.
    #[test]
    fn adversary_one_way() {
        adversary("one-way", 2024, 800, random_one_way, |table, published| {
            let values: Vec<u64> = (0..table.cell_count()).map(|c| table.value(c).unwrap()).collect();
            let fewest = fewest_secondaries_one_way(&values);
            assert!(fewest <= 1 && published.secondary == fewest, "{values:?}: {} secondary", published.secondary);
        });
    }

    // The adversary against two-way tables with margins (GSS: linked tables sharing a total).
    #[test]
    fn adversary_two_way() {
        adversary("two-way", 1984, 800, random_two_way, |_, _| {});
    }

    // The adversary against one count banded two ways (GSS guidance on differencing overlapping bands).
    #[test]
    fn adversary_two_bandings() {
        adversary("two bandings", 1066, 800, random_two_bandings, |_, _| {});
    }

    // A check on the checker: with primary suppression alone (which GSS guidance says is not enough),
    // each attack must find disclosures in the same kinds of random tables, or the adversary tests
    // above would prove nothing.
    #[test]
    fn the_attacks_break_primary_suppression_alone() {
        let mut rng = Rng(7);
        let draws: [(&str, Draw); 3] =
            [("one-way", random_one_way), ("two-way", random_two_way), ("two bandings", random_two_bandings)];
        for (kind, draw) in draws {
            let mut broken: BTreeMap<&str, usize> = BTreeMap::new();
            let mut unsafe_tables = 0;
            for _ in 0..200 {
                let table = draw(&mut rng);
                let mut published = protect(&table);
                for (c, (_, shown)) in published.cells.iter_mut().enumerate() {
                    if table.value(c).is_some_and(|v| v > 5) {
                        *shown = Shown::Count(table.value(c).unwrap());
                    }
                }
                let (found, _) = attack(&table, &published);
                unsafe_tables += usize::from(!found.is_empty());
                let attacks: std::collections::BTreeSet<&str> = found.iter().map(|&(a, _)| a).collect();
                attacks.into_iter().for_each(|a| *broken.entry(a).or_default() += 1);
            }
            println!(
                "primary suppression alone, {kind}: {unsafe_tables} of 200 tables disclosed; by attack {broken:?}"
            );
            for attack in ["differences", "elimination", "propagation", "exhaustive"] {
                assert!(
                    broken.get(attack).is_some_and(|&n| n * 4 >= unsafe_tables),
                    "{kind}: {attack} too weak: {broken:?}"
                );
            }
        }
    }

    // Supports the module's claim that, for these table shapes, the protector's linear-programming
    // ranges are the attacker's exact whole-number ranges: they match the exhaustive search wherever
    // that search is small enough to run.
    #[test]
    fn linear_programme_ranges_are_exact() {
        let mut rng = Rng(99);
        let draws: [Draw; 3] = [random_one_way, random_two_way, random_two_bandings];
        let mut compared = 0;
        for draw in draws.into_iter().cycle().take(450) {
            let table = draw(&mut rng);
            let published = protect(&table);
            let seen: Vec<Option<i64>> = (0..table.cell_count())
                .map(|c| (!hidden(&published, c)).then(|| table.value(c).unwrap() as i64))
                .collect();
            let pieces = pieces(&table);
            let Some(exact) = exhaustive(&table, &seen, &pieces, &propagate(&table, &seen, &pieces)) else { continue };
            let model = Model::new(&table);
            let hide: Vec<bool> = seen.iter().map(Option::is_none).collect();
            let known = model.peel(&hide);
            for c in (0..table.cell_count()).filter(|&c| hide[c]) {
                let high = model.extreme(&hide, &known, &model.cells[c], true).unwrap();
                let low = model.extreme(&hide, &known, &model.cells[c], false).unwrap();
                let (lo, hi) = (exact[c].lo as f64, exact[c].hi.unwrap() as f64);
                assert!((low - lo).abs() < 1e-6 && (high - hi).abs() < 1e-6, "{}: {low}-{high}", table.label(c));
                compared += 1;
            }
        }
        println!("linear programme and exhaustive search agree on {compared} hidden cells");
        assert!(compared > 500);
    }
}
