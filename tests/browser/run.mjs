// Browser tests of the search page: the real build/sok-server on
// 127.0.0.1 port 0, over an index that build/sok-index makes from corpus/
// in a temporary directory, driven in Debian's chromium by playwright-core.
// Prints TAP lines ("ok N - ..." / "not ok N - ...") that tests/run.sh
// counts (through tests/integration/test_browser.py); screenshots go to
// build/screenshots/.  axe-core is evaluated into each page through the
// DevTools protocol (page.evaluate), which the page's Content-Security-
// Policy does not govern, so the CSP stays on for every test.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = process.env.SOK_BUILD || path.join(ROOT, 'build');
const SHOTS = path.join(BUILD, 'screenshots');
const CHROMIUM = process.env.SOK_CHROMIUM || '/usr/bin/chromium';
const require = createRequire(path.join(ROOT, 'package.json'));

let n = 0;
let failed = 0;
function check(cond, name, detail) {
  n++;
  if (cond) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    if (detail !== undefined) {
      const s = typeof detail === 'string' ? detail : JSON.stringify(detail, null, 1);
      for (const line of s.split('\n').slice(0, 40)) console.log('#   ' + line);
    }
  }
  return cond;
}

// Runs one named step; an exception is a failed check, not the end of the run.
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(false, name + ' (threw)', String(e && e.stack || e));
  }
}

function startServer(db) {
  return new Promise((resolve, reject) => {
    const p = spawn(path.join(BUILD, 'sok-server'),
      ['--db', db, '--listen', '127.0.0.1:0', '--threads', '2'],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    const timer = setTimeout(() => reject(new Error('sok-server did not start: ' + buf)), 20000);
    p.stderr.on('data', (d) => {
      buf += d.toString();
      const m = buf.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m && timer) {
        clearTimeout(timer);
        resolve({ proc: p, port: Number(m[1]) });
      }
      if (buf.length > 100000) buf = buf.slice(-10000);
    });
    p.on('exit', (code) => reject(new Error('sok-server exited ' + code + ': ' + buf)));
  });
}

const AXE_SRC = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function axe(page) {
  const has = await page.evaluate(() => typeof window.axe === 'object');
  if (!has) await page.evaluate(AXE_SRC);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((x) => x.target.join(' ') + ': ' + x.failureSummary),
    }));
  });
}

// Full-page screenshots at 375 and 1280 px; reload: load the page again at
// each width (the page adapts some things at load, as a phone would see it).
async function shoot(page, name, reload = false) {
  mkdirSync(SHOTS, { recursive: true });
  for (const w of [375, 1280]) {
    await page.setViewportSize({ width: w, height: w < 600 ? 812 : 900 });
    if (reload) await page.reload();
    await page.screenshot({ path: path.join(SHOTS, `${name}-${w}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function main() {
  const { chromium } = require('playwright-core');
  const tmp = mkdtempSync(path.join(tmpdir(), 'sok-browser-'));
  const db = path.join(tmp, 'index');
  const ix = spawnSync(path.join(BUILD, 'sok-index'), ['--db', db, path.join(ROOT, 'corpus')],
    { encoding: 'utf8' });
  if (!check(ix.status === 0, 'sok-index builds the test index', ix.stderr + ix.stdout)) {
    return;
  }
  const srv = await startServer(db);
  const base = `http://127.0.0.1:${srv.port}`;
  let browser = null;
  try {
    // playwright gives every launch a new empty user-data-dir of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await run(browser, base);
  } finally {
    if (browser) await browser.close();
    srv.proc.removeAllListeners('exit');
    srv.proc.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function run(browser, base) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
  const page = await ctx.newPage();
  const foreign = [];
  const cspErrors = [];
  const pageErrors = [];
  let dialogs = 0;
  page.on('request', (r) => { if (!r.url().startsWith(base + '/')) foreign.push(r.url()); });
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) cspErrors.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => { dialogs++; d.dismiss().catch(() => {}); });

  await step('assets', async () => {
    const js = await fetch(base + '/assets/app.js');
    const css = await fetch(base + '/assets/style.css');
    const nope = await fetch(base + '/assets/nope.js');
    check(js.status === 200 && /javascript/.test(js.headers.get('content-type')) &&
      css.status === 200 && /text\/css/.test(css.headers.get('content-type')) &&
      nope.status === 404, 'the daemon serves its own /assets/app.js and /assets/style.css',
      [js.status, css.status, nope.status]);
  });

  await step('the empty page', async () => {
    const resp = await page.goto(base + '/');
    const csp = resp.headers()['content-security-policy'] || '';
    check(/default-src 'self'/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp),
      'GET / sends a CSP of its own origin only, without unsafe-inline', csp);
    check(await page.getAttribute('html', 'lang') === 'sv', 'the page is lang="sv"');
    await page.waitForSelector('#q[role="combobox"]');
    check(true, '/assets/app.js runs under the CSP (the box became a combobox)');
    const label = await page.evaluate(() => document.querySelector('label[for="q"]')?.textContent);
    check(!!label && label.length > 2, 'the search box has a visible label', label);
    await shoot(page, 'start');
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => document.activeElement?.className);
    check(skip === 'skip', 'Tab first reaches the skip link', skip);
    const v = await axe(page);
    check(v.length === 0, 'axe-core: no violations on /', v);
    await page.screenshot({ path: path.join(SHOTS, 'start-skip-link-1280.png') });
  });

  await step('axe-core itself', async () => {
    // A sanity check that the checker sees a violation when there is one.
    const p = await ctx.newPage();
    await p.setContent('<!DOCTYPE html><html><head><title>x</title></head><body><main><input type="text"></main></body></html>');
    const v = await axe(p);
    check(v.some((x) => x.id === 'label') && v.some((x) => x.id === 'html-has-lang'),
      'axe-core reports the faults of a broken page (sanity check)', v.map((x) => x.id));
    await p.close();
  });

  await step('search by Enter', async () => {
    await page.goto(base + '/');
    await page.evaluate(() => { window.__noReload = 1; });
    await page.fill('#q', 'fritidsbank');
    await page.keyboard.press('Escape');      // close suggestions, keep the text
    await page.fill('#q', 'fritidsbank');
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => /Visar/.test(document.getElementById('status')?.textContent || ''));
    const first = await page.textContent('.hit h3 a');
    check(/Fritidsbank/.test(first || ''), 'type "fritidsbank", Enter: the Fritidsbanken section is first', first);
    check(new URL(page.url()).searchParams.get('q') === 'fritidsbank',
      'the URL is the shareable results URL (pushState)', page.url());
    check(await page.evaluate(() => window.__noReload === 1), 'results came without a full reload');
    const marks = await page.$$eval('.hit .snippet mark', (m) => m.length);
    check(marks > 0, 'snippets carry highlights', marks);
    const status = await page.textContent('#status');
    check(/Visar 1–\d+ av \d+/.test(status || ''), 'the count reads "Visar 1–N av M"', status);
  });

  await step('axe and screenshots of the results', async () => {
    await page.goto(base + '/?q=fritidsbanken');
    const v = await axe(page);
    check(v.length === 0, 'axe-core: no violations on /?q=fritidsbanken', v);
    await page.setViewportSize({ width: 320, height: 700 });
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    check(sw <= 320, 'no horizontal scrolling at 320 px', sw);
    await shoot(page, 'results', true);
    await page.goto(base + '/?q=barn');
    await shoot(page, 'results-many', true);
    await page.evaluate(() => { window.__noReload = 1; });
    await page.click('.pager a[rel="next"]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('page') === '2');
    await page.waitForFunction(() => /Visar 11–/.test(document.getElementById('status')?.textContent || ''));
    const cur = await page.textContent('.pager a[aria-current="page"]');
    check(/2/.test(cur || '') && await page.evaluate(() => window.__noReload === 1),
      'the pager\'s "Nästa" shows page 2 (Visar 11–…)', cur);
    const v2 = await axe(page);
    check(v2.length === 0, 'axe-core: no violations on page 2 of /?q=barn', v2);
  });

  await step('"Menade du …?" and relaxed results', async () => {
    await page.goto(base + '/?q=' + encodeURIComponent('socialförvaltnigen'));
    const sug = await page.textContent('.suggestion');
    check(/^Menade du .+\?$/.test((sug || '').trim()), 'a misspelt query shows "Menade du …?"', sug);
    const want = await page.textContent('.suggestion a');
    await page.click('.suggestion a');
    await page.waitForFunction((w) => new URL(location.href).searchParams.get('q') === w, want);
    await page.waitForFunction((w) => document.getElementById('q').value === w, want);
    check(true, 'the suggestion links to the corrected query', want);
    await page.goto(base + '/?q=' + encodeURIComponent('barn xyzzyq'));
    const info = await page.textContent('#results .info');
    check(/några av dem/.test(info || '') && (await page.$$('.hit')).length > 0,
      'relaxed results say so and are shown', info);
    await page.goto(base + '/?q=xyzzyq');
    const none = await page.textContent('#status');
    check(/^Inga träffar för ”xyzzyq”$/.test((none || '').trim()), '"Inga träffar för …"', none);
  });

  await step('phone width', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(base + '/?q=barn');
    check(await page.evaluate(() => !document.getElementById('f-d').open),
      'at 375 px the filters are folded, the hits first');
    await page.focus('#f-h');
    await page.keyboard.press('Enter');
    check(await page.evaluate(() => document.getElementById('f-d').open),
      'and unfold from the keyboard');
    const v = await axe(page);
    check(v.length === 0, 'axe-core: no violations on /?q=barn at 375 px', v);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await step('suggestions by keyboard', async () => {
    await page.goto(base + '/');
    await page.click('#q');
    await page.keyboard.type('fritid', { delay: 30 });
    await page.waitForSelector('#q-list:not([hidden]) [role="option"]', { timeout: 5000 });
    check(await page.getAttribute('#q', 'aria-expanded') === 'true',
      'typing "fritid" opens the listbox (aria-expanded=true)');
    await shoot(page, 'suggest');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const act = await page.getAttribute('#q', 'aria-activedescendant');
    const chosen = act ? await page.textContent('#' + act) : null;
    const sel = act ? await page.getAttribute('#' + act, 'aria-selected') : null;
    check(!!chosen && sel === 'true', 'arrows move aria-activedescendant over the options', { act, chosen, sel });
    await page.keyboard.press('ArrowUp');
    const act2 = await page.getAttribute('#q', 'aria-activedescendant');
    const picked = act2 ? await page.textContent('#' + act2) : null;
    check(act2 && act2 !== act, 'ArrowUp moves back', act2);
    await page.keyboard.press('Enter');
    await page.waitForFunction((w) => document.getElementById('q').value === w &&
      new URL(location.href).searchParams.get('q') === w, picked);
    await page.waitForFunction((w) => (document.getElementById('status')?.textContent || '').includes(w), picked);
    check(await page.getAttribute('#q', 'aria-expanded') === 'false',
      'Enter picks the suggestion, closes the list and searches for it', picked);
    // Escape closes an open list.
    await page.fill('#q', '');
    await page.keyboard.type('fritid', { delay: 30 });
    await page.waitForSelector('#q-list:not([hidden]) [role="option"]', { timeout: 5000 });
    await page.keyboard.press('Escape');
    check(await page.getAttribute('#q', 'aria-expanded') === 'false' &&
      await page.isHidden('#q-list'), 'Escape closes the suggestions');
  });

  await step('filter by type, back button', async () => {
    await page.goto(base + '/?q=fritidsbanken');
    await page.evaluate(() => { window.__noReload = 1; });
    const link = page.locator('.filters a', { hasText: 'Protokoll' }).first();
    await link.click();
    await page.waitForFunction(() => new URL(location.href).searchParams.getAll('type').includes('minutes'));
    await page.waitForSelector('.filters a.on[href*="q=fritidsbanken"]:not([href*="type="])').catch(() => {});
    const on = await page.$$eval('.filters a[aria-current="true"]', (a) => a.map((x) => x.textContent));
    check(on.some((t) => /Protokoll/.test(t)), 'the type filter is applied and marked current', on);
    const types = await page.$$eval('.hit .type', (a) => a.map((x) => x.textContent));
    check(types.length > 0 && types.every((t) => /Protokoll/.test(t)), 'every hit has the chosen type', types);
    check(await page.evaluate(() => window.__noReload === 1), 'filtering without a full reload');
    const focused = await page.evaluate(() => document.activeElement?.id);
    check(focused === 'status', 'focus moves to the results heading after filtering', focused);
    await page.goBack();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('type'));
    await page.waitForFunction(() => !document.querySelector('.filters a[aria-current="true"][href*="type=minutes"]'));
    const on2 = await page.$$eval('.filters a[aria-current="true"]', (a) => a.map((x) => x.textContent));
    check(!on2.some((t) => /Protokoll/.test(t)), 'Back (popstate) restores the unfiltered results', on2);
  });

  await step('the document page', async () => {
    await page.goto(base + '/?q=fritidsbanken');
    await Promise.all([page.waitForURL(/\/doc\/[0-9a-f]{16}/), page.click('.hit h3 a')]);
    const h1 = await page.textContent('h1');
    check(/Fritidsbank/.test(h1 || ''), 'opening a result shows its section', h1);
    const marks = await page.$$eval('.text mark', (m) => m.map((x) => x.textContent));
    check(marks.length > 0, 'the query\'s words are highlighted', marks);
    const paras = await page.$$eval('.text p', (p) => p.length);
    check(paras > 0, 'the text is in paragraphs', paras);
    const nav = await page.$$eval('nav.sections a', (a) => a.map((x) => x.textContent));
    check(nav.some((t) => /avsnitt/.test(t)), 'links to the neighbouring sections', nav);
    const back = await page.getAttribute('.back a', 'href');
    check(back === '/?q=fritidsbanken', 'a link back to the results', back);
    const date = await page.getAttribute('.facts time', 'datetime');
    check(!!date, 'the date is shown', date);
    const v = await axe(page);
    check(v.length === 0, 'axe-core: no violations on /doc/<id>', v);
    await shoot(page, 'doc');
    await page.click('.back a');
    await page.waitForURL(/\/\?q=fritidsbanken$/);
    check(/Fritidsbank/.test(await page.textContent('.hit h3 a') || ''), 'the back link returns to the results');
  });

  await step('escaping of the query', async () => {
    dialogs = 0;
    const before = pageErrors.length;
    await page.goto(base + '/?q=' + encodeURIComponent('<script>alert(1)</script>'));
    await page.waitForTimeout(300);
    const scripts = await page.$$eval('script', (s) => s.map((x) => x.getAttribute('src') || x.textContent));
    check(scripts.length === 1 && /^\/assets\/app\.js\?v=[0-9a-f]{16}$/.test(scripts[0]),
      '/?q=<script>alert(1)</script> creates no script element', scripts);
    check(dialogs === 0, 'and opens no dialog', dialogs);
    const shown = await page.inputValue('#q');
    check(shown === '<script>alert(1)</script>', 'the query is shown back as text', shown);
    await page.goto(base + '/');
    await page.fill('#q', '"><img src=x onerror=alert(2)>');
    await page.press('#q', 'Enter');
    await page.waitForSelector('#status');
    await page.waitForTimeout(300);
    const imgs = await page.$$eval('img', (i) => i.length);
    check(imgs === 0 && dialogs === 0, 'a query with markup, sent from the box, stays text', { imgs, dialogs });
    check(pageErrors.length === before, 'no script errors', pageErrors.slice(before));
  });

  await step('without JavaScript', async () => {
    const nojs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 812 } });
    const p = await nojs.newPage();
    await p.goto(base + '/');
    await p.fill('#q', 'fritidsbanken');
    await Promise.all([p.waitForURL(/\?q=fritidsbanken/), p.press('#q', 'Enter')]);
    check(/Fritidsbank/.test(await p.textContent('.hit h3 a') || ''), 'without JavaScript the form searches on the server');
    await Promise.all([p.waitForURL(/type=minutes/), p.locator('.filters a', { hasText: 'Protokoll' }).first().click()]);
    check((await p.$$('.hit')).length > 0, 'without JavaScript the filters are plain links');
    await nojs.close();
  });

  check(foreign.length === 0, 'no request leaves for another host', foreign);
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors);
  await ctx.close();
}

main()
  .catch((e) => check(false, 'browser test run', String(e && e.stack || e)))
  .finally(() => {
    console.log(`# ${n} checks, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
