// The console in a real browser against the local stack: every flow a person who is not an
// admin goes through, in English and Simplified Chinese where the issue asks for both, with
// axe-core and screenshots on every page (lib/browser.mjs). One Chromium; each test has a
// network (source address) and browser contexts of its own, and runs beside the others.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newPassword, tokenOf, unique } from '../lib/api.mjs';
import { close, launch, minorFindings, scene } from '../lib/browser.mjs';
import { expireInvitation } from '../lib/dynamo.mjs';
import { env } from '../lib/env.mjs';
import { expect } from '../lib/expect.mjs';
import { codeIn, Inbox, linkIn, looksChinese } from '../lib/mail.mjs';
import { atHome, atTeam, signIn, tabTo, typeInto } from '../lib/steps.mjs';
import { totpNow } from '../lib/totp.mjs';

const concurrency = Number(process.env.ROSTER_E2E_CONCURRENCY || 4);
// Each flow's limit; the suite's own is the sum of what may run one after another.
const timeout = 90_000;
const suiteTimeout = 15 * 60_000;

function email(prefix) {
  return `${unique(prefix)}@example.com`;
}

// assertMailIn checks that a mail is written in lang.
function assertMailIn(mail, lang) {
  assert.equal(looksChinese(mail.text), lang === 'zh-CN', `mail "${mail.subject}" is not in ${lang}:\n${mail.text}`);
}

describe('console', { concurrency, timeout: suiteTimeout }, () => {
  before(async () => {
    env();
    await launch();
  });
  after(async () => {
    await close();
    const minor = minorFindings();
    if (minor.length > 0) console.log(`axe findings below serious (${minor.length}):\n  ${minor.join('\n  ')}`);
  });

  for (const lang of ['en', 'zh-CN']) {
    it(`registers with an emailed code (${lang})`, { timeout }, (tc) =>
      scene(tc, async (s) => {
        const p = await s.person({ lang });
        const addr = email('e2e-reg-');
        const inbox = new Inbox(addr);
        const login = unique('r');
        await p.goto('/register');
        await expect(p.heading('register.title')).toBeVisible();
        await p.checkPage('register');
        await p.field('register.username').fill(lang === 'zh-CN' ? `新成员${login.slice(-4)}` : `New_${login}`);
        await p.field('register.loginAccount').fill(login);
        const password = newPassword();
        await p.field('register.password').fill(password);
        await p.field('common.confirmPassword').fill(password);
        await p.field('register.email').fill(addr);
        await p.button('common.sendCode').click();
        await expect(p.text('common.codeSent', { email: addr })).toBeVisible();
        // The cool-down: the button counts down from 60 s and cannot be pressed meanwhile.
        const resend = p.page.getByRole('button', { name: p.re('common.resendIn', {}) });
        await expect(resend).toBeVisible();
        assert.ok(await resend.isDisabled(), 'the code can be sent again at once');
        const mail = await inbox.next();
        assertMailIn(mail, lang);
        await p.field('register.verificationCode').fill(codeIn(mail));
        await p.button('register.submit').click();
        await atHome(p);
        await expect(p.text('home.noTeams')).toBeVisible();
        await expect(p.main.getByRole('link', { name: p.t('home.joinCta'), exact: true })).toBeVisible();
        await p.checkPage('home-no-team');
        // The account speaks the language it was registered in.
        const me = await s.api().ok(200, 'GET', '/v1/me', undefined, { token: await s.api().login(login, password) });
        assert.equal(me.user.locale, lang);
      }));
  }

  it('signs in with a first-login password change', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const m = await admin.member();
      const p = await s.person();
      await p.goto('/login');
      await expect(p.heading('login.title')).toBeVisible();
      await p.checkPage('login');
      await signIn(p, m.loginAccount, m.temporaryPassword);
      await expect(p.heading('login.newPasswordTitle')).toBeVisible();
      await p.checkPage('login-new-password');
      const password = newPassword();
      await p.field('login.newPassword').fill(password);
      await p.field('common.confirmPassword').fill(password);
      const [answer] = await Promise.all([
        p.page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/auth/challenge'),
        p.button('login.newPasswordSubmit').click(),
      ]);
      await atHome(p);
      // The refresh token never reaches page scripts: not in the answer, only in an HttpOnly
      // cookie for /v1/auth; a page load signs in again from it.
      assert.equal((await answer.json()).refreshToken, undefined, 'the console was answered a refresh token');
      const cookie = (await p.context.cookies()).find((c) => c.name === 'roster_refresh');
      assert.ok(cookie, 'no roster_refresh cookie');
      assert.deepEqual(
        { httpOnly: cookie.httpOnly, secure: cookie.secure, sameSite: cookie.sameSite, path: cookie.path },
        { httpOnly: true, secure: true, sameSite: 'Strict', path: '/v1/auth' },
      );
      assert.ok(!(await p.page.evaluate(() => document.cookie)).includes('roster_refresh'));
      await p.page.reload();
      await atHome(p);
      // The new password is the one that signs in now.
      await s.api().login(m.loginAccount, password);
    }));

  it('binds an authenticator in My account, then signs in with a TOTP code', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const m = await (await s.admin()).readyMember();
      const p = await s.person();
      await p.goto('/login');
      await signIn(p, m.loginAccount, m.password);
      await atHome(p);
      await p.link('nav.account').click();
      await expect(p.heading('account.title')).toBeVisible();
      await expect(p.text('account.mfaOff')).toBeVisible();
      await p.checkPage('account');
      await p.button('account.mfaStart').click();
      await expect(p.page.getByRole('img', { name: p.t('account.qrAlt') })).toBeVisible();
      // The key as the page shows it to be typed (base32, in groups).
      const shown = await p.page.getByTestId('totp-secret').textContent();
      assert.match(shown, /^\s*[A-Za-z2-7]+( [A-Za-z2-7]+)*\s*$/, `not a key to type: ${shown}`);
      const secret = shown.replace(/\s/g, '');
      await p.checkPage('account-authenticator');
      const bound = await totpNow(secret);
      await p.field('account.mfaCode').fill(bound);
      await p.button('account.mfaVerify').click();
      await expect(p.text('account.mfaEnabled')).toBeVisible();
      await p.button('nav.signOut').click();
      await expect(p.heading('login.title')).toBeVisible();
      await signIn(p, m.loginAccount, m.password);
      await expect(p.heading('login.mfaTitle')).toBeVisible();
      await p.checkPage('login-mfa');
      await p.field('login.mfaCode').fill(await totpNow(secret, { after: bound }));
      await p.button('login.mfaSubmit').click();
      await atHome(p);
    }));

  it('changes username, email (with its code) and password in My account', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const m = await (await s.admin()).readyMember({ email: email('e2e-acct-old-') });
      const p = await s.person();
      await p.goto('/login');
      await signIn(p, m.loginAccount, m.password);
      await atHome(p);
      await p.link('nav.account').click();
      await expect(p.heading('account.title')).toBeVisible();
      // The sign-in just made is in the history, from this test's own address.
      await expect(p.main.getByRole('cell', { name: s.net.ip }).first()).toBeVisible();

      // An authenticator bound meanwhile (through the API, from another device) shows on a
      // page load; a wrong code does not unbind it, a current one does.
      const { secret } = await s.api().ok(200, 'POST', '/v1/me/mfa/totp', undefined, { token: m.token });
      const bound = await totpNow(secret);
      await s.api().ok(204, 'POST', '/v1/me/mfa/totp/verify', { code: bound }, { token: m.token });
      await p.page.reload();
      await expect(p.text('account.mfaOn')).toBeVisible();
      await p.checkPage('account-mfa-on');
      await p.field('account.mfaCode').fill(String((Number(bound) + 500_000) % 1_000_000).padStart(6, '0'));
      await p.button('account.mfaUnbind').click();
      await expect(p.field('account.mfaCode')).toHaveAttribute('aria-invalid', 'true');
      await expect(p.text('errors.field.codeIncorrect')).toBeVisible();
      await p.field('account.mfaCode').fill(await totpNow(secret, { after: bound }));
      await p.button('account.mfaUnbind').click();
      await expect(p.text('account.mfaDisabled')).toBeVisible();
      await expect(p.text('account.mfaOff')).toBeVisible();

      const name = `Renamed_${m.loginAccount}`;
      await p.field('account.username').fill(name);
      await p.button('account.saveUsername').click();
      await expect(p.text('account.usernameSaved')).toBeVisible();

      const addr = email('e2e-acct-new-');
      const inbox = new Inbox(addr);
      await p.field('account.newEmail').fill(addr);
      await p.button('account.sendEmailCode').click();
      await expect(p.text('common.codeSent', { email: addr })).toBeVisible();
      await p.field('account.emailCode').fill(codeIn(await inbox.next()));
      await p.button('account.confirmEmail').click();
      await expect(p.text('account.emailChanged', { email: addr })).toBeVisible();

      const password = newPassword();
      await p.field('account.currentPassword').fill(m.password);
      await p.field('account.newPassword').fill(password);
      await p.field('common.confirmPassword').fill(password);
      await p.button('account.changePassword').click();
      await expect(p.text('account.passwordChanged')).toBeVisible();
      await p.checkPage('account-changed');

      // The other session (the setup's) has ended; the console's goes on; the new password
      // signs in, and the account has the new name and address.
      assert.equal((await s.api().call('GET', '/v1/me', undefined, { token: m.token })).status, 401);
      await p.page.reload();
      await expect(p.heading('account.title')).toBeVisible();
      const me = await s.api().ok(200, 'GET', '/v1/me', undefined, { token: await s.api().login(m.loginAccount, password) });
      assert.equal(me.user.username, name);
      assert.equal(me.user.email, addr);
    }));

  it('resets a forgotten password with an emailed code', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const addr = email('e2e-forgot-');
      const m = await (await s.admin()).readyMember({ email: addr });
      const inbox = new Inbox(addr);
      await inbox.skipAll();
      const p = await s.person();
      await p.goto('/login');
      await p.link('login.forgot').click();
      await expect(p.heading('forgot.title')).toBeVisible();
      await p.checkPage('forgot-password');
      await p.field('forgot.loginAccount').fill(m.loginAccount);
      await p.button('forgot.send').click();
      await expect(p.text('forgot.sentIntro')).toBeVisible();
      const code = codeIn(await inbox.next());
      await p.field('forgot.code').fill(code);
      const password = newPassword();
      await p.field('forgot.newPassword').fill(password);
      await p.field('common.confirmPassword').fill(password);
      await p.checkPage('forgot-password-code');
      await p.button('forgot.submit').click();
      await expect(p.text('login.notice.passwordReset')).toBeVisible();
      await signIn(p, m.loginAccount, password);
      await atHome(p);
    }));

  for (const lang of ['en', 'zh-CN']) {
    it(`follows an emailed invitation as a new person, registers and lands in the team (${lang})`, { timeout }, (tc) =>
      scene(tc, async (s) => {
        const admin = await s.admin(lang);
        const team = await admin.team();
        const addr = email('e2e-invnew-');
        const inbox = new Inbox(addr);
        await admin.invitation(team.id, { email: addr, lang });
        const mail = await inbox.next();
        assertMailIn(mail, lang);
        const link = linkIn(mail, '/invitations/');
        const p = await s.person({ lang });
        await p.goto(link);
        await expect(p.heading('invitation.title')).toBeVisible();
        // Team, inviter, masked address, roles, expiry and state, as the API knows them.
        const known = await s.api(lang).ok(200, 'GET', `/v1/invitations/${tokenOf(link)}`);
        for (const shown of [team.name, known.invitedBy, known.email, p.t('roles.member'), p.t('invitation.statusWord.pending')]) {
          await expect(p.main.getByText(shown, { exact: true })).toBeVisible();
        }
        assert.ok(!(await p.main.textContent()).includes(addr), 'the invitation page shows the whole address');
        await expect(p.main.getByText(p.t('invitation.expires'), { exact: true })).toBeVisible();
        await p.checkPage('invitation');
        await p.link('invitation.registerFromInvitation').click();
        await expect(p.text('register.invitationIntro', { team: team.name })).toBeVisible();
        await p.checkPage('register-invitation');
        const login = unique('n');
        await p.field('register.username').fill(`Invited_${login}`);
        await p.field('register.loginAccount').fill(login);
        const password = newPassword();
        await p.field('register.password').fill(password);
        await p.field('common.confirmPassword').fill(password);
        const emailField = p.field('register.email');
        if ((await emailField.inputValue()) === '') await emailField.fill(addr);
        // The link proves the address: no code is asked for.
        assert.equal(await p.field('register.verificationCode').count(), 0, 'a code is asked for a bound invitation');
        await p.button('register.submit').click();
        await atTeam(p, team);
      }));

    it(`follows an emailed invitation as an existing member, signs in, accepts and lands in the team (${lang})`, { timeout }, (tc) =>
      scene(tc, async (s) => {
        const admin = await s.admin(lang);
        const team = await admin.team();
        const addr = email('e2e-invold-');
        const m = await admin.readyMember({ email: addr });
        if (lang !== 'en') await s.api().ok(200, 'PATCH', '/v1/me', { locale: lang }, { token: m.token });
        const inbox = new Inbox(addr);
        await inbox.skipAll();
        await admin.invitation(team.id, { email: addr });
        const mail = await inbox.next();
        assertMailIn(mail, lang);
        const p = await s.person({ lang });
        await p.goto(linkIn(mail, '/invitations/'));
        await expect(p.text('invitation.statusWord.pending')).toBeVisible();
        await p.link('invitation.signInToAccept').click();
        await expect(p.text('login.invitationIntro')).toBeVisible();
        await p.checkPage('login-invitation');
        await signIn(p, m.loginAccount, m.password);
        await expect(p.text('invitation.signedInAs', {})).toBeVisible();
        await p.checkPage('invitation-signed-in');
        await p.button('invitation.accept').click();
        await atTeam(p, team);
        const me = await s.api().ok(200, 'GET', '/v1/me', undefined, { token: m.token });
        assert.ok(me.teams.some((t) => t.id === team.id), 'not in the team');
      }));
  }

  it('joins a team with an 8-digit code', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const team = await admin.team();
      const { code } = await admin.invitationCode(team.id);
      const m = await admin.readyMember();
      const p = await s.person();
      await p.goto('/login');
      await signIn(p, m.loginAccount, m.password);
      await atHome(p);
      await p.main.getByRole('link', { name: p.t('home.joinCta'), exact: true }).click();
      await expect(p.heading('join.title')).toBeVisible();
      await p.checkPage('join');
      // A wrong code first: it is refused in words, and the field keeps what was typed.
      const wrong = code === '00000000' ? '00000001' : '00000000';
      await p.field('join.code').fill(wrong);
      await p.button('join.submit').click();
      await expect(p.text('join.codeNotFound')).toBeVisible();
      await expect(p.field('join.code')).toHaveValue(wrong);
      await p.field('join.code').fill(code);
      await p.button('join.submit').click();
      await atTeam(p, team);
      await p.checkPage('team');
      // Home lists the team now.
      await p.link('nav.home').click();
      await atHome(p);
      await expect(p.main.getByRole('link', { name: team.name, exact: true })).toBeVisible();
      await p.checkPage('home');
      const me = await s.api().ok(200, 'GET', '/v1/me', undefined, { token: m.token });
      assert.ok(me.teams.some((t) => t.id === team.id), 'not in the team');
    }));

  it('opens the team from its sign-in link /login?team=<id>', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const team = await admin.team();
      const m = await admin.readyMember();
      await admin.addMember(team.id, m.id);
      const p = await s.person({ lang: 'zh-CN' });
      await p.goto(`/login?team=${team.id}`);
      await expect(p.text('login.teamIntro')).toBeVisible();
      await p.checkPage('login-team');
      await signIn(p, m.loginAccount, m.password);
      await atTeam(p, team);
    }));

  it("refuses a frozen user's open console at its next action", { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const m = await admin.readyMember();
      const p = await s.person();
      await p.goto('/login');
      await signIn(p, m.loginAccount, m.password);
      await atHome(p);
      // The page has settled (nothing left to load): the click below is its next action.
      await p.page.waitForLoadState('networkidle');
      await admin.freeze(m.id);
      await p.link('nav.account').click();
      await expect(p.text('login.notice.frozen')).toBeVisible();
      await p.checkPage('frozen');
    }));

  it('shows every state of an invitation in words', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const admin = await s.admin();
      const team = await admin.team();
      const pending = await admin.invitation(team.id);
      const expired = await admin.invitation(team.id);
      await expireInvitation(expired.id);
      const revoked = await admin.invitation(team.id);
      await admin.revokeInvitation(team.id, revoked.id);
      const used = await admin.invitation(team.id);
      const m = await admin.readyMember();
      await s.api().ok(201, 'POST', `/v1/invitations/${tokenOf(used.link)}/accept`, undefined, { token: m.token });

      const p = await s.person();
      await p.goto(`/invitations/${tokenOf(pending.link)}`);
      await expect(p.text('invitation.statusWord.pending')).toBeVisible();
      await expect(p.text('invitation.openLink')).toBeVisible();
      for (const [inv, code] of [
        [expired, 'invitation_expired'],
        [used, 'invitation_used'],
        [revoked, 'invitation_revoked'],
      ]) {
        await p.goto(`/invitations/${tokenOf(inv.link)}`);
        await expect(p.text(`invitation.gone.${code}`)).toBeVisible();
        await p.checkPage(`invitation-${code.replace('invitation_', '')}`);
      }
      await p.goto(`/invitations/${'A'.repeat(43)}`);
      await expect(p.text('invitation.notFound')).toBeVisible();
      await p.checkPage('invitation-not-found');
    }));

  it('shows a wrong password, then the lock with its wait, in words', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const m = await (await s.admin()).readyMember();
      const p = await s.person();
      await p.goto('/login');
      await signIn(p, m.loginAccount, 'not the password at all');
      await expect(p.text('errors.code.invalid_credentials')).toBeVisible();
      // Nothing is lost from the form on an error.
      await expect(p.field('login.loginAccount')).toHaveValue(m.loginAccount);
      await p.checkPage('login-wrong-password');
      // Five failures per account in a 15-minute window (fixed, aligned to the clock); the next
      // attempt is refused with the wait. Attempts near a window's end may spill into the next.
      let status = 0;
      for (let i = 0; i < 11 && status !== 429; i++) {
        const [answer] = await Promise.all([
          p.page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/auth/login'),
          p.button('login.submit').click(),
        ]);
        status = answer.status();
      }
      assert.equal(status, 429, 'the sign-in was never locked');
      const locked = p.text('errors.retryAfter', {});
      await expect(locked).toBeVisible();
      // The wait is said in words: what is left of the window, in minutes or, at its very
      // end, seconds.
      const words = await locked.first().textContent();
      const waits = [
        ...Array.from({ length: 15 }, (_, i) => p.t('errors.wait.minutes', { count: i + 1 })),
        ...Array.from({ length: 59 }, (_, i) => p.t('errors.wait.seconds', { count: i + 1 })),
      ];
      assert.ok(
        waits.some((w) => words.includes(p.t('errors.retryAfter', { wait: w }))),
        `the wait is not in words: ${words}`,
      );
      await p.checkPage('login-locked');
    }));

  it('switches language on a page', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const p = await s.person();
      await p.goto('/login');
      await expect(p.heading('login.title')).toBeVisible();
      await p.field('lang.label').selectOption('zh-CN');
      p.lang = 'zh-CN';
      await expect(p.heading('login.title')).toBeVisible();
      assert.equal(await p.page.evaluate(() => document.documentElement.lang), 'zh-CN');
      await p.checkPage('login');
    }));

  it('completes sign-in with the keyboard alone', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const m = await (await s.admin()).readyMember();
      const p = await s.person();
      await p.goto('/login');
      await expect(p.heading('login.title')).toBeVisible();
      await typeInto(p, p.field('login.loginAccount'), m.loginAccount);
      await typeInto(p, p.field('login.password'), m.password);
      await p.page.keyboard.press('Enter');
      await atHome(p);
    }));

  it('completes registration with the keyboard alone', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const p = await s.person();
      const addr = email('e2e-kbd-');
      const inbox = new Inbox(addr);
      const login = unique('k');
      const password = newPassword();
      await p.goto('/register');
      await expect(p.heading('register.title')).toBeVisible();
      await typeInto(p, p.field('register.username'), `Keys_${login}`);
      await typeInto(p, p.field('register.loginAccount'), login);
      await typeInto(p, p.field('register.password'), password);
      await typeInto(p, p.field('common.confirmPassword'), password);
      await typeInto(p, p.field('register.email'), addr);
      await tabTo(p, p.button('common.sendCode'));
      await p.page.keyboard.press('Enter');
      const code = codeIn(await inbox.next());
      await typeInto(p, p.field('register.verificationCode'), code);
      await p.page.keyboard.press('Enter');
      await atHome(p);
    }));

  it('shows the page-not-found page', { timeout }, (tc) =>
    scene(tc, async (s) => {
      const p = await s.person();
      await p.goto('/no/such/page');
      await expect(p.heading('app.notFoundTitle')).toBeVisible();
      await p.checkPage('not-found');
    }));
});
