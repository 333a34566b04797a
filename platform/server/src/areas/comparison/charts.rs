//! Charts drawn on the server as inline SVG, made accessible as the Government Analysis Function's
//! guidance on charts asks: a `<title>` stating the message and a `<desc>` describing the data,
//! both named by `aria-labelledby` on an SVG with `role="img"`; axes labelled in words with
//! tick labels on both; no meaning carried by colour alone (each line has its own marker shape and
//! dash pattern, is labelled directly at its last point and appears in a legend; the trust's bar
//! is hatched, outlined and labelled "(this trust)"); a colour-blind-safe palette with at least
//! 3:1 contrast against white; text at least 16px in near-black.
//!
//! The charts are strings of well-formed XML with every piece of text escaped. They use no
//! scripts, no external fonts or resources, no `<foreignObject>` and no `style` attributes or
//! elements (the content security policy allows no inline styles), only presentation attributes.
//! Each is sized by its `viewBox` with `width="100%"`, so it scales to its container; a page that
//! wants to cap its size styles the root's class, `app-chart`, from its own stylesheet.
//!
//! The `<title>` is not drawn as visible text: the page shows the same message as the heading or
//! caption above the chart. The description is returned alongside the SVG (see [`Chart`]) so the
//! page can also print it, for example in a details element below the chart.
//!
//! The value axis of a bar chart always includes zero, as the length of a bar must mean its value.
//! A line chart's value axis includes zero unless that would squash the lines: it starts at zero
//! when the lowest value is no more than half the highest (the mirror image for negative values);
//! otherwise it starts at the nice tick below the lowest value, the axis is drawn with a break
//! between the horizontal axis and its lowest tick, and the description says the axis does not
//! include zero.

/// Text colour: GOV.UK's near-black, 19:1 against white.
const TEXT: &str = "#0b0c0c";
/// Gridlines are decoration, so GOV.UK's mid-grey is enough.
const GRID: &str = "#b1b4b6";
/// Leaders from a line's last point to its label: GOV.UK's secondary text grey.
const LEADER: &str = "#505a5f";
const FONT: &str = "Arial, Helvetica, sans-serif";
/// No text smaller than this, as the guidance asks for at least 14px.
const FONT_SIZE: usize = 16;
/// A generous estimate of the width of a character at 16px, to lay out text without measuring it.
const CHAR_W: f64 = 9.0;

/// The Analysis Function's categorical palette, in its order: each colour has at least 3:1
/// contrast against white and the sequence stays distinguishable with common colour blindness.
pub const PALETTE: [&str; 6] = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"];

/// The colour of ordinary bars, and of the trust's bar under its hatching.
const BAR: &str = "#12436D";
const BAR_HIGHLIGHT: &str = "#801650";

/// Dash patterns for line series, in the order they are given out; the first is solid.
const DASHES: [&str; 6] = ["", "10 5", "3 4", "14 4 3 4", "6 6", "2 4 8 4"];

/// Size of the plotting area of a line chart, in viewBox units.
const LINE_PLOT_W: f64 = 560.0;
const LINE_PLOT_H: f64 = 280.0;
/// Width of the plotting area of a bar chart, and the height of each bar's row.
const BAR_PLOT_W: f64 = 480.0;
const BAR_ROW_H: f64 = 32.0;
const BAR_H: f64 = 20.0;

/// What a chart function returns: the SVG to place inline in the page, and the text description
/// written into its `<desc>`, which the page may also print below the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub svg: String,
    pub description: String,
}

/// A named line: one value per period, in the order of the chart's periods. Missing values
/// (None, NaN or infinite) break the line; values beyond the last period are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A line chart of values over periods.
#[derive(Debug, Clone, Copy)]
pub struct LineChart<'a> {
    /// Prefix for the ids in the SVG, unique on the page (e.g. "chart-trend"); characters other
    /// than ASCII letters, digits, `-` and `_` become `-`.
    pub id: &'a str,
    /// The message of the chart, e.g. "County Durham's rate fell below its neighbours' in 2021".
    pub title: &'a str,
    /// What is measured, for the description, e.g. "infant mortality rate"; may be empty.
    pub measure: &'a str,
    /// Label of the time axis, e.g. "Year" or "Period".
    pub x_label: &'a str,
    /// Label of the value axis, e.g. "Rate per 1,000 live births".
    pub y_label: &'a str,
    /// The periods along the time axis, in order, e.g. "2014" or "2014-15".
    pub periods: &'a [String],
    pub series: &'a [Series],
    /// Decimal places for values.
    pub dps: usize,
}

/// One bar: a named value, `highlight` marking the trust itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub name: String,
    pub value: Option<f64>,
    pub highlight: bool,
}

/// A chart of horizontal bars, one per name in the order given (the caller sorts them).
#[derive(Debug, Clone, Copy)]
pub struct BarChart<'a> {
    /// Prefix for the ids in the SVG, unique on the page; cleaned as for [`LineChart::id`].
    pub id: &'a str,
    /// The message of the chart.
    pub title: &'a str,
    /// What is measured, for the description; may be empty.
    pub measure: &'a str,
    /// Label of the value axis, e.g. "Rate per 1,000 live births".
    pub value_label: &'a str,
    pub bars: &'a [Bar],
    /// A value to mark across the bars with a labelled dashed line, e.g. the neighbours' mean.
    pub reference: Option<(&'a str, f64)>,
    /// Decimal places for values.
    pub dps: usize,
}

/// Ticks chosen to be easy to read off the axis.
struct Scale {
    ticks: Vec<f64>,
    /// Decimal places that show every tick exactly.
    decimals: usize,
}

impl Scale {
    fn lo(&self) -> f64 {
        self.ticks.first().copied().unwrap_or(0.0)
    }

    fn hi(&self) -> f64 {
        self.ticks.last().copied().unwrap_or(1.0)
    }

    /// Where `v` falls between the lowest tick (0) and the highest (1).
    fn fraction(&self, v: f64) -> f64 {
        (v - self.lo()) / (self.hi() - self.lo())
    }

    fn label(&self, v: f64) -> String {
        format_number(v, self.decimals)
    }
}

/// Nice steps between ticks within a power of ten, each with the extra decimal place it needs.
const MANTISSAS: [(f64, i32); 4] = [(1.0, 0), (2.0, 0), (2.5, 1), (5.0, 0)];

/// Ticks at a nice step (1, 2, 2.5 or 5 times a power of ten) covering `min` to `max`, about
/// `target` of them: the step is the smallest nice one that covers the range in `target - 1`
/// intervals, the ticks run from the multiple of the step at or below `min` to the one at or above
/// `max`. There are always at least two distinct ticks: a range of one value is widened by a
/// tenth of it either side (zero to one when it is zero). Non-finite bounds are left out.
#[cfg(test)]
fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    scale(min, max, target).ticks
}

fn scale(min: f64, max: f64, target: usize) -> Scale {
    let (mut lo, mut hi) = match (min.is_finite(), max.is_finite()) {
        (true, true) => (min.min(max), min.max(max)),
        (true, false) => (min, min),
        (false, true) => (max, max),
        (false, false) => (0.0, 0.0),
    };
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()) {
        if lo == 0.0 {
            hi = 1.0;
        } else {
            let pad = lo.abs() / 10.0;
            lo -= pad;
            hi += pad;
        }
    }
    let intervals = target.max(2) as f64 - 1.0;
    // Dividing each bound first keeps the step finite for the widest ranges.
    let raw = hi / intervals - lo / intervals;
    let exponent = raw.log10().floor() as i32;
    let fraction = raw / 10f64.powi(exponent);
    let (mantissa, extra, exponent) = MANTISSAS
        .iter()
        .find(|(m, _)| *m >= fraction - 1e-9)
        .map_or((1.0, 0, exponent + 1), |(m, extra)| (*m, *extra, exponent));
    // Multiples of the step are worked from integers, dividing by a power of ten where the step
    // is below one, so that 38 steps of 0.1 is 3.8 and not 3.8000000000000003.
    let tick = |k: i64| {
        let t = if exponent < 0 {
            k as f64 * mantissa / 10f64.powi(-exponent)
        } else {
            k as f64 * mantissa * 10f64.powi(exponent)
        };
        // Adding zero turns -0 into 0, so no tick is labelled "-0".
        t + 0.0
    };
    let step = tick(1);
    let first = (lo / step + 1e-9).floor() as i64;
    let last = ((hi / step - 1e-9).ceil() as i64).max(first + 1);
    Scale { ticks: (first..=last).map(tick).collect(), decimals: (extra - exponent).max(0) as usize }
}

/// A value with `dps` decimal places (at most ten), halves rounded away from zero, and commas
/// between thousands, e.g. "12,345.6";
/// "-" for negatives but never "-0"; "no value" for NaN and infinities.
pub fn format_number(v: f64, dps: usize) -> String {
    if !v.is_finite() {
        return "no value".to_string();
    }
    let dps = dps.min(10);
    // Halves round away from zero, as spreadsheets and DfE's tables do; Rust's formatting would
    // round an exact half to even (3.25 to "3.2"). Past 2^52 there is no fraction left to round.
    let scaled = v.abs() * 10f64.powi(dps as i32);
    let rounded = if scaled < 4.5e15 { scaled.round() / 10f64.powi(dps as i32) } else { v.abs() };
    let fixed = format!("{rounded:.dps$}");
    let (whole, fraction) = fixed.split_once('.').map_or((fixed.as_str(), None), |(w, f)| (w, Some(f)));
    let mut out = String::new();
    if v < 0.0 && fixed.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// The shapes that tell line series apart without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
    TriangleDown,
}

const MARKERS: [Marker; 6] =
    [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Diamond, Marker::Cross, Marker::TriangleDown];

impl Marker {
    fn name(self) -> &'static str {
        match self {
            Marker::Circle => "circle",
            Marker::Square => "square",
            Marker::Triangle => "triangle",
            Marker::Diamond => "diamond",
            Marker::Cross => "cross",
            Marker::TriangleDown => "triangle-down",
        }
    }

    /// The marker centred on (x, y): the path starts with `M x,y` and moves relatively from the
    /// centre, so the point plotted can be read back from it.
    fn path(self, x: f64, y: f64, class: &str, colour: &str) -> String {
        let r = 5.0;
        let shape = match self {
            Marker::Circle => format!("m{},0a{r},{r} 0 1 0 {},0a{r},{r} 0 1 0 {},0z", -r, 2.0 * r, -2.0 * r),
            Marker::Square => format!("m{},{}h{}v{}h{}z", -0.9 * r, -0.9 * r, 1.8 * r, 1.8 * r, -1.8 * r),
            Marker::Triangle => format!("m0,{}l{},{}h{}z", -1.2 * r, 1.15 * r, 2.0 * r, -2.3 * r),
            Marker::TriangleDown => format!("m0,{}l{},{}h{}z", 1.2 * r, 1.15 * r, -2.0 * r, -2.3 * r),
            Marker::Diamond => {
                let d = 1.25 * r;
                format!("m0,{}l{d},{d}l{},{d}l{},{}z", -d, -d, -d, -d)
            }
            Marker::Cross => format!("m{},{}l{},{}m0,{}l{},{}", -r, -r, 2.0 * r, 2.0 * r, -2.0 * r, -2.0 * r, 2.0 * r),
        };
        // A cross is drawn with strokes; the filled shapes get a white edge so they stand out
        // where they sit on another line.
        let paint = if self == Marker::Cross {
            format!(r#"fill="none" stroke="{colour}" stroke-width="3""#)
        } else {
            format!(r##"fill="{colour}" stroke="#ffffff" stroke-width="1""##)
        };
        format!(r#"<path class="{class} marker-{}" d="M{},{}{shape}" {paint}"#, self.name(), px(x), px(y))
    }
}

/// How one line series is drawn.
struct Style {
    colour: &'static str,
    marker: Marker,
    dash: &'static str,
}

/// The style of the `i`th series: six distinct colours, shapes and dashes; beyond six the dash
/// shifts against the shape, so the first 36 series still differ in shape or dash.
fn style(i: usize) -> Style {
    Style { colour: PALETTE[i % 6], marker: MARKERS[i % 6], dash: DASHES[(i + i / 6) % 6] }
}

fn dash_attr(dash: &str) -> String {
    if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) }
}

/// A coordinate with one decimal place, which is finer than any screen needs.
fn px(v: f64) -> String {
    if v.is_finite() { format!("{v:.1}") } else { "0".to_string() }
}

/// Text escaped for XML content and attribute values; characters XML cannot hold are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}' => {
                out.push(c)
            }
            _ => {}
        }
    }
    out
}

/// The caller's id prefix made safe for an id and for the space-separated `aria-labelledby`.
fn clean_id(id: &str) -> String {
    let id: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if id.starts_with(|c: char| c.is_ascii_alphabetic()) { id } else { format!("chart-{id}") }
}

/// An estimate of the width of text at 16px, generous so that labels do not collide.
fn text_w(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_W
}

/// A text element in the chart's font size and colour; `extra` holds further attributes.
fn text(x: f64, y: f64, anchor: &str, class: &str, extra: &str, content: &str) -> String {
    format!(
        r#"<text class="{class}" x="{}" y="{}" text-anchor="{anchor}" font-size="{FONT_SIZE}" fill="{TEXT}"{extra}>{}</text>"#,
        px(x),
        px(y),
        esc(content)
    )
}

fn line(x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64, extra: &str) -> String {
    format!(
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="{width}"{extra}/>"#,
        px(x1),
        px(y1),
        px(x2),
        px(y2)
    )
}

/// The root element with its title and description, which `aria-labelledby` names.
fn svg(id: &str, width: f64, height: f64, title: &str, description: &str, body: &str) -> String {
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {w} {h}" width="100%" "#,
            r#"role="img" aria-labelledby="{id}-title {id}-desc" font-family="{font}">"#,
            r#"<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>"#
        ),
        w = format!("{:.0}", width.ceil()),
        h = format!("{:.0}", height.ceil()),
        id = id,
        font = FONT,
        title = esc(title),
        desc = esc(description),
        body = body
    )
}

/// A chart with nothing to plot still carries its title and description.
fn empty(id: &str, title: &str, description: &str) -> String {
    let body = text(300.0, 45.0, "middle", "no-values", "", "No values to chart");
    svg(id, 600.0, 80.0, title, description, &body)
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| Some(acc.map_or((v, v), |(lo, hi): (f64, f64)| (lo.min(v), hi.max(v)))))
}

/// "a", "a and b", "a, b and c".
fn join_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "Value axis: <label>, from <lowest tick> to <highest tick>".
fn axis_sentence(label: &str, sc: &Scale) -> String {
    let label = label.trim();
    let name = if label.is_empty() { "Value axis".to_string() } else { format!("Value axis: {label}") };
    format!("{name}, from {} to {}", sc.label(sc.lo()), sc.label(sc.hi()))
}

/// Each series' values, one per period, with non-finite values as missing.
fn line_data(c: &LineChart) -> Vec<Vec<Option<f64>>> {
    c.series
        .iter()
        .map(|s| (0..c.periods.len()).map(|i| finite(s.values.get(i).copied().flatten())).collect())
        .collect()
}

/// The value axis of a line chart; None when there is nothing to plot.
fn line_scale(data: &[Vec<Option<f64>>]) -> Option<Scale> {
    let (lo, hi) = range(data.iter().flatten().flatten().copied())?;
    // Zero is kept unless it would squash the lines into a band at one end of the axis.
    let (lo, hi) = if lo >= 0.0 && lo <= hi / 2.0 {
        (0.0, hi)
    } else if hi <= 0.0 && hi >= lo / 2.0 {
        (lo, 0.0)
    } else {
        (lo, hi)
    };
    Some(scale(lo, hi, 5))
}

/// A series in words: its first and last values, its highest and lowest where they fall between,
/// and the periods it has no value for.
fn summarise(values: &[Option<f64>], periods: &[String], dps: usize) -> String {
    let present: Vec<(usize, f64)> = values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    let at = |(i, v): (usize, f64)| format!("{} in {}", format_number(v, dps), periods[i]);
    let mut out = match present.as_slice() {
        [] => return "no values".to_string(),
        [one] if periods.len() > 1 => format!("{} only", at(*one)),
        [one] => at(*one),
        [first, .., last] => {
            let mut out = format!("{} to {}", at(*first), at(*last));
            // The first occurrence of the extreme wins, so a level series names no extremes.
            let highest = present.iter().copied().fold(*first, |a, b| if b.1 > a.1 { b } else { a });
            let lowest = present.iter().copied().fold(*first, |a, b| if b.1 < a.1 { b } else { a });
            for (word, (i, v)) in [("highest", highest), ("lowest", lowest)] {
                if i != first.0 && i != last.0 {
                    out.push_str(&format!(", {word} {}", at((i, v))));
                }
            }
            out
        }
    };
    let missing: Vec<&str> = values.iter().zip(periods).filter(|(v, _)| v.is_none()).map(|(_, p)| p.as_str()).collect();
    if !missing.is_empty() {
        out.push_str(&format!("; no value for {}", join_list(&missing)));
    }
    out
}

/// The text description of a line chart, as written into its `<desc>`: e.g. "Line chart of infant
/// mortality rate from 2014 to 2023. Value axis: Rate per 1,000 live births, from 3.6 to 4.4, not
/// including zero. County Durham: 4.1 in 2014 to 3.9 in 2023, highest 4.4 in 2017."
pub fn describe_line(c: &LineChart) -> String {
    let mut d = String::from("Line chart");
    if !c.measure.trim().is_empty() {
        d.push_str(&format!(" of {}", c.measure.trim()));
    }
    match c.periods {
        [] => {}
        [only] => d.push_str(&format!(" for {only}")),
        [first, .., last] => d.push_str(&format!(" from {first} to {last}")),
    }
    d.push('.');
    let data = line_data(c);
    let Some(sc) = line_scale(&data) else {
        d.push_str(" No values to chart.");
        return d;
    };
    d.push_str(&format!(" {}", axis_sentence(c.y_label, &sc)));
    if sc.lo() > 0.0 || sc.hi() < 0.0 {
        d.push_str(", not including zero");
    }
    d.push('.');
    for (s, values) in c.series.iter().zip(&data) {
        d.push_str(&format!(" {}: {}.", s.name.trim(), summarise(values, c.periods, c.dps)));
    }
    d
}

/// Moves label positions (sorted, top to bottom) apart to at least `gap`, keeping them above
/// `bottom` where there is room.
fn spread(ys: &mut [f64], gap: f64, bottom: f64) {
    for i in 1..ys.len() {
        ys[i] = ys[i].max(ys[i - 1] + gap);
    }
    if ys.last().is_some_and(|y| *y > bottom) {
        let last = ys.len() - 1;
        ys[last] = bottom;
        for i in (0..last).rev() {
            ys[i] = ys[i].min(ys[i + 1] - gap);
        }
    }
}

/// A line chart: a polyline for each run of consecutive values (a missing value breaks the line),
/// a marker at every value, each series named at its last point and in a legend below.
pub fn line_chart(c: &LineChart) -> Chart {
    let description = describe_line(c);
    let id = clean_id(c.id);
    let data = line_data(c);
    let Some(sc) = line_scale(&data) else {
        return Chart { svg: empty(&id, c.title, &description), description };
    };
    let n = c.periods.len();
    let styles: Vec<Style> = (0..c.series.len()).map(style).collect();

    // Horizontal layout: tick labels, plot, then the direct labels in the right margin.
    let tick_labels: Vec<String> = sc.ticks.iter().map(|t| sc.label(*t)).collect();
    let tick_w = tick_labels.iter().map(|l| text_w(l)).fold(0.0, f64::max);
    let period_w = c.periods.iter().map(|p| text_w(p)).fold(0.0, f64::max) + 12.0;
    let x0 = (8.0 + tick_w + 14.0).max(period_w / 2.0);
    let x1 = x0 + LINE_PLOT_W;
    let labelled: Vec<usize> = (0..data.len()).filter(|i| data[*i].iter().any(Option::is_some)).collect();
    let label_w = labelled.iter().map(|i| text_w(c.series[*i].name.trim())).fold(0.0, f64::max);
    let legend_names: Vec<String> = c
        .series
        .iter()
        .zip(&data)
        .map(|(s, values)| {
            let name = s.name.trim().to_string();
            if values.iter().any(Option::is_some) { name } else { format!("{name} (no values)") }
        })
        .collect();
    let legend_w: Vec<f64> = legend_names.iter().map(|l| 52.0 + text_w(l) + 16.0).collect();
    let width = (x1 + 18.0 + label_w + 8.0)
        .max(16.0 + text_w(c.y_label))
        .max(16.0 + legend_w.iter().copied().fold(0.0, f64::max));

    // Vertical layout: the value axis label above the plot, the time axis and legend below. Where
    // the axis does not include zero, the lowest (or highest) tick stands clear of the plot's
    // edge, leaving room to draw the break.
    let top = 48.0;
    let bottom = top + LINE_PLOT_H;
    let low_break = sc.lo() > 0.0;
    let high_break = sc.hi() < 0.0;
    let v_top = if high_break { top + 16.0 } else { top };
    let v_bottom = if low_break { bottom - 16.0 } else { bottom };
    let y_of = |v: f64| v_bottom - sc.fraction(v) * (v_bottom - v_top);
    let x_of = |i: usize| {
        if n <= 1 { x0 + LINE_PLOT_W / 2.0 } else { x0 + 12.0 + i as f64 * (LINE_PLOT_W - 24.0) / (n - 1) as f64 }
    };

    let mut body = String::new();
    body.push_str(&text(8.0, 24.0, "start", "axis-label y-label", "", c.y_label.trim()));

    // Gridlines and value ticks, with zero drawn darker where it falls inside the plot.
    body.push_str(r#"<g class="y-axis">"#);
    for (t, label) in sc.ticks.iter().zip(&tick_labels) {
        let y = y_of(*t);
        let (stroke, w) = if *t == 0.0 && !low_break && !high_break { (TEXT, 1.5) } else { (GRID, 1.0) };
        body.push_str(&line(x0, y, x1, y, stroke, w, ""));
        body.push_str(&line(x0 - 6.0, y, x0, y, TEXT, 1.0, ""));
        body.push_str(&text(x0 - 10.0, y + 5.0, "end", "tick-y", "", label));
    }
    body.push_str(&line(x0, top, x0, bottom, TEXT, 1.0, ""));
    for (broken, centre) in [(low_break, bottom - 8.0), (high_break, top + 8.0)] {
        if broken {
            // Two slanted strokes across a gap in the axis: the conventional sign that the scale
            // skips from the axis line to the first tick.
            body.push_str(&format!(
                r##"<rect class="axis-break" x="{}" y="{}" width="16" height="6" fill="#ffffff"/>"##,
                px(x0 - 8.0),
                px(centre - 3.0)
            ));
            body.push_str(&format!(
                r#"<path d="M{},{}l14,-5M{},{}l14,-5" fill="none" stroke="{TEXT}" stroke-width="1.5"/>"#,
                px(x0 - 7.0),
                px(centre - 0.5),
                px(x0 - 7.0),
                px(centre + 5.5)
            ));
        }
    }
    body.push_str("</g>");

    // Periods along the bottom, labelled as often as their width allows, always the latest.
    let slot = if n > 1 { (LINE_PLOT_W - 24.0) / (n - 1) as f64 } else { LINE_PLOT_W };
    let every = ((period_w / slot).ceil() as usize).max(1);
    body.push_str(r#"<g class="x-axis">"#);
    body.push_str(&line(x0, bottom, x1, bottom, TEXT, 1.0, ""));
    for (i, period) in c.periods.iter().enumerate() {
        let x = x_of(i);
        body.push_str(&line(x, bottom, x, bottom + 6.0, TEXT, 1.0, ""));
        if (n - 1 - i).is_multiple_of(every) {
            body.push_str(&text(x, bottom + 24.0, "middle", "tick-x", "", period));
        }
    }
    body.push_str(&text((x0 + x1) / 2.0, bottom + 54.0, "middle", "axis-label x-label", "", c.x_label.trim()));
    body.push_str("</g>");

    for (i, (s, values)) in c.series.iter().zip(&data).enumerate() {
        let st = &styles[i];
        let name = s.name.trim();
        body.push_str(&format!(r#"<g class="series" data-series="{i}" data-marker="{}">"#, st.marker.name()));
        let points: Vec<Option<(f64, f64)>> =
            values.iter().enumerate().map(|(j, v)| v.map(|v| (x_of(j), y_of(v)))).collect();
        for run in points.split(Option::is_none) {
            if run.len() > 1 {
                let pts: Vec<String> = run.iter().flatten().map(|(x, y)| format!("{},{}", px(*x), px(*y))).collect();
                body.push_str(&format!(
                    r#"<polyline class="line" points="{}" fill="none" stroke="{}" stroke-width="3" stroke-linejoin="round"{}/>"#,
                    pts.join(" "),
                    st.colour,
                    dash_attr(st.dash)
                ));
            }
        }
        for (j, point) in points.iter().enumerate() {
            if let (Some((x, y)), Some(v)) = (point, values[j]) {
                body.push_str(&st.marker.path(*x, *y, "marker", st.colour));
                body.push_str(&format!(
                    "><title>{}</title></path>",
                    esc(&format!("{name}, {}: {}", c.periods[j], format_number(v, c.dps)))
                ));
            }
        }
        body.push_str("</g>");
    }

    // Direct labels beside the plot at the height of each series' last value, nudged apart where
    // they would overlap, with a leader from the point so each is tied to its line. Leaders are
    // thin and grey so that one crossing the plot, from a series that ends early, is not taken
    // for a line of data.
    let mut ends: Vec<(usize, f64, f64)> = labelled
        .iter()
        .filter_map(|i| {
            let j = data[*i].iter().rposition(Option::is_some)?;
            let v = data[*i][j]?;
            Some((*i, x_of(j), y_of(v)))
        })
        .collect();
    ends.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut label_ys: Vec<f64> = ends.iter().map(|e| e.2).collect();
    spread(&mut label_ys, 20.0, bottom + 8.0);
    body.push_str(r#"<g class="direct-labels">"#);
    for ((i, x, y), ly) in ends.iter().zip(&label_ys) {
        body.push_str(&format!(
            r#"<path class="leader" d="M{},{}L{},{}" fill="none" stroke="{LEADER}" stroke-width="1"/>"#,
            px(x + 8.0),
            px(*y),
            px(x1 + 12.0),
            px(*ly)
        ));
        body.push_str(&text(x1 + 16.0, ly + 5.0, "start", "direct-label", "", c.series[*i].name.trim()));
    }
    body.push_str("</g>");

    // The legend: a sample of each line with its marker, then its name, wrapping into rows.
    body.push_str(r#"<g class="legend">"#);
    let (mut lx, mut ly) = (8.0, bottom + 88.0);
    for (i, (label, w)) in legend_names.iter().zip(&legend_w).enumerate() {
        if lx > 8.0 && lx + w > width - 8.0 {
            lx = 8.0;
            ly += 28.0;
        }
        let st = &styles[i];
        body.push_str(r#"<g class="legend-item">"#);
        body.push_str(&line(lx, ly, lx + 44.0, ly, st.colour, 3.0, &dash_attr(st.dash)));
        body.push_str(&st.marker.path(lx + 22.0, ly, "key-marker", st.colour));
        body.push_str("/>");
        body.push_str(&text(lx + 52.0, ly + 5.0, "start", "legend-label", "", label));
        body.push_str("</g>");
        lx += w;
    }
    body.push_str("</g>");

    Chart { svg: svg(&id, width, ly + 20.0, c.title, &description, &body), description }
}

/// The value axis of a bar chart, always including zero; None when no bar has a value.
fn bar_scale(c: &BarChart) -> Option<Scale> {
    let values = c.bars.iter().filter_map(|b| finite(b.value));
    let (lo, hi) = range(values)?;
    let reference = c.reference.and_then(|(_, v)| finite(Some(v)));
    let (lo, hi) = reference.map_or((lo, hi), |r| (lo.min(r), hi.max(r)));
    Some(scale(lo.min(0.0), hi.max(0.0), 6))
}

/// A bar's name as shown, with the words that mark the trust.
fn bar_name(b: &Bar) -> String {
    if b.highlight { format!("{} (this trust)", b.name.trim()) } else { b.name.trim().to_string() }
}

/// The text description of a bar chart, as written into its `<desc>`: e.g. "Bar chart of infant
/// mortality rate. Value axis: Rate per 1,000 live births, from 0 to 5. County Durham (this
/// trust): 4.1; Gateshead: 3.9; Sunderland: no value. Statistical neighbours' mean: 4.0."
pub fn describe_bars(c: &BarChart) -> String {
    let mut d = String::from("Bar chart");
    if !c.measure.trim().is_empty() {
        d.push_str(&format!(" of {}", c.measure.trim()));
    }
    d.push('.');
    let Some(sc) = bar_scale(c) else {
        d.push_str(" No values to chart.");
        return d;
    };
    d.push_str(&format!(" {}.", axis_sentence(c.value_label, &sc)));
    let bars: Vec<String> = c
        .bars
        .iter()
        .map(|b| format!("{}: {}", bar_name(b), format_number(finite(b.value).unwrap_or(f64::NAN), c.dps)))
        .collect();
    d.push_str(&format!(" {}.", bars.join("; ")));
    if let Some((name, v)) = c.reference.filter(|(_, v)| v.is_finite()) {
        d.push_str(&format!(" {}: {}.", name.trim(), format_number(v, c.dps)));
    }
    d
}

/// A chart of horizontal bars from zero, each labelled with its value at its end ("no value" and
/// no bar where it has none); the trust's bar hatched, outlined and named "(this trust)"; an
/// optional reference value drawn as a labelled dashed line across the bars.
pub fn bar_chart(c: &BarChart) -> Chart {
    let description = describe_bars(c);
    let id = clean_id(c.id);
    let Some(sc) = bar_scale(c) else {
        return Chart { svg: empty(&id, c.title, &description), description };
    };
    let values: Vec<Option<f64>> = c.bars.iter().map(|b| finite(b.value)).collect();
    let names: Vec<String> = c.bars.iter().map(bar_name).collect();
    let value_labels: Vec<String> =
        values.iter().map(|v| v.map_or_else(|| "no value".to_string(), |v| format_number(v, c.dps))).collect();
    let reference = c
        .reference
        .filter(|(_, v)| v.is_finite())
        .map(|(name, v)| (format!("{}: {}", name.trim(), format_number(v, c.dps)), v));

    // Horizontal layout: names, room for labels of negative bars, the plot, room for labels of
    // the rest. Bold names are a little wider.
    let name_w =
        names.iter().zip(c.bars).map(|(n, b)| text_w(n) * if b.highlight { 1.1 } else { 1.0 }).fold(0.0, f64::max);
    let label_w = |negative: bool| {
        values
            .iter()
            .zip(&value_labels)
            .filter(|(v, _)| v.is_some_and(|v| v < 0.0) == negative)
            .map(|(_, l)| text_w(l) + 8.0)
            .fold(0.0, f64::max)
    };
    let names_right = 8.0 + name_w;
    let x0 = names_right + 12.0 + label_w(true);
    let x1 = x0 + BAR_PLOT_W;
    let tick_labels: Vec<String> = sc.ticks.iter().map(|t| sc.label(*t)).collect();
    let last_tick_w = tick_labels.last().map_or(0.0, |l| text_w(l) / 2.0);
    let mut width = (x1 + label_w(false).max(last_tick_w) + 8.0).max(16.0 + text_w(c.value_label));
    if let Some((label, _)) = &reference {
        width = width.max(16.0 + text_w(label));
    }
    let x_of = |v: f64| x0 + sc.fraction(v) * BAR_PLOT_W;

    let top = if reference.is_some() { 44.0 } else { 12.0 };
    let bottom = top + c.bars.len() as f64 * BAR_ROW_H;

    let mut body = String::new();
    body.push_str(&format!(
        concat!(
            r#"<defs><pattern id="{id}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" "#,
            r#"patternTransform="rotate(45)"><rect width="8" height="8" fill="{fill}"/>"#,
            r##"<rect width="3" height="8" fill="#ffffff"/></pattern></defs>"##
        ),
        id = id,
        fill = BAR_HIGHLIGHT
    ));

    // Gridlines and ticks along the bottom; zero is the baseline the bars grow from.
    body.push_str(r#"<g class="value-axis">"#);
    for (t, label) in sc.ticks.iter().zip(&tick_labels) {
        let x = x_of(*t);
        body.push_str(&line(x, top, x, bottom, GRID, 1.0, ""));
        body.push_str(&line(x, bottom, x, bottom + 6.0, TEXT, 1.0, ""));
        body.push_str(&text(x, bottom + 24.0, "middle", "tick-x", "", label));
    }
    body.push_str(&line(x0, bottom, x1, bottom, TEXT, 1.0, ""));
    body.push_str(&text((x0 + x1) / 2.0, bottom + 54.0, "middle", "axis-label x-label", "", c.value_label.trim()));
    body.push_str("</g>");

    let zero = x_of(0.0);
    body.push_str(r#"<g class="bars">"#);
    for (i, ((b, v), (name, value_label))) in
        c.bars.iter().zip(&values).zip(names.iter().zip(&value_labels)).enumerate()
    {
        let row = top + i as f64 * BAR_ROW_H;
        let mid = row + BAR_ROW_H / 2.0;
        let weight = if b.highlight { r#" font-weight="bold""# } else { "" };
        let class = if b.highlight { "bar-row highlight" } else { "bar-row" };
        body.push_str(&format!(r#"<g class="{class}">"#));
        body.push_str(&text(names_right, mid + 5.0, "end", "bar-name", weight, name));
        match v {
            Some(v) => {
                let end = x_of(*v);
                let paint = if b.highlight {
                    format!(r#"fill="url(#{id}-hatch)" stroke="{TEXT}" stroke-width="2""#)
                } else {
                    format!(r#"fill="{BAR}""#)
                };
                body.push_str(&format!(
                    r#"<rect class="bar" x="{}" y="{}" width="{}" height="{BAR_H}" {paint}><title>{}</title></rect>"#,
                    px(zero.min(end)),
                    px(mid - BAR_H / 2.0),
                    px((end - zero).abs()),
                    esc(&format!("{name}: {value_label}"))
                ));
                let (x, anchor) = if *v < 0.0 { (end - 6.0, "end") } else { (end + 6.0, "start") };
                body.push_str(&text(x, mid + 5.0, anchor, "bar-value", weight, value_label));
            }
            None => body.push_str(&text(zero + 6.0, mid + 5.0, "start", "no-value", "", value_label)),
        }
        body.push_str("</g>");
    }
    // The baseline goes over the bars' ends at zero.
    body.push_str(&line(zero, top, zero, bottom, TEXT, 1.5, ""));
    body.push_str("</g>");

    if let Some((label, v)) = &reference {
        let x = x_of(*v);
        let lx = (x - text_w(label) / 2.0).clamp(8.0, (width - 8.0 - text_w(label)).max(8.0));
        body.push_str(r#"<g class="reference">"#);
        body.push_str(&line(x, top - 8.0, x, bottom, TEXT, 2.0, r#" stroke-dasharray="6 4""#));
        body.push_str(&text(lx, top - 14.0, "start", "reference-label", "", label));
        body.push_str("</g>");
    }

    Chart { svg: svg(&id, width, bottom + 70.0, c.title, &description, &body), description }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that `s` is well-formed XML as the charts write it: one root element, every tag
    /// closed in order, attributes quoted and not repeated, and only valid entity references.
    fn check_xml(s: &str) -> Result<(), String> {
        fn entities(text: &str) -> Result<(), String> {
            let mut rest = text;
            while let Some(at) = rest.find('&') {
                let after = &rest[at + 1..];
                let end = after.find(';').ok_or_else(|| format!("unterminated entity in {text:?}"))?;
                let name = &after[..end];
                let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || name
                        .strip_prefix("#x")
                        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                    || name.strip_prefix('#').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(format!("bad entity &{name};"));
                }
                rest = &after[end + 1..];
            }
            if text.contains('<') {
                return Err(format!("stray < in {text:?}"));
            }
            Ok(())
        }
        let name_ok = |n: &str| {
            !n.is_empty()
                && n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && n.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c))
        };
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        let mut rest = s;
        while !rest.is_empty() {
            let Some(open) = rest.find('<') else {
                if !stack.is_empty() || !rest.trim().is_empty() {
                    return Err(format!("text outside root or unclosed: {rest:?}"));
                }
                break;
            };
            let text = &rest[..open];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            entities(text)?;
            rest = &rest[open..];
            if let Some(close) = rest.strip_prefix("</") {
                let end = close.find('>').ok_or("unterminated end tag")?;
                let name = close[..end].trim_end();
                match stack.pop() {
                    Some(top) if top == name => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
                rest = &close[end + 1..];
                continue;
            }
            // A start tag: a name, then name="value" pairs, then > or />.
            let mut tag = &rest[1..];
            let name_end = tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/').ok_or("unterminated tag")?;
            let name = &tag[..name_end];
            if !name_ok(name) {
                return Err(format!("bad element name {name:?}"));
            }
            if stack.is_empty() {
                roots += 1;
            }
            tag = &tag[name_end..];
            let mut seen: Vec<&str> = Vec::new();
            loop {
                let trimmed = tag.trim_start();
                if let Some(after) = trimmed.strip_prefix("/>") {
                    tag = after;
                    break;
                }
                if let Some(after) = trimmed.strip_prefix('>') {
                    stack.push(name.to_string());
                    tag = after;
                    break;
                }
                if trimmed.len() == tag.len() {
                    return Err(format!("no space before attribute in <{name}"));
                }
                let eq = trimmed.find('=').ok_or_else(|| format!("attribute without value in <{name}"))?;
                let attr = &trimmed[..eq];
                if !name_ok(attr) {
                    return Err(format!("bad attribute name {attr:?} in <{name}"));
                }
                if seen.contains(&attr) {
                    return Err(format!("repeated attribute {attr} in <{name}"));
                }
                seen.push(attr);
                let value = &trimmed[eq + 1..];
                let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'').ok_or("unquoted attribute")?;
                let end = value[1..].find(quote).ok_or("unterminated attribute")?;
                entities(&value[1..1 + end])?;
                tag = &value[end + 2..];
            }
            rest = tag;
        }
        if !stack.is_empty() {
            return Err(format!("unclosed: {stack:?}"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
    }

    /// The value of attribute `name` in an opening tag.
    fn attr(tag: &str, name: &str) -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = tag[start..].find('"')?;
        Some(unescape(&tag[start..start + len]))
    }

    /// The opening tags of elements whose class includes `class`.
    fn tags<'a>(svg: &'a str, class: &str) -> Vec<&'a str> {
        svg.match_indices('<')
            .filter_map(|(i, _)| {
                let end = svg[i..].find('>')? + i + 1;
                let tag = &svg[i..end];
                attr(tag, "class").filter(|c| c.split(' ').any(|w| w == class)).map(|_| tag)
            })
            .collect()
    }

    /// The text of `<text>` elements whose class includes `class`.
    fn texts(svg: &str, class: &str) -> Vec<String> {
        svg.match_indices("<text ")
            .filter_map(|(i, _)| {
                let open_end = svg[i..].find('>')? + i + 1;
                let close = svg[open_end..].find("</text>")? + open_end;
                attr(&svg[i..open_end], "class")
                    .filter(|c| c.split(' ').any(|w| w == class))
                    .map(|_| unescape(&svg[open_end..close]))
            })
            .collect()
    }

    /// The content of each series group, in order.
    fn series_groups(svg: &str) -> Vec<&str> {
        svg.match_indices(r#"<g class="series""#)
            .filter_map(|(i, _)| {
                // Series groups hold no nested groups, so the first </g> closes them.
                let end = svg[i..].find("</g>")? + i;
                Some(&svg[i..end])
            })
            .collect()
    }

    /// The centre of a marker, read from the start of its path.
    fn centre(tag: &str) -> (f64, f64) {
        let d = attr(tag, "d").unwrap();
        let start = d.strip_prefix('M').unwrap();
        let end = start.find('m').unwrap();
        let (x, y) = start[..end].split_once(',').unwrap();
        (x.parse().unwrap(), y.parse().unwrap())
    }

    fn number(label: &str) -> f64 {
        label.replace(',', "").parse().unwrap()
    }

    fn periods(years: std::ops::RangeInclusive<i32>) -> Vec<String> {
        years.map(|y| y.to_string()).collect()
    }

    fn series(name: &str, values: &[Option<f64>]) -> Series {
        Series { name: name.to_string(), values: values.to_vec() }
    }

    fn line<'a>(id: &'a str, periods: &'a [String], series: &'a [Series]) -> LineChart<'a> {
        LineChart {
            id,
            title: "County Durham's rate fell below its neighbours'",
            measure: "infant mortality rate",
            x_label: "Year",
            y_label: "Rate per 1,000 live births",
            periods,
            series,
            dps: 1,
        }
    }

    fn bar(name: &str, value: Option<f64>, highlight: bool) -> Bar {
        Bar { name: name.to_string(), value, highlight }
    }

    fn bars<'a>(id: &'a str, bars: &'a [Bar], reference: Option<(&'a str, f64)>) -> BarChart<'a> {
        BarChart {
            id,
            title: "County Durham is above most of its neighbours",
            measure: "infant mortality rate",
            value_label: "Rate per 1,000 live births",
            bars,
            reference,
            dps: 2,
        }
    }

    /// Bars with an optional reference line.
    type BarCase<'a> = (Vec<Bar>, Option<(&'a str, f64)>);

    /// Checks every chart must pass, whatever its data.
    fn check_chart(chart: &Chart) {
        let svg = &chart.svg;
        check_xml(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        for banned in ["<script", "foreignObject", "style=", "<style", "href=", "NaN", "=\"inf", "-inf", ",inf"] {
            assert!(!svg.contains(banned), "{banned} in {svg}");
        }
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains(r#" width="100%""#) && svg.contains(" viewBox=\"0 0 "));
        assert!(svg.contains(r#" role="img""#));
        assert!(svg.contains(&format!("<desc id=\"{}\">{}</desc>", ids(svg)[1], esc(&chart.description))));
        for tag in
            tags(svg, "tick-x").iter().chain(&svg.match_indices("<text ").map(|(i, _)| &svg[i..]).collect::<Vec<_>>())
        {
            let size: f64 = attr(tag, "font-size").unwrap().parse().unwrap();
            assert!(size >= 14.0);
            assert_eq!(attr(tag, "fill").unwrap(), TEXT);
        }
    }

    /// The ids `aria-labelledby` names, checked to belong to the title and the description.
    fn ids(svg: &str) -> Vec<String> {
        let root = &svg[..svg.find('>').unwrap()];
        let ids: Vec<String> = attr(root, "aria-labelledby").unwrap().split(' ').map(str::to_string).collect();
        assert_eq!(ids.len(), 2);
        assert_eq!(svg.matches(&format!("<title id=\"{}\">", ids[0])).count(), 1);
        assert_eq!(svg.matches(&format!("<desc id=\"{}\">", ids[1])).count(), 1);
        ids
    }

    #[test]
    fn nice_ticks_use_steps_of_one_two_two_and_a_half_or_five() {
        assert_eq!(nice_ticks(0.0, 7.3, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(3.85, 4.2, 5), vec![3.8, 3.9, 4.0, 4.1, 4.2]);
        assert_eq!(nice_ticks(0.0, 0.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nice_ticks(-7.3, -1.0, 5), vec![-8.0, -6.0, -4.0, -2.0, 0.0]);
        assert_eq!(nice_ticks(-3.0, 12.0, 5), vec![-5.0, 0.0, 5.0, 10.0, 15.0]);
        assert_eq!(nice_ticks(0.0, 10.0, 5), vec![0.0, 2.5, 5.0, 7.5, 10.0]);
        assert_eq!(nice_ticks(0.0, 12_345.0, 6), vec![0.0, 2_500.0, 5_000.0, 7_500.0, 10_000.0, 12_500.0]);
        // A level series, bounds given backwards, and bounds that are not numbers.
        assert_eq!(nice_ticks(4.0, 4.0, 5), vec![3.6, 3.8, 4.0, 4.2, 4.4]);
        assert_eq!(nice_ticks(8.0, 0.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(f64::NAN, f64::INFINITY, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nice_ticks(f64::NAN, 3.0, 2), vec![2.0, 3.0, 4.0]);
        // However wide or narrow the range, the ticks cover it, in order, with no -0.
        for (lo, hi) in [(-1e12, 3e15), (1e-7, 3e-7), (-0.4, -0.1), (0.3, 0.9), (-1e300, 1e300), (12.0, 12.000001)] {
            for target in [2, 5, 6, 10] {
                let t = nice_ticks(lo, hi, target);
                assert!(t.len() >= 2 && t[0] <= lo && *t.last().unwrap() >= hi, "{lo} {hi} {t:?}");
                assert!(t.windows(2).all(|w| w[0] < w[1]));
                assert!(t.len() <= target + 2, "{lo} {hi} {target} {t:?}");
                assert!(t.iter().all(|x| x.is_finite() && !(x == &0.0 && x.is_sign_negative())));
            }
        }
    }

    #[test]
    fn tick_labels_carry_the_decimals_their_step_needs() {
        assert_eq!(scale(0.0, 1.0, 5).decimals, 2);
        assert_eq!(scale(3.85, 4.2, 5).decimals, 1);
        assert_eq!(scale(0.0, 10.0, 5).decimals, 1);
        assert_eq!(scale(0.0, 100.0, 5).decimals, 0);
        assert_eq!(scale(0.0, 7.3, 5).decimals, 0);
    }

    #[test]
    fn numbers_have_the_given_decimals_and_thousands_separators() {
        assert_eq!(format_number(12_345.0, 0), "12,345");
        assert_eq!(format_number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(format_number(-1_234.5, 1), "-1,234.5");
        assert_eq!(format_number(999.96, 1), "1,000.0");
        assert_eq!(format_number(-0.04, 1), "0.0");
        assert_eq!(format_number(-0.0, 0), "0");
        assert_eq!(format_number(4.1, 2), "4.10");
        assert_eq!(format_number(123.0, 0), "123");
        assert_eq!(format_number(3.25, 1), "3.3");
        assert_eq!(format_number(2.5, 0), "3");
        assert_eq!(format_number(-2.5, 0), "-3");
        assert_eq!(format_number(0.125, 2), "0.13");
        assert_eq!(format_number(1e20, 1), "100,000,000,000,000,000,000.0");
        assert_eq!(format_number(f64::NAN, 1), "no value");
    }

    #[test]
    fn the_palette_has_at_least_three_to_one_contrast_with_white() {
        fn channel(hex: &str) -> f64 {
            let c = f64::from(u8::from_str_radix(hex, 16).unwrap()) / 255.0;
            if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        }
        for colour in PALETTE.iter().chain(&[BAR, BAR_HIGHLIGHT, TEXT]) {
            let l = 0.2126 * channel(&colour[1..3]) + 0.7152 * channel(&colour[3..5]) + 0.0722 * channel(&colour[5..7]);
            assert!(1.05 / (l + 0.05) >= 3.0, "{colour}");
        }
    }

    #[test]
    fn escaping_covers_the_five_xml_characters_and_drops_what_xml_cannot_hold() {
        assert_eq!(esc(r#"Bath & <N'E> "Somerset""#), "Bath &amp; &lt;N&apos;E&gt; &quot;Somerset&quot;");
        assert_eq!(esc("a\u{0}b\u{1b}c"), "abc");
        assert_eq!(clean_id("trend chart\"1"), "trend-chart-1");
        assert_eq!(clean_id("1st"), "chart-1st");
        assert_eq!(clean_id(""), "chart-");
    }

    #[test]
    fn the_checker_rejects_what_is_not_well_formed() {
        assert!(check_xml(r#"<svg a="1"><g></g></svg>"#).is_ok());
        for bad in [
            "<svg><g></svg>",
            "<svg a=1></svg>",
            r#"<svg a="1" a="2"></svg>"#,
            "<svg>a & b</svg>",
            "<svg>&nbsp;</svg>",
            r#"<svg a="<"></svg>"#,
            "<svg></svg><svg></svg>",
            "<svg>",
        ] {
            assert!(check_xml(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn charts_are_well_formed_and_safe_for_awkward_input() {
        let awkward = [
            "Bath & North East Somerset",
            "<script>alert('x')</script>",
            r#"St "Helens" & O'Neill's"#,
            "",
            "A very long authority name that goes on and on and on",
        ];
        let cases: Vec<(Vec<String>, Vec<Series>)> = vec![
            (periods(2014..=2023), vec![]),
            (vec![], vec![series("A", &[Some(1.0)])]),
            (periods(2014..=2014), vec![series(awkward[0], &[Some(4.1)])]),
            (periods(2014..=2016), vec![series(awkward[1], &[None, None, None])]),
            (periods(2014..=2018), vec![series(awkward[2], &[Some(4.0); 5]), series(awkward[3], &[Some(4.0); 5])]),
            (
                periods(2014..=2019),
                vec![
                    series(awkward[4], &[Some(-3.0), Some(2.0), None, Some(-1.5), None, Some(0.5)]),
                    series("Not finite", &[Some(f64::NAN), Some(f64::INFINITY), Some(1.0), Some(f64::NEG_INFINITY)]),
                ],
            ),
            (periods(2001..=2024), (0..8).map(|i| series(&format!("S{i}"), &[Some(1e9 * f64::from(i)); 24])).collect()),
            (
                vec!["2014-15 <provisional>".to_string(), "2015-16 & revised".to_string()],
                vec![
                    series("Large", &[Some(12_345_678.9), Some(98_765.4)]),
                    series("Extra", &[None, Some(1.0), Some(7.0)]),
                ],
            ),
            (periods(2014..=2017), vec![series("Negative", &[Some(-7.0), Some(-6.5), Some(-6.8), Some(-7.2)])]),
        ];
        for (i, (periods, series)) in cases.iter().enumerate() {
            let id = format!("case-{i} {}", awkward[i % awkward.len()]);
            let mut chart = line(&id, periods, series);
            chart.title = awkward[i % awkward.len()];
            chart.y_label = awkward[(i + 1) % awkward.len()];
            let out = line_chart(&chart);
            check_chart(&out);
            assert_eq!(out.description, describe_line(&chart));
            assert!(!out.svg.contains("<script>"));
        }

        let bar_cases: Vec<BarCase> = vec![
            (vec![], None),
            (vec![bar("A", None, true)], Some(("Mean", 3.0))),
            (vec![bar(awkward[0], Some(4.1), true), bar(awkward[1], None, false)], Some((awkward[2], 3.9))),
            (vec![bar(awkward[2], Some(-2.0), false), bar(awkward[3], Some(5.0), true)], Some(("Mean", f64::NAN))),
            (vec![bar(awkward[4], Some(12_345.0), false), bar("B", Some(f64::INFINITY), true)], None),
            (vec![bar("All zero", Some(0.0), false)], Some(("Mean", 0.0))),
            (vec![bar("Negative", Some(-1e6), true), bar("Also", Some(-2.5), false)], Some(("Mean", -500_000.0))),
        ];
        for (i, (data, reference)) in bar_cases.iter().enumerate() {
            let id = format!("bars-{i}");
            let mut chart = bars(&id, data, *reference);
            chart.title = awkward[i % awkward.len()];
            let out = bar_chart(&chart);
            check_chart(&out);
            assert_eq!(out.description, describe_bars(&chart));
        }
    }

    #[test]
    fn nothing_to_plot_says_so_and_keeps_its_title_and_description() {
        let years = periods(2014..=2016);
        let empty_series = [series("County Durham", &[None, Some(f64::NAN), None])];
        for chart in [line_chart(&line("a", &years, &[])), line_chart(&line("b", &years, &empty_series))] {
            check_chart(&chart);
            assert_eq!(texts(&chart.svg, "no-values"), ["No values to chart"]);
            assert!(chart.description.ends_with("No values to chart."));
            assert!(chart.svg.contains("<title id="));
        }
        let none = [bar("County Durham", None, true)];
        let chart = bar_chart(&bars("c", &none, None));
        check_chart(&chart);
        assert_eq!(texts(&chart.svg, "no-values"), ["No values to chart"]);
    }

    #[test]
    fn ids_are_named_by_aria_labelledby_and_unique_across_charts() {
        let years = periods(2014..=2016);
        let s = [series("County Durham", &[Some(1.0), Some(2.0), Some(3.0)])];
        let b = [bar("County Durham", Some(1.0), true)];
        let one = line_chart(&line("trend", &years, &s)).svg;
        let two = bar_chart(&bars("neighbours", &b, Some(("Mean", 1.0)))).svg;
        assert_eq!(ids(&one), ["trend-title", "trend-desc"]);
        assert_eq!(ids(&two), ["neighbours-title", "neighbours-desc"]);
        let page = format!("<div>{one}{two}</div>");
        check_xml(&page).unwrap();
        let all: Vec<String> = page.match_indices(" id=\"").map(|(i, _)| attr(&page[i..], "id").unwrap()).collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(all.len(), unique.len(), "{all:?}");
        assert!(all.contains(&"neighbours-hatch".to_string()));
        assert!(two.contains("url(#neighbours-hatch)"));
    }

    #[test]
    fn each_series_is_named_directly_and_in_the_legend_with_its_own_marker_and_dash() {
        let years = periods(2014..=2023);
        let names = ["County Durham", "Statistical neighbours' mean", "North East", "England", "Five", "Six"];
        let data: Vec<Series> = names
            .iter()
            .enumerate()
            .map(|(i, n)| series(n, &(0..10).map(|y| Some(4.0 + f64::from(y + i as i32) / 10.0)).collect::<Vec<_>>()))
            .collect();
        let svg = line_chart(&line("trend", &years, &data)).svg;
        let direct = texts(&svg, "direct-label");
        let legend = texts(&svg, "legend-label");
        for name in names {
            assert_eq!(direct.iter().filter(|d| *d == name).count(), 1, "{name}");
            assert_eq!(legend.iter().filter(|d| *d == name).count(), 1, "{name}");
        }
        let groups = series_groups(&svg);
        assert_eq!(groups.len(), names.len());
        let markers: Vec<String> = groups.iter().map(|g| attr(g, "data-marker").unwrap()).collect();
        let dashes: Vec<String> =
            groups.iter().map(|g| attr(tags(g, "line")[0], "stroke-dasharray").unwrap_or_default()).collect();
        for i in 0..names.len() {
            for j in 0..i {
                assert_ne!(markers[i], markers[j]);
                assert_ne!(dashes[i], dashes[j]);
            }
            // The marker drawn is the one the group names, and so is the legend's.
            assert!(tags(groups[i], "marker").iter().all(|t| attr(t, "class").unwrap().ends_with(&markers[i])));
            assert!(attr(tags(&svg, "key-marker")[i], "class").unwrap().ends_with(&markers[i]));
        }
        // Styles stay distinct in shape or dash well beyond the palette.
        for i in 0..36 {
            for j in 0..i {
                assert!(style(i).marker != style(j).marker || style(i).dash != style(j).dash, "{i} {j}");
            }
        }
    }

    #[test]
    fn every_value_is_marked_and_gaps_break_the_line() {
        let years = periods(2014..=2020);
        let data = [
            series("Gappy", &[Some(1.0), Some(2.0), None, Some(3.0), Some(2.5), None, Some(4.0)]),
            series("Lone", &[None, None, None, Some(3.0), None, None, None]),
            series("Short", &[Some(2.0), Some(f64::NAN)]),
            series("Full", &[Some(1.0); 7]),
        ];
        let out = line_chart(&line("gaps", &years, &data));
        let groups = series_groups(&out.svg);
        for (s, g) in data.iter().zip(&groups) {
            let present = s.values.iter().flatten().filter(|v| v.is_finite()).count();
            assert_eq!(tags(g, "marker").len(), present, "{}", s.name);
        }
        assert_eq!(tags(groups[0], "line").len(), 2);
        assert_eq!(tags(groups[1], "line").len(), 0);
        assert_eq!(tags(groups[2], "line").len(), 0);
        assert_eq!(tags(groups[3], "line").len(), 1);
        // Each line piece runs through exactly its run of points.
        let points: Vec<usize> =
            tags(groups[0], "line").iter().map(|t| attr(t, "points").unwrap().split(' ').count()).collect();
        assert_eq!(points, [2, 2]);
        assert!(out.description.contains("Gappy: 1.0 in 2014 to 4.0 in 2020; no value for 2016 and 2019."));
        assert!(
            out.description.contains("Lone: 3.0 in 2017 only; no value for 2014, 2015, 2016, 2018, 2019 and 2020.")
        );
        // A lone point still has its direct label.
        assert!(texts(&out.svg, "direct-label").contains(&"Lone".to_string()));
    }

    #[test]
    fn higher_values_are_drawn_higher_and_the_ticks_cover_the_data() {
        let years = periods(2014..=2018);
        let values = [Some(3.9), Some(4.2), Some(3.85), Some(4.05), Some(4.1)];
        let data = [series("County Durham", &values), series("England", &[Some(4.0); 5])];
        let out = line_chart(&line("order", &years, &data));
        let ys: Vec<f64> = tags(series_groups(&out.svg)[0], "marker").iter().map(|t| centre(t).1).collect();
        let xs: Vec<f64> = tags(series_groups(&out.svg)[0], "marker").iter().map(|t| centre(t).0).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]));
        for i in 0..values.len() {
            for j in 0..values.len() {
                if values[i] > values[j] {
                    assert!(ys[i] < ys[j], "{i} {j} {ys:?}");
                }
            }
        }
        let ticks: Vec<f64> = texts(&out.svg, "tick-y").iter().map(|t| number(t)).collect();
        assert!(ticks.first().unwrap() <= &3.85 && ticks.last().unwrap() >= &4.2, "{ticks:?}");
        assert_eq!(texts(&out.svg, "tick-y"), ["3.8", "3.9", "4.0", "4.1", "4.2"]);
        // The axis starts above zero, so it is drawn broken and the description says so.
        assert_eq!(tags(&out.svg, "axis-break").len(), 1);
        assert!(
            out.description.contains("Value axis: Rate per 1,000 live births, from 3.8 to 4.2, not including zero.")
        );
        assert!(out.description.starts_with("Line chart of infant mortality rate from 2014 to 2018."));
        assert!(
            out.description
                .contains("County Durham: 3.9 in 2014 to 4.1 in 2018, highest 4.2 in 2015, lowest 3.9 in 2016.")
        );
        assert!(out.description.contains("England: 4.0 in 2014 to 4.0 in 2018."));
        assert_eq!(texts(&out.svg, "tick-x"), periods(2014..=2018));
        assert_eq!(texts(&out.svg, "y-label"), ["Rate per 1,000 live births"]);
        assert_eq!(texts(&out.svg, "x-label"), ["Year"]);
    }

    #[test]
    fn a_line_chart_keeps_zero_unless_it_would_squash_the_lines() {
        let years = periods(2014..=2016);
        let low = [series("A", &[Some(1.0), Some(5.0), Some(3.0)])];
        let out = line_chart(&line("z", &years, &low));
        assert_eq!(texts(&out.svg, "tick-y").first().map(String::as_str), Some("0"));
        assert!(tags(&out.svg, "axis-break").is_empty());
        assert!(!out.description.contains("not including zero"));
        let negative = [series("A", &[Some(-7.0), Some(-6.5), Some(-6.9)])];
        let out = line_chart(&line("n", &years, &negative));
        assert!(texts(&out.svg, "tick-y").iter().all(|t| number(t) < 0.0));
        assert_eq!(tags(&out.svg, "axis-break").len(), 1);
        assert!(out.description.contains("not including zero"));
        let across = [series("A", &[Some(-2.0), Some(3.0), Some(1.0)])];
        let out = line_chart(&line("x", &years, &across));
        assert!(texts(&out.svg, "tick-y").contains(&"0".to_string()));
    }

    #[test]
    fn many_periods_are_labelled_sparingly_but_always_the_latest() {
        let years: Vec<String> = (2000..2040).map(|y| format!("{y}-{:02}", (y + 1) % 100)).collect();
        let data = [series("A", &(0..40).map(|i| Some(f64::from(i))).collect::<Vec<_>>())];
        let svg = line_chart(&line("many", &years, &data)).svg;
        let shown = texts(&svg, "tick-x");
        assert!(shown.len() < 40 && shown.len() >= 5, "{shown:?}");
        assert_eq!(shown.last(), years.last());
        let xs: Vec<f64> = tags(&svg, "tick-x").iter().map(|t| attr(t, "x").unwrap().parse().unwrap()).collect();
        assert!(xs.windows(2).all(|w| w[1] - w[0] >= text_w("2000-01")));
    }

    #[test]
    fn direct_labels_do_not_overlap() {
        let years = periods(2014..=2015);
        let data: Vec<Series> =
            (0..5).map(|i| series(&format!("S{i}"), &[Some(1.0), Some(4.0 + f64::from(i) / 100.0)])).collect();
        let svg = line_chart(&line("close", &years, &data)).svg;
        let mut ys: Vec<f64> =
            tags(&svg, "direct-label").iter().map(|t| attr(t, "y").unwrap().parse().unwrap()).collect();
        ys.sort_by(f64::total_cmp);
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= 19.9), "{ys:?}");
    }

    #[test]
    fn a_bar_chart_starts_at_zero_marks_the_trust_and_labels_every_bar() {
        let data = [
            bar("Gateshead", Some(4.5), false),
            bar("County Durham", Some(4.1), true),
            bar("Sunderland", None, false),
            bar("Bath & North East Somerset", Some(3.25), false),
        ];
        let out = bar_chart(&bars("bars", &data, Some(("Statistical neighbours' mean", 3.95))));
        let svg = &out.svg;
        check_chart(&out);
        let ticks = texts(svg, "tick-x");
        assert_eq!(ticks.first().map(String::as_str), Some("0"));
        assert!(number(ticks.last().unwrap()) >= 4.5);
        assert_eq!(
            texts(svg, "bar-name"),
            ["Gateshead", "County Durham (this trust)", "Sunderland", "Bath & North East Somerset"]
        );
        assert_eq!(texts(svg, "bar-value"), ["4.50", "4.10", "3.25"]);
        assert_eq!(texts(svg, "no-value"), ["no value"]);
        assert_eq!(tags(svg, "bar").len(), 3);
        // The trust's bar differs by pattern and outline, not only by colour.
        let highlighted: Vec<&str> = tags(svg, "bar").into_iter().filter(|t| t.contains("url(#bars-hatch)")).collect();
        assert_eq!(highlighted.len(), 1);
        assert_eq!(attr(highlighted[0], "stroke").unwrap(), TEXT);
        assert_eq!(texts(svg, "reference-label"), ["Statistical neighbours' mean: 3.95"]);
        assert_eq!(tags(svg, "reference").len(), 1);
        assert!(svg.contains(r#"stroke-dasharray="6 4""#));
        assert_eq!(texts(svg, "x-label"), ["Rate per 1,000 live births"]);
        // Longer bars for larger values, all growing from the same baseline.
        let rects = tags(svg, "bar");
        let widths: Vec<f64> = rects.iter().map(|t| attr(t, "width").unwrap().parse().unwrap()).collect();
        assert!(widths[0] > widths[1] && widths[1] > widths[2]);
        let lefts: Vec<String> = rects.iter().map(|t| attr(t, "x").unwrap()).collect();
        assert!(lefts.iter().all(|x| *x == lefts[0]));
        assert_eq!(
            out.description,
            "Bar chart of infant mortality rate. Value axis: Rate per 1,000 live births, from 0 to 5. \
             Gateshead: 4.50; County Durham (this trust): 4.10; Sunderland: no value; \
             Bath & North East Somerset: 3.25. Statistical neighbours' mean: 3.95."
        );
    }

    #[test]
    fn negative_bars_grow_left_from_zero() {
        let data = [bar("Down", Some(-2.0), false), bar("Up", Some(3.0), true), bar("Big", Some(12_345.0), false)];
        let mut chart = bars("neg", &data, None);
        chart.dps = 0;
        let svg = bar_chart(&chart).svg;
        let ticks: Vec<f64> = texts(&svg, "tick-x").iter().map(|t| number(t)).collect();
        assert!(ticks[0] <= -2.0 && ticks.contains(&0.0));
        assert_eq!(texts(&svg, "bar-value"), ["-2", "3", "12,345"]);
        let rects = tags(&svg, "bar");
        let left = |i: usize| attr(rects[i], "x").unwrap().parse::<f64>().unwrap();
        let width = |i: usize| attr(rects[i], "width").unwrap().parse::<f64>().unwrap();
        // The negative bar ends where the positive ones start: at zero.
        assert!((left(0) + width(0) - left(1)).abs() < 0.2);
        let value_tags = tags(&svg, "bar-value");
        assert_eq!(attr(value_tags[0], "text-anchor").unwrap(), "end");
        assert_eq!(attr(value_tags[1], "text-anchor").unwrap(), "start");
    }
}
