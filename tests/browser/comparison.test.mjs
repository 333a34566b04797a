// Regional comparison on DfE's published data, in real headless Chromium: the reference data
// imported by the binary as an operator would, then every comparison page passes axe-core (WCAG
// 2.2 AA) with its charts, each chart's table holds the chart's figures, the scorecard's filters
// work without JavaScript and by keyboard, a measure becomes a need's evidence, a group made by
// its form is what a measure is compared against, and a trust's shared figures show only what
// disclosure control lets out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform, newPage, axeViolations, signIn, shots, binary } from './platform.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// DfE's files where tests/e2e/reference.rs reads them.
const shared = process.env.PLATFORM_SHARED_DATA ?? resolve(root, '../shared/data');
const t = '/t/durham';

let platform, base, browser;
const signedIn = {};

/// Runs the binary against the test server's database (the same data folder and environment).
function platformCommand(args) {
  return new Promise((ok, fail) => {
    const child = spawn(binary, args, {
      cwd: platform.dataDir,
      env: { PATH: process.env.PATH, PLATFORM_DATA_DIR: join(platform.dataDir, 'data'), PLATFORM_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`platform ${args.join(' ')} exited with ${code}:\n${out.slice(-2000)}`))));
  });
}

// The server applies the migrations before it listens; the import then goes into its database.
before(async () => {
  for (const dir of ['lait', 'geography']) {
    assert.ok(existsSync(join(shared, dir)), `DfE's published data is not at ${shared}/${dir} (set PLATFORM_SHARED_DATA)`);
  }
  platform = await startPlatform();
  ({ base, browser } = platform);
  await platformCommand(['reference', 'import', 'lait', join(shared, 'lait')]);
  await platformCommand(['reference', 'import', 'geography', join(shared, 'geography')]);
}, { timeout: 600_000 });

after(async () => {
  for (const { context } of Object.values(signedIn)) await context.close();
  await platform?.stop();
});

/// A page signed in as `who` of Durham (one sign-in per person: links are rate-limited).
async function as(who) {
  if (!signedIn[who]) {
    const opened = await newPage(browser);
    await signIn(platform, opened.page, 'durham', `${who}@durham.example`);
    signedIn[who] = opened;
  }
  return signedIn[who].page;
}

async function checkPage(page, name, path, status = 200) {
  const response = await page.goto(base + path);
  assert.equal(response.status(), status, `${name}: ${path}`);
  assert.deepEqual(await axeViolations(page), [], name);
  assert.equal(await page.locator('h1').count(), 1, `${name} has one h1`);
  await page.screenshot({ path: join(shots, `comparison-${name.replaceAll(' ', '-')}.png`), fullPage: true });
}

/// A table as a person reads it: the column heads and each row's cells (the row head first).
function readTable(table) {
  return table.evaluate((el) => ({
    head: [...el.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
    rows: [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim())),
  }));
}

/// A chart's accessible name and description: what its aria-labelledby points at, inside it.
async function chartLabels(svg) {
  return svg.evaluate((el) => ({
    role: el.getAttribute('role'),
    parts: (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean).map((id) => {
      const target = document.getElementById(id);
      return { tag: target?.tagName.toLowerCase(), inside: el.contains(target), text: target?.textContent.trim() ?? '' };
    }),
  }));
}

test('every comparison page passes axe, with its charts, for a viewer and a commissioner of Durham', async () => {
  const viewer = await as('viewer');
  for (const [name, path, status] of [
    ['index', `${t}/comparison`, 200],
    ['measure', `${t}/comparison?measure=InfMort`, 200],
    ['scorecard', `${t}/comparison/scorecard`, 200],
    ['scorecard filtered', `${t}/comparison/scorecard?band=D&direction=worsening&sort=rank`, 200],
    ['scorecard wrong band', `${t}/comparison/scorecard?band=E`, 400],
    ['groups', `${t}/comparison/groups`, 200],
  ]) {
    await checkPage(viewer, name, path, status);
    if (name === 'index') {
      // The index lists the measures by topic and leads to the scorecard, groups and sharing.
      assert.ok(await viewer.locator('main h2').count() > 5, 'topics');
      assert.ok(await viewer.locator(`main a[href="${t}/comparison?measure=InfMort"]`).count() === 1, 'Infant Mortality listed');
      for (const href of ['scorecard', 'groups', 'sharing']) {
        assert.equal(await viewer.locator(`main a[href="${t}/comparison/${href}"]`).count(), 1, `a link to ${href}`);
      }
    }
    if (name === 'measure') {
      // Both charts are images named by their own title and described by their own desc.
      const charts = viewer.locator('main figure svg');
      assert.equal(await charts.count(), 2);
      for (let i = 0; i < 2; i += 1) {
        const { role, parts } = await chartLabels(charts.nth(i));
        assert.equal(role, 'img');
        assert.deepEqual(parts.map((p) => [p.tag, p.inside]), [['title', true], ['desc', true]]);
        assert.ok(parts.every((p) => p.text.length > 10), 'the title and description say something');
      }
      const downloads = await viewer.locator('main a:has-text("Download")').allTextContents();
      assert.ok(downloads.some((d) => d.includes('(CSV)')) && downloads.some((d) => d.includes('(XLSX)')), downloads.join('; '));
    }
    if (name === 'scorecard wrong band') {
      const summary = viewer.locator('.error-summary a');
      assert.equal(await summary.count(), 1);
      assert.equal(await summary.getAttribute('href'), '#band');
      assert.match(await summary.textContent(), /"E" is not a band/);
      assert.equal(await viewer.locator('main table').count(), 0, 'no results for a refused filter');
    }
    if (name === 'scorecard filtered') {
      // Recording a need is a commissioner's: a viewer gets no such links.
      assert.equal(await viewer.locator('main a:has-text("Record a need")').count(), 0);
    }
  }
  const commissioner = await as('commissioner');
  await checkPage(commissioner, 'scorecard for a commissioner', `${t}/comparison/scorecard?band=D&direction=worsening&sort=rank`);
  await checkPage(commissioner, 'new group', `${t}/comparison/groups/new`);
  assert.ok(await commissioner.locator('main input[type=checkbox][name=members]').count() > 100, 'every authority offered');
});

test('each chart on a measure\'s page holds the same figures as the table beside it', async () => {
  const page = await as('viewer');
  await page.goto(`${base}${t}/comparison?measure=InfMort`);

  // The line chart: each marker's title ("Durham, 2023: 4.7") is the cell of that series and
  // period in "Over the years", and every figure in the table's series columns is a marker.
  const years = await readTable(page.locator('section:has(h2:text-is("Over the years")) table'));
  assert.deepEqual(years.head.slice(0, 3), ['Period', 'Durham', 'Mean of statistical neighbours']);
  assert.equal(years.head.at(-1), 'England');
  assert.ok(years.head.includes('North East'), `the region's column: ${years.head.join(', ')}`);
  const titles = await page.locator('main svg:has(path.marker) path.marker > title').allTextContents();
  assert.ok(titles.length >= 8, `markers: ${titles.length}`);
  const markers = titles.map((text) => {
    const value = text.slice(text.lastIndexOf(': ') + 2);
    const rest = text.slice(0, text.lastIndexOf(': '));
    return { series: rest.slice(0, rest.lastIndexOf(', ')), period: rest.slice(rest.lastIndexOf(', ') + 2), value };
  });
  const series = [...new Set(markers.map((m) => m.series))];
  assert.deepEqual(series, ['Durham', 'Mean of statistical neighbours', 'North East', 'England']);
  for (const m of markers) {
    const column = years.head.indexOf(m.series);
    const row = years.rows.find((r) => r[0] === m.period);
    assert.ok(row, `a row for ${m.period}`);
    assert.equal(row[column], m.value, `${m.series} in ${m.period}`);
  }
  const inTable = [];
  for (const r of years.rows) {
    for (const s of series) {
      const value = r[years.head.indexOf(s)];
      if (/\d/.test(value)) inTable.push(`${s}, ${r[0]}: ${value}`);
    }
  }
  assert.deepEqual([...inTable].sort(), [...titles].sort(), 'the table has no figure the chart leaves out');

  // The bar chart: each bar's value label is the comparators table's value for that authority
  // (this trust's bar is its value in that period in "Over the years"), and the dashed line
  // is the mean in that period.
  const comparators = await readTable(page.locator('main table:has(th:text-is("Authority"))'));
  const valueColumn = comparators.head.findIndex((h) => h.startsWith('Value in '));
  const period = comparators.head[valueColumn].slice('Value in '.length);
  const latest = years.rows.find((r) => r[0] === period);
  assert.ok(latest, `"Over the years" has ${period}`);
  const bars = await page.locator('main svg:has(rect.bar) g.bar-row').evaluateAll((rows) => rows.map((g) => ({
    name: g.querySelector('.bar-name').textContent.trim(),
    value: g.querySelector('.bar-value').textContent.trim(),
    title: g.querySelector('rect.bar title').textContent.trim(),
  })));
  assert.equal(bars.length, comparators.rows.length + 1, 'a bar for each comparator and one for the trust');
  for (const bar of bars) {
    assert.equal(bar.title, `${bar.name}: ${bar.value}`, 'the bar\'s title says its label');
    if (bar.name === 'Durham (this trust)') {
      assert.equal(bar.value, latest[years.head.indexOf('Durham')], 'Durham\'s bar');
    } else {
      const row = comparators.rows.find((r) => r[1] === bar.name);
      assert.ok(row, `${bar.name} is in the comparators table`);
      assert.equal(bar.value, row[valueColumn], bar.name);
    }
  }
  assert.equal(await page.locator('main svg:has(rect.bar) .reference-label').textContent(),
    `Mean of statistical neighbours: ${latest[years.head.indexOf('Mean of statistical neighbours')]}`);
  // The summary's latest value is the same figure again.
  assert.equal((await page.locator('.summary-list__row:has(dt:text-is("Latest")) dd').textContent()).trim(),
    `${latest[years.head.indexOf('Durham')]} in ${period}`);
});

test('the scorecard is filtered by its form without JavaScript', async () => {
  await as('viewer');
  const storageState = await signedIn.viewer.context.storageState();
  const context = await browser.newContext({ javaScriptEnabled: false, storageState, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}${t}/comparison/scorecard`);
  const bandColumn = async () => {
    const head = await page.locator('main table thead th').allTextContents();
    const n = head.indexOf('Band') + 1;
    assert.ok(n > 0, `a Band column: ${head.join(', ')}`);
    return (await page.locator(`main table tbody tr > :nth-child(${n})`).allTextContents()).map((b) => b.trim());
  };
  const before = await bandColumn();
  assert.ok(new Set(before).size > 2, `every band at first: ${[...new Set(before)].join(', ')}`);
  await page.selectOption('#band', 'D');
  await page.selectOption('#direction', 'worsening');
  await page.selectOption('#sort', 'rank');
  await page.click('button:has-text("Apply filters")');
  await page.waitForURL(/band=D/);
  const after = await bandColumn();
  assert.ok(after.length > 0 && after.length < before.length, `${after.length} of ${before.length} rows`);
  assert.ok(after.every((b) => b === 'D'), `every row in band D: ${[...new Set(after)].join(', ')}`);
  const head = await page.locator('main table thead th').allTextContents();
  const direction = head.indexOf('Direction') + 1;
  const directions = await page.locator(`main table tbody tr > :nth-child(${direction})`).allTextContents();
  assert.ok(directions.every((d) => d.trim() === 'worsening'));
  // Lowest placed first (how far down the ranking, rank of how many), and the filters stay chosen.
  const column = async (name) => (await page.locator(`main table tbody tr > :nth-child(${head.indexOf(name) + 1})`)
    .allTextContents()).map(Number);
  const ranks = await column('Rank');
  const of = await column('Of');
  const placed = ranks.map((r, i) => r / of[i]);
  assert.ok(placed.every((p, i) => i === 0 || p <= placed[i - 1]), `lowest placed first: ${ranks.map((r, i) => `${r}/${of[i]}`).join(', ')}`);
  assert.equal(await page.inputValue('#band'), 'D');
  assert.match(await page.locator('main').textContent(), new RegExp(`${after.length} of the \\d+ measures`));
  await context.close();
});

test('the scorecard\'s filters are reached, changed and applied by keyboard', async () => {
  const page = await as('viewer');
  await page.goto(`${base}${t}/comparison/scorecard`);
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent.trim());
  let presses = 0;
  while ((await focused()) !== 'band' && presses < 60) {
    await page.keyboard.press('Tab');
    presses += 1;
  }
  assert.equal(await focused(), 'band', 'Tab reaches the band filter');
  // Typing a letter on a select chooses the option it starts.
  await page.keyboard.type('D');
  assert.equal(await page.inputValue('#band'), 'D');
  while ((await focused()) !== 'Apply filters' && presses < 80) {
    await page.keyboard.press('Tab');
    presses += 1;
  }
  assert.equal(await focused(), 'Apply filters', 'Tab reaches the button');
  await Promise.all([page.waitForURL(/band=D/), page.keyboard.press('Enter')]);
  const head = await page.locator('main table thead th').allTextContents();
  const bands = await page.locator(`main table tbody tr > :nth-child(${head.indexOf('Band') + 1})`).allTextContents();
  assert.ok(bands.length > 0 && bands.every((b) => b.trim() === 'D'));
});

test('a commissioner\'s "Record a need" opens the needs form with the measure as its evidence', async () => {
  const page = await as('commissioner');
  await page.goto(`${base}${t}/comparison/scorecard?band=D&direction=worsening&sort=rank`);
  const head = (await page.locator('main table thead th').allTextContents()).map((h) => h.trim());
  const row = page.locator('main table tbody tr').first();
  const cells = (await row.locator('th, td').allTextContents()).map((c) => c.trim());
  const cell = (name) => cells[head.indexOf(name)];
  const title = cell('Measure');
  const link = row.locator('a:has-text("Record a need")');
  assert.equal((await link.textContent()).trim(), `Record a need: ${title}`);
  await link.click();
  await page.waitForURL(/\/needs\/new\?/);
  assert.equal((await page.locator('h1').textContent()).trim(), 'Record a need');
  assert.equal(await page.inputValue('#title'), title);
  const evidence = await page.inputValue('#evidence');
  // The figures the row showed, in words.
  for (const part of [title, `${cell('Durham')} in ${cell('Period')}`, `rank ${cell('Rank')} of ${cell('Of')} authorities`,
    `quartile band ${cell('Band')}`, cell('Direction')]) {
    assert.ok(evidence.includes(part), `the evidence says "${part}": ${evidence}`);
  }
  assert.deepEqual(await axeViolations(page), []);

  // From a measure's page, the same with its latest value.
  await page.goto(`${base}${t}/comparison?measure=InfMort`);
  const latest = (await page.locator('.summary-list__row:has(dt:text-is("Latest")) dd').textContent()).trim();
  await page.click('a:has-text("Record a need from this measure")');
  await page.waitForURL(/\/needs\/new\?/);
  assert.equal(await page.inputValue('#title'), 'Infant Mortality');
  assert.match(await page.inputValue('#evidence'), new RegExp(`^Infant Mortality: ${latest.replace('.', '\\.')} `));
  assert.match(await page.inputValue('#source'), /DfE Local Authority Interactive Tool/);
});

test('a group made by its form is listed and is what a measure is compared against', async () => {
  const page = await as('commissioner');
  const name = 'Tyne and Wear neighbours';
  const chosen = ['Gateshead', 'Newcastle upon Tyne', 'Sunderland'];
  await page.goto(`${base}${t}/comparison/groups`);
  await page.click('a:has-text("Create a group")');
  await page.waitForURL(/\/groups\/new$/);
  await page.fill('#name', name);
  for (const authority of chosen) {
    await page.getByLabel(new RegExp(`^${authority} \\(North East`)).check();
  }
  await page.click('button:has-text("Save")');
  await page.waitForURL(new RegExp(`${t}/comparison/groups(\\?|$)`));
  const groups = await readTable(page.locator('main table'));
  const listed = groups.rows.find((r) => r[0] === name);
  assert.ok(listed, `${name} is listed: ${groups.rows.map((r) => r[0]).join(', ')}`);
  assert.equal(listed[groups.head.indexOf('Authorities')], String(chosen.length));
  assert.deepEqual(await axeViolations(page), [], 'groups with one');

  await page.goto(`${base}${t}/comparison?measure=InfMort`);
  await page.selectOption('#group', { label: `Group: ${name}` });
  await Promise.all([page.waitForURL(/group=/), page.click('button:has-text("Compare")')]);
  assert.equal((await page.locator('.summary-list__row:has(dt:text-is("Compared against")) dd').textContent()).trim(), `the group ${name}`);
  assert.ok(await page.locator(`main h2:text-is("${name}")`).count() === 1, 'the comparators are headed by the group');
  const comparators = await readTable(page.locator('main table:has(th:text-is("Authority"))'));
  assert.deepEqual(comparators.rows.map((r) => r[1]).sort(), chosen);
  const years = await readTable(page.locator('section:has(h2:text-is("Over the years")) table'));
  assert.ok(years.head.includes(`Mean of the group ${name}`), years.head.join(', '));
  const bars = await page.locator('main svg:has(rect.bar) .bar-name').allTextContents();
  assert.deepEqual(bars.filter((b) => !b.includes('this trust')).sort(), chosen);
  assert.equal((await page.locator('#group option:checked').textContent()).trim(), `Group: ${name}`, 'the choice is kept');
  assert.deepEqual(await axeViolations(page), [], 'a measure against the group');
});

test('a trust admin shares an indicator and sees the shared figures, only as disclosure control lets them out', async () => {
  // A commissioner sees what is shared but cannot change it.
  const commissioner = await as('commissioner');
  assert.equal((await commissioner.goto(`${base}${t}/comparison/sharing`)).status(), 200);
  assert.equal(await commissioner.locator('main button').count(), 0, 'no Share or Withdraw for a commissioner');

  const page = await as('admin');
  await checkPage(page, 'sharing', `${t}/comparison/sharing`);
  const indicators = await page.locator('main tbody tr').count();
  assert.ok(indicators > 5);
  assert.equal(await page.locator('main tbody tr button:text-matches("^Share ")').count(), indicators, 'a Share button per indicator');
  assert.equal((await commissioner.goto(`${base}${t}/comparison/shared/infant_mortality`)).status(), 403, 'not seen before it is shared');

  await page.click('button:text-is("Share Infant mortality rate")');
  await page.waitForURL(/\/comparison\/sharing/);
  const row = page.locator('main tbody tr:has(th:has-text("Infant mortality rate"))');
  assert.equal((await row.locator('td').first().textContent()).trim(), 'Shared');
  assert.equal(await row.locator('button:text-is("Withdraw Infant mortality rate")').count(), 1);
  await row.locator('a:has-text("Infant mortality rate")').click();
  await page.waitForURL(/\/comparison\/shared\/infant_mortality$/);
  assert.deepEqual(await axeViolations(page), [], 'shared figures');
  await page.screenshot({ path: join(shots, 'comparison-shared-figures.png'), fullPage: true });
  const figures = await readTable(page.locator('main table'));
  assert.deepEqual(figures.head.slice(0, 4), ['Trust', 'Period', 'Count', 'Rate']);
  const ours = figures.rows.filter((r) => r[0] === 'County Durham Children\'s Trust');
  assert.ok(ours.length > 0, 'the trust\'s own figures');
  // Every figure is a number (rates to one decimal place) or one of the symbols the key explains.
  for (const r of figures.rows) {
    for (const [i, value] of r.slice(2).entries()) {
      const column = figures.head[i + 2];
      const pattern = column.startsWith('Rate') ? /^(\d{1,3}(,\d{3})*\.\d|c|z|x|low)$/ : /^(\d{1,3}(,\d{3})*|c|z|x)$/;
      assert.match(value, pattern, `${column} in ${r[1]}`);
    }
  }
  const symbols = new Set(figures.rows.flatMap((r) => r.slice(2)).filter((v) => /^[czx]$/.test(v)));
  assert.ok(symbols.size > 0, 'held without its age breakdown, the bands are marked, not left empty');
  assert.match(await page.locator('main').textContent(), /c: suppressed[\s\S]*z: not applicable[\s\S]*x: not available/);

  // Withdrawn, the figures are gone at once.
  await page.goto(`${base}${t}/comparison/sharing`);
  await page.click('button:text-is("Withdraw Infant mortality rate")');
  await page.waitForURL(/\/comparison\/sharing/);
  assert.equal((await page.goto(`${base}${t}/comparison/shared/infant_mortality`)).status(), 403);
});
