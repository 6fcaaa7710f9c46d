// Web-first assertions without @playwright/test (whose runner these tests do not use):
// each polls the locator until it holds or the time is up, as Playwright's expect does.
// As long as an action may take (lib/browser.mjs: actionTimeout), for the same reason.
const timeout = 15_000;

export async function poll(what, check, ms = timeout) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} (after ${ms} ms)${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function expect(locator, { timeout: ms = timeout } = {}) {
  return {
    toBeVisible: () => locator.first().waitFor({ state: 'visible', timeout: ms }),
    toBeHidden: () => locator.first().waitFor({ state: 'hidden', timeout: ms }),
    toHaveValue: (v) => poll(`${locator} has value ${v}`, async () => (await locator.inputValue()) === v, ms),
    toHaveAttribute: (name, v) => poll(`${locator} has ${name}=${v}`, async () => (await locator.getAttribute(name)) === v, ms),
    toBeFocused: () => poll(`${locator} has the focus`, () => locator.evaluate((el) => el === document.activeElement), ms),
  };
}

// eventually waits until check() answers true (it may throw meanwhile): for what a page
// shows in several places at once, such as a table's rows.
export function eventually(what, check, ms = timeout) {
  return poll(what, check, ms);
}

// expectURL waits for the page's path (and query) to match re.
export function expectURL(page, re, ms = timeout) {
  return poll(`the page's address ${page.url()} matches ${re}`, () => re.test(new URL(page.url()).pathname + new URL(page.url()).search), ms);
}
