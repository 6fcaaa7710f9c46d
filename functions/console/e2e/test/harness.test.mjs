// The harness itself, against the running stack: the authenticator's codes, a test's own
// source address, the inbox, the admin's setup calls and the direct table writes. The
// console's tests stand on these; a failure here says the harness, not the console, is wrong.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, API, newPassword, tokenOf, unique } from '../lib/api.mjs';
import { expireInvitation, seedUsers } from '../lib/dynamo.mjs';
import { codeIn, Inbox, linkIn } from '../lib/mail.mjs';
import { Network } from '../lib/net.mjs';
import { totpAt } from '../lib/totp.mjs';

describe('totp', () => {
  // RFC 6238 appendix B, SHA-1 rows (8-digit codes there; these are their last 6 digits).
  it('computes the RFC 6238 vectors', () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of "12345678901234567890"
    for (const [unix, want] of [
      [59, '287082'],
      [1111111109, '081804'],
      [1111111111, '050471'],
      [1234567890, '005924'],
      [2000000000, '279037'],
      [20000000000, '353130'],
    ]) {
      assert.equal(totpAt(secret, unix * 1000), want, `at ${unix}`);
    }
  });
});

describe('harness against the stack', { concurrency: true }, () => {
  let net;
  before(async () => {
    net = await Network.open();
  });
  after(async () => net?.close());

  it('reaches the API from the network own source address', async () => {
    const admin = await Admin.on(net);
    const m = await admin.member();
    // The first sign-in goes through the network: its login event has the network's address.
    const api = new API(net);
    const first = await api.ok(200, 'POST', '/v1/auth/login', { loginAccount: m.loginAccount, password: m.temporaryPassword });
    const done = await api.ok(200, 'POST', '/v1/auth/challenge', {
      loginAccount: m.loginAccount,
      session: first.session,
      challenge: 'NEW_PASSWORD_REQUIRED',
      newPassword: newPassword(),
    });
    const events = await api.ok(200, 'GET', '/v1/me/login-events', undefined, { token: done.accessToken });
    assert.ok(events.items.length > 0, 'no login events');
    for (const e of events.items) assert.equal(e.sourceIp, net.ip, JSON.stringify(e));
  });

  it('reads a verification code from the inbox', async () => {
    const email = `${unique('e2e-code-')}@example.com`;
    const inbox = new Inbox(email);
    await new API(net).ok(202, 'POST', '/v1/auth/verification-codes', { email });
    const mail = await inbox.next();
    assert.match(codeIn(mail), /^\d{6}$/);
    await assert.rejects(inbox.next({ timeout: 500 }), /no new email/);
  });

  it('follows an emailed invitation to its team, and expires one in the table', async () => {
    const admin = await Admin.on(net);
    const team = await admin.team();
    const email = `${unique('e2e-inv-')}@example.com`;
    const inbox = new Inbox(email);
    const inv = await admin.invitation(team.id, { email });
    const link = linkIn(await inbox.next(), '/invitations/');
    // Links use the address the request came in on: this network's origin.
    assert.equal(new URL(link).origin, net.origin);
    const api = new API(net);
    const seen = await api.ok(200, 'GET', `/v1/invitations/${tokenOf(link)}`);
    assert.equal(seen.team.id, team.id);
    assert.equal(seen.status, 'pending');

    await expireInvitation(inv.id);
    const r = await api.call('GET', `/v1/invitations/${tokenOf(link)}`);
    assert.equal(r.status, 410, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'invitation_expired');
  });

  it('seeds users the API reads as its own: by id, in the list and by search', async () => {
    const admin = await Admin.on(net);
    const prefix = unique('seedcheck');
    const [a, b] = await seedUsers(2, prefix, (await admin.me()).user.id);
    const got = (await admin.user(b.id)).user;
    assert.deepEqual(
      { id: got.id, username: got.username, loginAccount: got.loginAccount, accountType: got.accountType, status: got.status, createdAt: got.createdAt },
      { id: b.id, username: b.username, loginAccount: b.loginAccount, accountType: 'member', status: 'active', createdAt: b.createdAt },
    );
    const found = await admin.ok(200, 'GET', `/v1/users?q=${prefix}`);
    assert.deepEqual(found.items.map((u) => u.id), [a.id, b.id]);
    // Its login account is taken, as a created user's is.
    const taken = await admin.api.call('POST', '/v1/users', { username: 'Again', loginAccount: a.loginAccount, accountType: 'member', password: { generate: true } }, { token: admin.token });
    assert.equal(taken.status, 409, JSON.stringify(taken.body));
  });
});
