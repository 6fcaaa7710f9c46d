// The console's second half in a real browser against the local stack (issue 17): what
// admins and team managers do, each flow as the seeds describe it, with axe-core and
// screenshots on every page (lib/browser.mjs). The scene (teams, people, a role) is set up
// through the API; what is proved goes through the pages, and is then checked against the
// API where the page alone cannot show it (a password that signs in, a membership's roles).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newPassword, unique } from '../lib/api.mjs';
import { close, launch, minorFindings, scene } from '../lib/browser.mjs';
import { seedUsers } from '../lib/dynamo.mjs';
import { env } from '../lib/env.mjs';
import { eventually, expect, expectURL } from '../lib/expect.mjs';
import { Inbox, linkIn } from '../lib/mail.mjs';
import { atHome, atTeam, column, expectColumn, signIn, signInAsAdmin, signInAt } from '../lib/steps.mjs';

const concurrency = Number(process.env.ROSTER_E2E_CONCURRENCY || 4);
// Each flow's limit; the suite's own is the sum of what may run one after another.
const timeout = 90_000;
const suiteTimeout = 15 * 60_000;

function email(prefix) {
  return `${unique(prefix)}@example.com`;
}

// secret answers what a page shows once (a password, a link) under its test id.
async function secret(scope, testId) {
  return (await scope.root.getByTestId(testId).textContent()).trim();
}

// firstSignIn answers the challenge a temporary password's sign-in gets.
async function firstSignIn(s, loginAccount, password) {
  const r = await s.api().call('POST', '/v1/auth/login', { loginAccount, password });
  return r.status === 200 ? r.body.challenge : `refused (${r.status} ${r.body?.error?.code})`;
}

// rolesIn answers the names of a user's roles in a team, sorted, as GET /v1/me says.
async function rolesIn(s, loginAccount, password, teamId) {
  const token = await s.api().login(loginAccount, password);
  const me = await s.api().ok(200, 'GET', '/v1/me', undefined, { token });
  const team = me.teams.find((x) => x.id === teamId);
  assert.ok(team, `${loginAccount} is not in the team`);
  return [...team.roles].sort();
}

// choosePassword completes the first sign-in's new-password step on the page.
async function choosePassword(p) {
  await expect(p.heading('login.newPasswordTitle')).toBeVisible();
  const password = newPassword();
  await p.field('login.newPassword').fill(password);
  await p.field('common.confirmPassword').fill(password);
  await p.button('login.newPasswordSubmit').click();
  return password;
}

describe('console for admins and managers', { concurrency, timeout: suiteTimeout }, () => {
  before(async () => {
    env();
    await launch();
  });
  after(async () => {
    await close();
    const minor = minorFindings();
    if (minor.length > 0) console.log(`axe findings below serious (${minor.length}):\n  ${minor.join('\n  ')}`);
  });

  // The longest flows first: several run at once, and the run ends
  // with its slowest (the navigation's, the shortest, come last).
  it('a platform admin edits (through a version conflict), resets and deletes a member, is offered nothing on the super admin, and reads it in the audit log', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const [pa, m, adminMe] = await Promise.all([admin.readyMember({ accountType: 'platform_admin' }), admin.readyMember(), admin.me()]);
      const p = await s.person();
      await signInAt(p, pa.loginAccount, pa.password);
      await p.menu('nav.users').click();
      await p.field('users.search').fill(m.loginAccount);
      await p.button('users.searchSubmit').click();
      await expectColumn(p, 1, [m.username]);
      await p.main.getByRole('link', { name: m.username, exact: true }).click();
      await expect(p.page.getByRole('heading', { name: m.username, level: 1 })).toBeVisible();
      await p.checkPage('user');

      // Edit: username and mobile; the account type is the super admin's alone to change.
      const edit = p.section('user.editTitle');
      assert.equal(await edit.field('users.accountType').count(), 0, 'a platform admin is offered the account type');
      const renamed = `Edited_${m.loginAccount}`;
      const mobile = '+8613800138000';
      await edit.field('users.username').fill(renamed);
      await edit.field('users.mobile').fill(mobile);
      // Meanwhile someone else changes the mobile: the save is refused, the page says so,
      // and loading the current version shows what changed and keeps what was typed.
      const theirs = '+4915112345678';
      await admin.ok(200, 'PATCH', `/v1/users/${m.id}`, { mobile: theirs });
      await edit.button('user.save').click();
      await expect(edit.text('user.conflict')).toBeVisible();
      await p.checkPage('user-conflict');
      await edit.button('user.loadCurrent').click();
      await expect(edit.text('user.changedLine', { field: p.t('user.field.mobile'), from: p.t('user.nothing'), to: theirs })).toBeVisible();
      await expect(edit.field('users.username')).toHaveValue(renamed);
      await expect(edit.field('users.mobile')).toHaveValue(mobile);
      await edit.button('user.save').click();
      await expect(edit.text('user.saved')).toBeVisible();
      await expect(p.page.getByRole('heading', { name: renamed, level: 1 })).toBeVisible();
      const edited = (await admin.user(m.id)).user;
      assert.deepEqual({ username: edited.username, mobile: edited.mobile }, { username: renamed, mobile });

      // Reset: a temporary password, shown once; the old one and the open sessions end.
      await p.section('user.actionsTitle').button('user.reset').click();
      const reset = p.dialog('user.resetTitle', { name: `${renamed} (${m.loginAccount})` });
      await expect(reset.text('user.resetText', { name: renamed })).toBeVisible();
      await p.checkPage('user-reset');
      await reset.button('user.resetConfirm').click();
      const shown = p.dialog('user.resetDoneTitle', { name: renamed });
      await expect(shown.text('common.onceWarning')).toBeVisible();
      const temporary = await secret(shown, 'temporary-password');
      await p.checkPage('user-reset-done');
      await shown.button('common.done').click();
      assert.equal((await s.api().call('GET', '/v1/me', undefined, { token: m.token })).status, 401, 'the member stayed signed in');
      assert.match(await firstSignIn(s, m.loginAccount, m.password), /refused/);
      assert.equal(await firstSignIn(s, m.loginAccount, temporary), 'NEW_PASSWORD_REQUIRED');

      // The super admin, found by its account type: no edit, no action, no history.
      await p.link('user.back').click();
      await p.field('users.accountType').selectOption('super_admin');
      await expectColumn(p, 1, [adminMe.user.username]);
      await p.main.getByRole('link', { name: adminMe.user.username, exact: true }).click();
      await expect(p.page.getByRole('heading', { name: adminMe.user.username, level: 1 })).toBeVisible();
      await expect(p.text('user.noActionsAdmin')).toBeVisible();
      assert.equal(await p.heading('user.editTitle').count(), 0, 'the super admin can be edited');
      assert.equal(await p.section('user.actionsTitle').root.getByRole('button').count(), 0, 'an action is offered');
      assert.equal(await p.heading('user.historyTitle').count(), 0, "the super admin's sign-ins are shown");
      await p.checkPage('user-not-yours');

      // The audit log: what this platform admin changed, with each change from -> to.
      await p.menu('nav.audit').click();
      await expect(p.heading('audit.title')).toBeVisible();
      await p.field('audit.actor').fill(pa.loginAccount);
      await p.field('audit.action').selectOption('user.update');
      await p.button('audit.apply').click();
      const events = p.main.locator('ol.events > li');
      await eventually('one edit by the platform admin', async () => (await events.count()) === 1);
      const change = (field, from, to) => `${p.t(`audit.field.${field}`)}: ${from} → ${to}`;
      for (const line of [change('username', m.username, renamed), change('mobile', theirs, mobile)]) {
        await expect(events.getByText(line, { exact: true })).toBeVisible();
      }
      await expect(events.getByText(p.t('audit.actionWord.user.update'), { exact: true })).toBeVisible();
      await p.checkPage('audit-filtered');
      // Without the action filter: the reset too, newest first.
      await p.field('audit.action').selectOption({ index: 0 });
      await p.button('audit.apply').click();
      await eventually('the edit and the reset', async () => (await events.count()) === 2);
      assert.deepEqual(await events.locator('strong').allTextContents(), [
        p.t('audit.actionWord.user.password_reset'),
        p.t('audit.actionWord.user.update'),
      ]);

      // From an event to its user, and the user deleted, with a confirmation that names it.
      await events.first().getByRole('link', { name: `${renamed} (${m.loginAccount})`, exact: true }).click();
      await expect(p.page.getByRole('heading', { name: renamed, level: 1 })).toBeVisible();
      await p.section('user.actionsTitle').button('user.delete').click();
      const del = p.dialog('user.deleteTitle', { name: `${renamed} (${m.loginAccount})` });
      await expect(del.text('user.deleteText', { name: `${renamed} (${m.loginAccount})` })).toBeVisible();
      await p.checkPage('user-delete');
      await del.button('user.deleteConfirm', { name: renamed }).click();
      await expect(p.text('users.deleted', { name: renamed })).toBeVisible();
      await expectURL(p.page, /^\/users\?deleted=/);
      assert.equal((await admin.api.call('GET', `/v1/users/${m.id}`, undefined, { token: admin.token })).status, 404);
    }));

  it('the super admin creates a platform admin and a member, filters the list by type, status and team, and searches', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      // A team with an active member and a frozen one, for the filters.
      const team = await admin.team();
      const [active, frozen] = await Promise.all([admin.member(), admin.member()]);
      await admin.addMember(team.id, active.id);
      await admin.addMember(team.id, frozen.id);
      await admin.freeze(frozen.id);

      const p = await s.person();
      await signInAsAdmin(p);
      await p.checkPage('home-admin');
      await p.menu('nav.users').click();
      await expect(p.heading('users.title')).toBeVisible();
      await p.checkPage('users');

      // A platform admin, with a generated password: shown once, with its warning.
      await p.button('users.new').click();
      let d = p.dialog('users.newTitle');
      await expect(d.field('users.username')).toBeVisible();
      await p.checkPage('users-new');
      const paLogin = unique('pa');
      const paName = `Admin_${paLogin}`;
      await d.field('users.username').fill(paName);
      await d.field('users.loginAccount').fill(paLogin);
      await d.field('users.accountType').selectOption('platform_admin');
      await d.button('users.create').click();
      d = p.dialog('users.createdTitle');
      await expect(d.text('common.onceWarning')).toBeVisible();
      await expect(d.text('users.createdText', { name: paName, account: p.t('home.accountType.platform_admin') })).toBeVisible();
      assert.equal(await secret(d, 'created-login'), paLogin);
      const generated = await secret(d, 'temporary-password');
      await p.checkPage('users-created');
      await d.button('common.done').click();
      await expect(d.root).toBeHidden();
      assert.equal(await firstSignIn(s, paLogin, generated), 'NEW_PASSWORD_REQUIRED');

      // A member, with a typed password, emailed to it.
      await p.button('users.new').click();
      d = p.dialog('users.newTitle');
      const mLogin = unique('m');
      const mName = `Typed_${mLogin}`;
      const addr = email('e2e-typed-');
      const inbox = new Inbox(addr);
      await d.field('users.username').fill(mName);
      await d.field('users.loginAccount').fill(mLogin);
      await d.field('users.email').fill(addr);
      await d.field('users.passwordType').check();
      const typed = newPassword();
      await d.field('users.password').fill(typed);
      await d.field('users.notify').check();
      await d.button('users.create').click();
      d = p.dialog('users.createdTitle');
      assert.equal(await secret(d, 'temporary-password'), typed);
      await expect(d.text('users.emailedTo', { email: addr })).toBeVisible();
      await d.button('common.done').click();
      assert.ok((await inbox.next()).text.includes(typed), 'the emailed mail does not hold the password');
      assert.equal(await firstSignIn(s, mLogin, typed), 'NEW_PASSWORD_REQUIRED');

      // By team: its two members; and frozen: the frozen one alone.
      await p.field('users.team').selectOption(team.id);
      await expectColumn(p, 1, [active.username, frozen.username]);
      await p.field('users.status').selectOption('frozen');
      await expectColumn(p, 1, [frozen.username]);
      await expectURL(p.page, /^\/users\?/);
      assert.deepEqual(Object.fromEntries(new URL(p.page.url()).searchParams), { status: 'frozen', teamId: team.id });
      await p.checkPage('users-filtered');
      // By type: platform admins only, the new one among the first (newest first; other
      // tests make platform admins meanwhile).
      await p.button('users.clearFilters').click();
      await p.field('users.accountType').selectOption('platform_admin');
      // (The list before the filter's answer holds it too: what tells them apart is the type.)
      let types = [];
      await eventually('the new platform admin is listed among platform admins only', async () => {
        types = await column(p, 4);
        return (await column(p, 1)).includes(paName) && types.every((x) => x === p.t('home.accountType.platform_admin'));
      }).catch((err) => {
        throw new Error(`${err.message}; the types listed: ${types}`);
      });
      // A search: the start of the new member's login account finds it alone.
      await p.button('users.clearFilters').click();
      await p.field('users.search').fill(mLogin.slice(0, -2));
      await p.button('users.searchSubmit').click();
      await expectColumn(p, 1, [mName]);
      assert.deepEqual(await column(p, 3), [addr]);
      // The filters live in the address: a reload keeps them.
      await p.page.reload();
      await expectColumn(p, 1, [mName]);
      await expect(p.field('users.search')).toHaveValue(mLogin.slice(0, -2));
    }));

  it('a manager creates an employee account with three roles; the employee signs in with the handed-over link', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const team = await admin.team();
      const [role, mgr] = await Promise.all([admin.role('Cashier ', ['team:read', 'invitations:manage']), admin.readyMember()]);
      await admin.addMember(team.id, mgr.id, ['admin']);
      const p = await s.person({ clipboard: true });
      await signInAt(p, mgr.loginAccount, mgr.password);
      await p.goto(`/teams/${team.id}`);
      await p.link('team.tabMembers').click();
      await expect(p.heading('members.title', { team: team.name })).toBeVisible();
      await p.checkPage('members');
      // Admins add existing users; a manager invites them instead.
      assert.equal(await p.button('members.add').count(), 0, 'a manager is offered to add an existing user');
      await p.button('members.create').click();
      const d = p.dialog('members.createTitle', { team: team.name });
      await expect(d.field('users.username')).toBeVisible();
      await p.checkPage('members-create');
      const login = unique('staff');
      const name = `Staff_${login}`;
      await d.field('users.username').fill(name);
      await d.field('users.loginAccount').fill(login);
      assert.equal(await d.fieldNamed(p.t('roles.owner')).count(), 0, 'the owner role is offered to a team admin');
      await d.fieldNamed(p.t('roles.admin')).check();
      await d.fieldNamed(role.name).check();
      await d.button('members.createSubmit').click();

      const done = p.dialog('members.createdTitle', { name });
      await expect(done.text('common.onceWarning')).toBeVisible();
      const link = await secret(done, 'handover-link');
      assert.equal(link, `${s.net.origin}/login?team=${team.id}`);
      assert.equal(await secret(done, 'handover-login'), login);
      const password = await secret(done, 'temporary-password');
      // "Copy all" copies the three, one a line, ready to paste into a message.
      await done.button('members.copyAll').click();
      await expect(done.text('common.copied')).toBeVisible();
      assert.equal(
        await p.page.evaluate(() => navigator.clipboard.readText()),
        p.t('members.handover', { team: team.name, link, login, password }),
      );
      await p.checkPage('members-created');
      await done.button('common.done').click();
      const row = p.row(login);
      for (const r of [p.t('roles.admin'), p.t('roles.member'), role.name]) await expect(row.root.getByText(r)).toBeVisible();

      // The employee opens the link, signs in, chooses a password and is in the team.
      const e = await s.person();
      await e.goto(link);
      await expect(e.text('login.teamIntro')).toBeVisible();
      await signIn(e, login, password);
      const chosen = await choosePassword(e);
      await atTeam(e, team);
      assert.deepEqual(await rolesIn(s, login, chosen, team.id), ['admin', 'member', role.name].sort());
    }));

  it("freezes a member, whose open console is refused, then recovers it and the member signs in again", { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const m = await admin.readyMember();
      const member = await s.person();
      await signInAt(member, m.loginAccount, m.password);
      // The page has settled: the click below is its next action.
      await member.page.waitForLoadState('networkidle');

      const p = await s.person();
      await signInAsAdmin(p);
      await p.goto(`/users/${m.id}`);
      await expect(p.page.getByRole('heading', { name: m.username, level: 1 })).toBeVisible();
      const name = `${m.username} (${m.loginAccount})`;
      await p.section('user.actionsTitle').button('user.freeze').click();
      const freeze = p.dialog('user.freezeTitle', { name });
      // The confirmation says what happens to the open sessions.
      await expect(freeze.text('user.freezeText', { name: m.username })).toBeVisible();
      await p.checkPage('user-freeze');
      await freeze.button('user.freezeConfirm').click();
      await expect(p.text('user.frozen', { name: m.username })).toBeVisible();
      await expect(p.main.getByText(p.t('users.statusWord.frozen'), { exact: true })).toBeVisible();

      // The member's next action is refused, and a new sign-in too.
      await member.menu('nav.account').click();
      await expect(member.text('login.notice.frozen')).toBeVisible();
      await signIn(member, m.loginAccount, m.password);
      await expect(member.text('errors.code.invalid_credentials')).toBeVisible();
      await member.page.waitForLoadState('networkidle');

      await p.section('user.actionsTitle').button('user.recover').click();
      const recover = p.dialog('user.recoverTitle', { name });
      await expect(recover.text('user.recoverText', { name: m.username })).toBeVisible();
      await p.checkPage('user-recover');
      await recover.button('user.recoverConfirm').click();
      await expect(p.text('user.recovered', { name: m.username })).toBeVisible();
      await expect(p.main.getByText(p.t('users.statusWord.active'), { exact: true })).toBeVisible();

      // The member signs in again and is back where it was going.
      await signIn(member, m.loginAccount, m.password);
      await expect(member.heading('account.title')).toBeVisible();

      // Both changes, from -> to, in the user's own audit trail.
      await p.link('user.auditAbout').click();
      await expect(p.heading('audit.title')).toBeVisible();
      const status = (from, to) => `${p.t('audit.field.status')}: ${p.t(`audit.status.${from}`)} → ${p.t(`audit.status.${to}`)}`;
      const events = p.main.locator('ol.events > li');
      await eventually('the creation, the freeze and the recovery', async () => (await events.count()) === 3);
      assert.deepEqual(await events.locator('strong').allTextContents(), [
        p.t('audit.actionWord.user.recover'),
        p.t('audit.actionWord.user.freeze'),
        p.t('audit.actionWord.user.create'),
      ]);
      await expect(events.nth(0).getByText(status('frozen', 'active'), { exact: true })).toBeVisible();
      await expect(events.nth(1).getByText(status('active', 'frozen'), { exact: true })).toBeVisible();
      await p.checkPage('audit-user');
    }));

  it('an 8-digit code is created, copied and used once; a second use is refused in words', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const team = await admin.team();
      const [mgr, first, second] = await Promise.all([admin.readyMember(), admin.readyMember(), admin.readyMember()]);
      await admin.addMember(team.id, mgr.id, ['admin']);
      const p = await s.person({ clipboard: true });
      await signInAt(p, mgr.loginAccount, mgr.password);
      await p.goto(`/teams/${team.id}/invitations`);
      const codes = p.section('invitations.codesTitle');
      await codes.button('invitations.createCode').click();
      const made = codes.root.getByTestId('invitation-code');
      await expect(made).toBeVisible();
      const shownCode = (await made.textContent()).replace(/\s/g, '');
      assert.match(shownCode, /^\d{8}$/);
      await expect(codes.text('invitations.codeMade', { roles: p.t('roles.member') })).toBeVisible();
      await codes.button('invitations.copyCode').click();
      await expect(codes.text('common.copied')).toBeVisible();
      const code = await p.page.evaluate(() => navigator.clipboard.readText());
      assert.equal(code, shownCode, 'the clipboard does not hold the code shown');
      // Listed as live until it is used.
      await expect(codes.root.getByRole('cell', { name: `${code.slice(0, 4)} ${code.slice(4)}`, exact: true })).toBeVisible();
      await p.checkPage('invitations-code');

      const a = await s.person();
      await signInAt(a, first.loginAccount, first.password);
      await a.menu('nav.join').click();
      await a.field('join.code').fill(code);
      await a.button('join.submit').click();
      await atTeam(a, team);
      assert.deepEqual(await rolesIn(s, first.loginAccount, first.password, team.id), ['member']);

      const b = await s.person();
      await signInAt(b, second.loginAccount, second.password);
      await b.menu('nav.join').click();
      await b.field('join.code').fill(code);
      await b.button('join.submit').click();
      await expect(b.text('errors.code.invitation_used')).toBeVisible();
      await expect(b.field('join.code')).toHaveAttribute('aria-invalid', 'true');
      await b.checkPage('join-code-used');

      // The used code is no longer live.
      await p.page.reload();
      await expect(codes.text('invitations.noCodes')).toBeVisible();
    }));

  it('an admin creates a team, adds an existing user, changes its roles, removes it and deletes the team', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const m = await (await s.admin()).member();
      const p = await s.person({ clipboard: true });
      await signInAsAdmin(p);
      await p.menu('nav.teams').click();
      await expect(p.heading('teams.title')).toBeVisible();
      await p.button('teams.new').click();
      const d = p.dialog('teams.newTitle');
      await expect(d.field('teams.name')).toBeVisible();
      await p.checkPage('teams-new');
      const name = unique('Team ');
      await d.field('teams.name').fill(name);
      await d.field('team.description').fill('Sells the mini-programs of the north.');
      await d.button('teams.create').click();
      await expect(p.page.getByRole('heading', { name, level: 1 })).toBeVisible();
      await expect(p.text('team.created', { name })).toBeVisible();
      const teamId = /^\/teams\/([a-z2-7]+)$/.exec(new URL(p.page.url()).pathname)?.[1];
      assert.ok(teamId, `not a team's address: ${p.page.url()}`);
      await p.button('team.copyLink').click();
      assert.equal(await p.page.evaluate(() => navigator.clipboard.readText()), `${s.net.origin}/login?team=${teamId}`);

      // An existing user, found by its login account, added with the member role.
      await p.link('team.tabMembers').click();
      await expect(p.text('members.none')).toBeVisible();
      await p.button('members.add').click();
      const add = p.dialog('members.addTitle', { team: name });
      await add.field('members.findUser').fill(m.loginAccount);
      await add.button('users.searchSubmit').click();
      const found = add.fieldNamed(`${m.username} (${m.loginAccount})`);
      await eventually('the one user found is chosen', () => found.isChecked());
      await p.checkPage('members-add');
      await add.button('members.addSubmit').click();
      await expect(p.text('members.added', { name: m.username, team: name })).toBeVisible();
      await expectColumn(p, 2, [m.loginAccount]);

      // Its roles: an admin may give any, the owner included.
      const row = p.row(m.loginAccount);
      await row.root.getByRole('button', { name: p.t('members.changeRoles') }).click();
      const roles = p.dialog('members.rolesTitle', { name: m.username });
      await roles.fieldNamed(p.t('roles.owner')).check();
      await roles.fieldNamed(p.t('roles.member')).uncheck();
      await p.checkPage('members-roles');
      await roles.button('members.saveRoles').click();
      await expect(p.text('members.rolesSaved', { name: m.username })).toBeVisible();
      await expectColumn(p, 4, [p.t('roles.owner')]);

      // Removed, with a confirmation that names it and the team.
      await row.root.getByRole('button', { name: p.t('members.remove') }).click();
      const remove = p.dialog('members.removeTitle', { name: m.username, team: name });
      await expect(remove.text('members.removeText', { name: `${m.username} (${m.loginAccount})`, team: name })).toBeVisible();
      await p.checkPage('members-remove');
      await remove.button('members.removeConfirm').click();
      await expect(p.text('members.removed', { name: m.username, team: name })).toBeVisible();
      await expect(p.text('members.none')).toBeVisible();

      // The team goes, from its own page, with a confirmation that names it.
      await p.link('team.tabOverview').click();
      await p.button('team.delete').click();
      const del = p.dialog('team.deleteConfirmTitle', { name });
      await p.checkPage('team-delete');
      await del.button('team.deleteConfirm', { name }).click();
      await expect(p.text('teams.deleted', { name })).toBeVisible();
      const r = await s.api().call('GET', `/v1/teams/${teamId}`, undefined, { token: (await s.admin()).token });
      assert.equal(r.status, 404, JSON.stringify(r.body));
    }));

  it('a team admin invites by email with a validity and roles; the new person lands in the team with exactly those roles', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const team = await admin.team();
      const ta = await admin.readyMember();
      await admin.addMember(team.id, ta.id, ['admin']);
      const p = await s.person();
      await signInAt(p, ta.loginAccount, ta.password);
      await p.main.getByRole('link', { name: team.name, exact: true }).click();
      await atTeam(p, team);
      await p.checkPage('team-manager');
      await p.link('team.tabInvitations').click();
      await expect(p.heading('invitations.title', { team: team.name })).toBeVisible();
      await p.checkPage('invitations');

      const links = p.section('invitations.linksTitle');
      const addr = email('e2e-link-');
      await links.field('invitations.email').fill(addr);
      await links.field('invitations.validFor').fill('3');
      await links.field('invitations.unit').selectOption('days');
      // A team admin may give admin and member, not owner (more than it holds).
      assert.equal(await links.fieldNamed(p.t('roles.owner')).count(), 0, 'the owner role is offered to a team admin');
      await links.fieldNamed(p.t('roles.admin')).check();
      assert.ok(await links.fieldNamed(p.t('roles.member')).isChecked(), 'member is not chosen to begin with');
      const asked = Date.now();
      await links.button('invitations.createLink').click();
      await expect(links.text('invitations.boundMade', { email: addr })).toBeVisible();
      const row = links.row(addr);
      await expect(row.root.getByText(p.t('invitations.statusWord.pending'), { exact: true })).toBeVisible();
      await p.checkPage('invitations-link-made');
      // Valid three days, as the API knows it.
      const listed = await s.api().ok(200, 'GET', `/v1/teams/${team.id}/invitations?status=pending`, undefined, { token: ta.token });
      const inv = listed.items.find((x) => x.email === addr);
      assert.ok(inv, 'the invitation is not listed');
      const hours = (Date.parse(inv.expiresAt) - asked) / 3600_000;
      assert.ok(hours > 71.9 && hours < 72.1, `valid for ${hours} hours, not 72`);
      assert.deepEqual([...inv.roleIds].sort(), ['admin', 'member']);

      // The new person follows the emailed link, registers, and is in the team.
      const q = await s.person();
      await q.goto(linkIn(await new Inbox(addr).next(), '/invitations/'));
      await expect(q.heading('invitation.title')).toBeVisible();
      await q.link('invitation.registerFromInvitation').click();
      const login = unique('n');
      const password = newPassword();
      await q.field('register.username').fill(`Invited_${login}`);
      await q.field('register.loginAccount').fill(login);
      await q.field('register.password').fill(password);
      await q.field('common.confirmPassword').fill(password);
      if ((await q.field('register.email').inputValue()) === '') await q.field('register.email').fill(addr);
      await q.button('register.submit').click();
      await atTeam(q, team);
      const mine = (await q.main.getByRole('definition').allTextContents()).map((x) => x.trim());
      const both = [p.t('roles.admin'), p.t('roles.member')];
      assert.ok(mine.some((x) => x.split(/, |、/).sort().join() === both.sort().join()), `the team page shows the roles ${mine}`);
      assert.deepEqual(await rolesIn(s, login, password, team.id), ['admin', 'member']);
      // And the link is used now.
      await p.field('invitations.status').selectOption('accepted');
      await expect(links.row(addr).root.getByText(p.t('invitations.statusWord.accepted'), { exact: true })).toBeVisible();
    }));

  it('a role in use cannot be deleted, and is explained in words', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const started = Date.now();
      const admin = await s.admin();
      const team = await admin.team();
      const m = await admin.member();
      const p = await s.person();
      await signInAsAdmin(p);
      await p.menu('nav.roles').click();
      await expect(p.heading('rolesPage.title')).toBeVisible();
      await p.checkPage('roles');
      await p.button('rolesPage.new').click();
      const d = p.dialog('rolesPage.newTitle');
      await expect(d.field('rolesPage.name')).toBeVisible();
      await p.checkPage('roles-new');
      const name = unique('Publisher ');
      await d.field('rolesPage.name').fill(name);
      await d.field('rolesPage.perm.invitations_manage').check();
      await d.field('rolesPage.freeKeys').fill('miniprogram:publish');
      await d.button('rolesPage.create').click();
      await expect(p.text('rolesPage.created', { name })).toBeVisible();
      const row = p.row(name);
      for (const perm of [p.t('rolesPage.perm.team_read'), p.t('rolesPage.perm.invitations_manage'), 'miniprogram:publish']) {
        await expect(row.root.getByText(perm, { exact: true })).toBeVisible();
      }
      const roles = await admin.ok(200, 'GET', '/v1/roles?limit=100');
      const role = roles.items.find((r) => r.name === name);
      assert.deepEqual([...role.permissions].sort(), ['invitations:manage', 'miniprogram:publish', 'team:read']);

      await admin.addMember(team.id, m.id, [role.id]);
      await row.root.getByRole('button', { name: p.t('rolesPage.delete') }).click();
      let c = p.dialog('rolesPage.deleteTitle', { name });
      await c.button('rolesPage.deleteConfirm', { name }).click();
      await expect(c.text('rolesPage.inUse', { name })).toBeVisible();
      await p.checkPage('roles-in-use');
      await c.button('common.cancel').click();
      await expect(row.root).toBeVisible();

      // Once no member holds it, it goes.
      await admin.setRoles(team.id, m.id, ['member']);
      await row.root.getByRole('button', { name: p.t('rolesPage.delete') }).click();
      c = p.dialog('rolesPage.deleteTitle', { name });
      await c.button('rolesPage.deleteConfirm', { name }).click();
      await expect(p.text('rolesPage.deleted', { name })).toBeVisible();
      await expect(row.root).toBeHidden();

      // The audit log, filtered by action and time: the deletion, what the role was -> nothing.
      await p.menu('nav.audit').click();
      await expect(p.heading('audit.title')).toBeVisible();
      await p.field('audit.action').selectOption('role.delete');
      // The browser's own local time, a minute before the role was made.
      const from = await p.page.evaluate((ms) => {
        const d = new Date(ms);
        const pad = (n) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      }, started - 60_000);
      await p.field('audit.from').fill(from);
      await p.button('audit.apply').click();
      const events = p.main.locator('ol.events > li');
      const gone = events.filter({ hasText: `${p.t('audit.field.name')}: ${name} → ${p.t('audit.nothing')}` });
      await expect(gone).toBeVisible();
      await expect(gone.getByText(p.t('audit.roleGone'), { exact: true })).toBeVisible();
      await expect(gone.getByText(/miniprogram:publish.* → /)).toBeVisible();
      assert.ok(new URL(p.page.url()).searchParams.get('from'), 'the time filter is not in the address');
    }));

  it('pages through 1,000 users one page at a time', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const prefix = unique('bulk');
      const seeded = await seedUsers(1000, prefix, (await admin.me()).user.id);
      const p = await s.person();
      // Every GET /v1/users the page makes, with its query.
      const asked = [];
      p.page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname === '/v1/users' && r.method() === 'GET') asked.push(u.searchParams);
      });
      await signInAsAdmin(p);
      await p.menu('nav.users').click();
      await expect(p.heading('users.title')).toBeVisible();
      // The whole list (more than a thousand users) opens on its first 20, from one request.
      await eventually('the first page of users', async () => (await column(p, 1)).length === 20);
      await expect(p.button('common.nextPage')).toBeVisible();
      assert.equal(asked.length, 1, `the list asked ${asked.length} times`);

      // The thousand seeded, found by the start of their login accounts, page by page.
      await p.field('users.search').fill(prefix);
      await p.button('users.searchSubmit').click();
      const page = (n) => seeded.slice(20 * (n - 1), 20 * n).map((u) => u.username);
      await expectColumn(p, 1, page(1), { ordered: true });
      await p.checkPage('users-many');
      for (const n of [2, 3]) {
        await p.button('common.nextPage').click();
        await expect(p.text('common.pageN', { n })).toBeVisible();
        await expectColumn(p, 1, page(n), { ordered: true });
      }
      await p.button('common.previousPage').click();
      await expectColumn(p, 1, page(2), { ordered: true });
      await p.page.waitForLoadState('networkidle');
      // One request per page shown (1, 2, 3, then 2 again), each for 20 users, each page
      // after the first from the cursor the one before answered.
      const searches = asked.filter((q) => q.get('q') === prefix);
      assert.equal(searches.length, 4, `the search asked ${searches.length} times for 4 pages`);
      assert.ok(asked.every((q) => q.get('limit') === '20'), `a request asked for more: ${asked.map(String).join(' ')}`);
      assert.deepEqual(
        searches.map((q) => q.has('cursor')),
        [false, true, true, true],
      );
      assert.equal(searches[3].get('cursor'), searches[1].get('cursor'), 'Previous did not go back to the second page');
    }));

  const nav = (p, keys) => keys.map((k) => p.t(`nav.${k}`));

  for (const lang of ['en', 'zh-CN']) {
    it(`navigation shows a member and a manager only what each may use (${lang})`, { timeout }, (tc) =>
      scene(tc, async (s) => {
        const admin = await s.admin();
        const team = await admin.team();
        const [loner, member, manager] = await Promise.all([admin.readyMember(), admin.readyMember(), admin.readyMember()]);
        await admin.addMember(team.id, member.id, ['member']);
        await admin.addMember(team.id, manager.id, ['admin']);
        const [pl, pm, pg] = await Promise.all([1, 2, 3].map(() => s.person({ lang })));
        await Promise.all([
          signInAt(pl, loner.loginAccount, loner.password),
          signInAt(pm, member.loginAccount, member.password),
          signInAt(pg, manager.loginAccount, manager.password),
        ]);
        // Without a team: my account and joining one; in a team: its teams too. Managing a
        // team is done inside it, not from the menu.
        assert.deepEqual(await pl.navigation(), nav(pl, ['home', 'join', 'account', 'signOut']));
        assert.deepEqual(await pm.navigation(), nav(pm, ['home', 'myTeams', 'join', 'account', 'signOut']));
        assert.deepEqual(await pg.navigation(), nav(pg, ['home', 'myTeams', 'join', 'account', 'signOut']));

        // An admin's page is not a member's.
        await pl.goto('/users');
        await expect(pl.heading('app.adminOnlyTitle')).toBeVisible();
        await pl.checkPage('admin-only');

        // A team's tabs: a member sees it and its members; a manager also its invitations.
        const tabs = async (p) => {
          const t = p.page.getByRole('navigation', { name: p.t('team.tabsLabel', { name: team.name }), exact: true });
          return (await t.getByRole('link').allTextContents()).map((x) => x.trim());
        };
        await Promise.all(
          [pm, pg].map(async (p) => {
            await p.menu('nav.myTeams').click();
            await expect(p.heading('teams.myTitle')).toBeVisible();
            await p.main.getByRole('link', { name: team.name, exact: true }).click();
            await atTeam(p, team);
          }),
        );
        assert.deepEqual(await tabs(pm), [pm.t('team.tabOverview'), pm.t('team.tabMembers')]);
        assert.deepEqual(await tabs(pg), [pg.t('team.tabOverview'), pg.t('team.tabMembers'), pg.t('team.tabInvitations')]);
        await pm.checkPage('team-member');
        // A member's view of the members: no actions, nothing to create.
        await pm.link('team.tabMembers').click();
        await expect(pm.heading('members.title', { team: team.name })).toBeVisible();
        await expectColumn(pm, 2, [member.loginAccount, manager.loginAccount]);
        assert.equal(await pm.button('members.create').count(), 0, 'a member is offered to create accounts');
        assert.equal(await pm.main.getByRole('columnheader', { name: pm.t('members.actions'), exact: true }).count(), 0);
        await pm.checkPage('members-read-only');
        await pm.goto(`/teams/${team.id}/invitations`);
        await expect(pm.text('invitations.notYours')).toBeVisible();
        await pm.checkPage('invitations-not-yours');
        await pm.menu('nav.myTeams').click();
        await expect(pm.heading('teams.myTitle')).toBeVisible();
        await pm.checkPage('teams-mine');
      }));

    it(`navigation shows admins every admin page (${lang})`, { timeout }, (tc) =>
      scene(tc, async (s) => {
        const admin = await s.admin();
        const team = await admin.team();
        const [pa, member] = await Promise.all([admin.readyMember({ accountType: 'platform_admin' }), admin.member()]);
        await admin.addMember(team.id, member.id, ['member']);
        const [pp, sa] = await Promise.all([s.person({ lang }), s.person({ lang })]);
        await Promise.all([signInAt(pp, pa.loginAccount, pa.password), signInAsAdmin(sa)]);
        const adminNav = ['home', 'users', 'teams', 'roles', 'audit', 'account', 'signOut'];
        assert.deepEqual(await pp.navigation(), nav(pp, adminNav));
        assert.deepEqual(await sa.navigation(), nav(sa, adminNav));
        await pp.checkPage('home-admin');
        for (const [key, heading] of [
          ['users', 'users.title'],
          ['teams', 'teams.title'],
          ['roles', 'rolesPage.title'],
          ['audit', 'audit.title'],
        ]) {
          await pp.menu(`nav.${key}`).click();
          await expect(pp.heading(heading)).toBeVisible();
          await pp.checkPage(key);
        }
        // A team as admins see it: every tab, and adding existing users.
        await pp.goto(`/teams/${team.id}`);
        await atTeam(pp, team);
        await pp.checkPage('team-admin');
        await pp.link('team.tabMembers').click();
        await expect(pp.button('members.add')).toBeVisible();
        await pp.checkPage('members-admin');
        await pp.link('team.tabInvitations').click();
        await expect(pp.heading('invitations.title', { team: team.name })).toBeVisible();
        await pp.checkPage('invitations');
        await pp.goto(`/users/${member.id}`);
        await expect(pp.page.getByRole('heading', { name: member.username, level: 1 })).toBeVisible();
        await pp.checkPage('user');
      }));
  }
});
