// One Chromium for the whole run (Debian's, driven by playwright-core: Playwright's own browser
// download does not work here), a browser context per person, and the checks every page
// passes: axe-core with no serious or critical violation, no script error, nothing the
// Content-Security-Policy refused; plus its screenshots at 1280x800 and 390x844.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { Admin, API } from './api.mjs';
import { env, repoRoot } from './env.mjs';
import { pattern, t } from './i18n.mjs';
import { Network } from './net.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const shotsDir = join(repoRoot, '.dev', 'screenshots');
// Each test file runs in a process of its own, beside the others (package.json): its
// failures go to a folder of its own, which it empties as it starts.
const failuresDir = join(shotsDir, 'failures', basename(process.argv[1] ?? 'console', '.test.mjs'));
export const viewports = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

let browser;

// How long an action (a click, a fill) may wait for its element and for what it sets off.
// On a loaded two-core machine (the stack, two Chromiums and other work) a click that
// closes a dialog has been seen to take more than 10 s to settle.
export const actionTimeout = 15_000;

export async function launch() {
  browser = await chromium.launch({
    executablePath: env().chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  // Failures are this run's only.
  rmSync(failuresDir, { recursive: true, force: true });
  mkdirSync(failuresDir, { recursive: true });
  return browser;
}

export async function close() {
  await browser?.close();
}

// The axe findings below serious, printed once per page and rule at the end of the run.
const minor = new Map();
// Pages already photographed: each once, in the first test that reaches it.
const shot = new Set();

export function minorFindings() {
  return [...minor.values()];
}

// scene runs fn with a network of its own (a source address, an origin) and the people it
// opens; on a failure it keeps a screenshot of every page open, under
// .dev/screenshots/failures/<test file>.
export async function scene(tc, fn) {
  const net = await Network.open();
  const s = new Scene(tc, net);
  try {
    await fn(s);
    s.assertClean();
  } catch (err) {
    await s.keepFailureShots();
    throw err;
  } finally {
    await s.close();
    await net.close();
  }
}

class Scene {
  constructor(tc, net) {
    this.tc = tc;
    this.net = net;
    this.people = [];
  }

  admin(lang = 'en') {
    return Admin.on(this.net, lang);
  }

  api(lang = 'en') {
    return new API(this.net, lang);
  }

  // person opens a browser context in a language (navigator.language and Accept-Language),
  // at the console's origin as this scene's network reaches it; with clipboard, its pages
  // may read and write the clipboard, as a person's browser lets a site it trusts.
  async person({ lang = 'en', clipboard = false } = {}) {
    const context = await browser.newContext({
      baseURL: this.net.origin,
      locale: lang,
      viewport: viewports[0],
    });
    context.setDefaultTimeout(actionTimeout);
    if (clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: this.net.origin });
    const page = await context.newPage();
    const p = new Person(this, context, page, lang);
    this.people.push(p);
    return p;
  }

  assertClean() {
    const problems = this.people.flatMap((p) => p.problems);
    if (problems.length > 0) throw new Error(`the console misbehaved:\n${problems.join('\n')}`);
  }

  async keepFailureShots() {
    const name = this.tc.name.replace(/[^\w-]+/g, '_').slice(0, 80);
    await Promise.all(
      this.people.map((p, i) =>
        p.page.screenshot({ path: join(failuresDir, `${name}-${i}.png`), fullPage: true }).catch(() => {}),
      ),
    );
  }

  async close() {
    await Promise.all(this.people.map((p) => p.context.close().catch(() => {})));
  }
}

// Scope finds a page's controls by their accessible names from the catalogue, inside one
// part of the page (a dialog, a section) or the whole of it.
export class Scope {
  constructor(person, root) {
    this.person = person;
    this.root = root;
  }

  t(key, params) {
    return this.person.t(key, params);
  }

  re(key, params) {
    return this.person.re(key, params);
  }

  // field is the form control labelled so (not a form or section named by the same words).
  field(key, params) {
    return this.root.locator('input, select, textarea').and(this.root.getByLabel(this.t(key, params), { exact: true }));
  }

  // fieldNamed is the form control whose label is name as written (a role's own name).
  fieldNamed(name) {
    return this.root.locator('input, select, textarea').and(this.root.getByLabel(name, { exact: true }));
  }

  button(key, params) {
    return this.root.getByRole('button', { name: this.t(key, params), exact: true });
  }

  link(key, params) {
    return this.root.getByRole('link', { name: this.t(key, params), exact: true });
  }

  heading(key, params) {
    return this.root.getByRole('heading', { name: this.t(key, params), exact: true });
  }

  text(key, params) {
    return this.root.getByText(this.re(key, params));
  }

  // dialog is the open dialog titled so.
  dialog(key, params) {
    return new Scope(this.person, this.root.getByRole('dialog', { name: this.t(key, params), exact: true }));
  }

  // section is the part of the page under the heading of that key (an <h2>'s section).
  section(key, params) {
    return new Scope(this.person, this.root.locator('section').filter({ has: this.heading(key, params) }));
  }

  // row is the table row holding text.
  row(text) {
    return new Scope(this.person, this.root.getByRole('row').filter({ hasText: text }));
  }
}

export class Person extends Scope {
  constructor(scene, context, page, lang) {
    super(null, page);
    this.person = this;
    this.scene = scene;
    this.context = context;
    this.page = page;
    this.lang = lang;
    this.problems = [];
    this.main = page.getByRole('main');
    page.on('pageerror', (err) => this.problems.push(`script error on ${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      // A refused inline script or style means the page does not work as written under its CSP.
      if (/Content.Security.Policy|Refused to/i.test(msg.text())) this.problems.push(`CSP on ${page.url()}: ${msg.text()}`);
    });
  }

  // t is the catalogue entry in this person's language.
  t(key, params) {
    return t(this.lang, key, params);
  }

  // re is the catalogue entry as a RegExp, placeholders matching anything not given.
  re(key, params) {
    return pattern(this.lang, key, params);
  }

  goto(path) {
    return this.page.goto(path);
  }

  // menu is the main navigation's link of that key (admins' home repeats some of them).
  menu(key) {
    return this.page.getByRole('navigation', { name: this.t('nav.label'), exact: true }).getByRole('link', { name: this.t(key), exact: true });
  }

  // navigation answers the names of the main navigation's links and buttons, in order.
  async navigation() {
    const nav = this.page.getByRole('navigation', { name: this.t('nav.label'), exact: true });
    await nav.getByRole('listitem').first().waitFor();
    return (await nav.locator('a, button').allTextContents()).map((s) => s.trim());
  }

  // checkPage runs axe-core on the page as it is (no serious or critical violation; the others
  // are printed at the end), and the first time a page of this name is seen, photographs it
  // at both widths as .dev/screenshots/<name>-<width>.png.
  async checkPage(name) {
    const { page } = this;
    await page.waitForLoadState('networkidle');
    // Evaluated through the DevTools protocol, which the page's CSP does not govern: the
    // console's own policy stays as served.
    const results = await page.evaluate(`(() => { ${axeSource}; return axe.run(document, { resultTypes: ['violations'] }); })()`);
    const grave = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    for (const v of results.violations) {
      if (grave.includes(v)) continue;
      const k = `${name} ${v.id}`;
      if (!minor.has(k)) minor.set(k, `${name} (${this.lang}): ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} elements)`);
    }
    if (grave.length > 0) {
      const lines = grave.map(
        (v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`,
      );
      throw new Error(`axe on ${name} (${this.lang}, ${page.url()}):\n${lines.join('\n')}`);
    }
    const shotName = this.lang === 'en' ? name : `${name}-${this.lang}`;
    if (!shot.has(shotName)) {
      shot.add(shotName);
      const size = page.viewportSize();
      for (const vp of viewports) {
        await page.setViewportSize(vp);
        await page.screenshot({ path: join(shotsDir, `${shotName}-${vp.width}.png`) });
      }
      await page.setViewportSize(size);
    }
  }
}
