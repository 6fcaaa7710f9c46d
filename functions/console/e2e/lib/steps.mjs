// Steps several tests take through the pages, as a person takes them.
import { env } from './env.mjs';
import { eventually, expect, expectURL } from './expect.mjs';

// signIn fills the sign-in form on the page it is on and submits it.
export async function signIn(p, loginAccount, password) {
  await p.field('login.loginAccount').fill(loginAccount);
  await p.field('login.password').fill(password);
  await p.button('login.submit').click();
}

// atHome waits for the signed-in home page.
export async function atHome(p) {
  await expect(p.heading('home.title')).toBeVisible();
  await expectURL(p.page, /^\/$/);
}

// atTeam waits for a team's page: its address and its name as the page's heading.
export async function atTeam(p, team) {
  await expectURL(p.page, new RegExp(`^/teams/${team.id}$`));
  await expect(p.page.getByRole('heading', { name: team.name, exact: true, level: 1 })).toBeVisible();
}

// tabTo presses Tab until target has the focus (at most limit times; none when it has it
// already, as an autofocused field does): a person who uses the keyboard alone gets there so.
export async function tabTo(p, target, limit = 40) {
  const handle = await target.elementHandle();
  const focused = () => handle.evaluate((el) => el === document.activeElement);
  for (let i = 0; i < limit; i++) {
    if (await focused()) return;
    await p.page.keyboard.press('Tab');
  }
  if (await focused()) return;
  throw new Error(`${limit} presses of Tab did not reach ${target}`);
}

// typeInto reaches a field with Tab and types into it.
export async function typeInto(p, target, text) {
  await tabTo(p, target);
  await p.page.keyboard.type(text);
}

// signInAt opens the sign-in page, signs in and waits for home: the way in of a person
// whose password is its own already.
export async function signInAt(p, loginAccount, password) {
  await p.goto('/login');
  await signIn(p, loginAccount, password);
  await atHome(p);
}

// signInAsAdmin is signInAt for the bootstrapped super admin. Its tests never sign it out:
// a sign-out ends every session of the account, other tests' and the setup's included.
export function signInAsAdmin(p) {
  return signInAt(p, env().admin.login, env().admin.password);
}

// column answers the text of a column of the main table's body, row by row.
export async function column(p, n) {
  return (await p.main.locator(`table tbody tr > :nth-child(${n})`).allTextContents()).map((s) => s.trim());
}

// expectColumn waits until the main table's column n holds exactly want (in any order
// unless ordered), as a list does once its new page has arrived.
export async function expectColumn(p, n, want, { ordered = false } = {}) {
  const norm = (a) => (ordered ? a : [...a].sort());
  let got = [];
  await eventually(`column ${n} holds ${JSON.stringify(want)}`, async () => {
    got = await column(p, n);
    return JSON.stringify(norm(got)) === JSON.stringify(norm(want));
  }).catch((err) => {
    throw new Error(`${err.message}; it holds ${JSON.stringify(got)}`);
  });
}
