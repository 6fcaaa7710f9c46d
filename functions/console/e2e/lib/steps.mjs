// Steps several tests take through the pages, as a person takes them.
import { expect, expectURL } from './expect.mjs';

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
