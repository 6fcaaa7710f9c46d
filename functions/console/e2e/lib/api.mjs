// The API as the admin sees it, for setting a test's scene up (users, teams, invitations, a
// freeze). What a test proves goes through the browser; this only prepares it.
import { randomBytes } from 'node:crypto';
import { env } from './env.mjs';

// unique answers a fresh lower-case name, so that tests can run side by side on one stack.
export function unique(prefix) {
  return prefix + randomBytes(6).toString('hex');
}

// A password no rule of SPEC section 2 refuses (long, not common, no login account in it).
export function newPassword() {
  return `Quiet harbour ${randomBytes(4).toString('hex')} lanterns`;
}

export class APIError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} answered ${status}: ${JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

// API calls the stack through a test's network (its own source address), in a language: the
// API writes mails to addresses without an account in the request's Accept-Language.
export class API {
  constructor(net, lang = 'en') {
    this.net = net;
    this.lang = lang;
  }

  // call answers {status, body, headers}; it throws on no answer at all, not on an error status.
  async call(method, path, body, { token, lang = this.lang, headers = {} } = {}) {
    const res = await fetch(this.net.origin + path, {
      method,
      headers: {
        'content-type': 'application/json',
        'accept-language': lang,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  // ok is call that expects the given status and answers the body.
  async ok(status, method, path, body, opts) {
    const r = await this.call(method, path, body, opts);
    if (r.status !== status) throw new APIError(method, path, r.status, r.body);
    return r.body;
  }

  async login(loginAccount, password) {
    const r = await this.ok(200, 'POST', '/v1/auth/login', { loginAccount, password });
    if (!r.accessToken) throw new Error(`sign-in of ${loginAccount} answered no tokens: ${JSON.stringify(r)}`);
    return r.accessToken;
  }
}

// Admin is the bootstrapped super admin, signed in once per run.
let adminToken;

export class Admin {
  static async on(net, lang = 'en') {
    const api = new API(net, lang);
    adminToken ??= api.login(env().admin.login, env().admin.password);
    return new Admin(api, await adminToken);
  }

  constructor(api, token) {
    this.api = api;
    this.token = token;
  }

  ok(status, method, path, body, opts = {}) {
    return this.api.ok(status, method, path, body, { token: this.token, ...opts });
  }

  async team(name = unique('Team ')) {
    return this.ok(201, 'POST', '/v1/teams', { name });
  }

  // member creates a member (or, given accountType, a platform admin) with a temporary
  // password (its first sign-in must change it).
  async member({ email, username, lang, accountType = 'member' } = {}) {
    const loginAccount = unique(accountType === 'member' ? 'u' : 'pa');
    const r = await this.ok(
      201,
      'POST',
      '/v1/users',
      {
        username: username ?? `User_${loginAccount}`,
        loginAccount,
        accountType,
        ...(email ? { email } : {}),
        password: { generate: true },
      },
      { lang },
    );
    return { id: r.user.id, loginAccount, username: r.user.username, email, temporaryPassword: r.temporaryPassword };
  }

  // readyMember is a member who has chosen a password already (its first sign-in done through
  // the API); it answers the member with its password and a token.
  async readyMember(opts = {}) {
    const m = await this.member(opts);
    const api = this.api;
    const first = await api.ok(200, 'POST', '/v1/auth/login', { loginAccount: m.loginAccount, password: m.temporaryPassword });
    if (first.challenge !== 'NEW_PASSWORD_REQUIRED') throw new Error(`first sign-in answered ${JSON.stringify(first)}`);
    const password = newPassword();
    const r = await api.ok(200, 'POST', '/v1/auth/challenge', {
      loginAccount: m.loginAccount,
      session: first.session,
      challenge: 'NEW_PASSWORD_REQUIRED',
      newPassword: password,
    });
    return { ...m, password, token: r.accessToken };
  }

  async addMember(teamId, userId, roleIds = ['member']) {
    return this.ok(201, 'POST', `/v1/teams/${teamId}/members`, { userId, roleIds });
  }

  // invitation makes a link; bound to email when given (then it is emailed, in lang when the
  // address has no account), else open (its link is answered once).
  async invitation(teamId, { email, roleIds = ['member'], validForHours, lang } = {}) {
    return this.ok(
      201,
      'POST',
      `/v1/teams/${teamId}/invitations`,
      { ...(email ? { email } : {}), roleIds, ...(validForHours ? { validForHours } : {}) },
      { lang },
    );
  }

  async revokeInvitation(teamId, invitationId) {
    return this.ok(204, 'DELETE', `/v1/teams/${teamId}/invitations/${invitationId}`);
  }

  async invitationCode(teamId, roleIds = ['member']) {
    return this.ok(201, 'POST', `/v1/teams/${teamId}/invitation-codes`, { roleIds });
  }

  async freeze(userId) {
    return this.ok(200, 'POST', `/v1/users/${userId}/freeze`);
  }

  // role makes a custom role with a unique name starting with prefix.
  async role(prefix, permissions) {
    return this.ok(201, 'POST', '/v1/roles', { name: unique(prefix), permissions });
  }

  async setRoles(teamId, userId, roleIds) {
    return this.ok(200, 'PUT', `/v1/teams/${teamId}/members/${userId}`, { roleIds });
  }

  async me() {
    return this.ok(200, 'GET', '/v1/me');
  }

  async user(userId) {
    return this.ok(200, 'GET', `/v1/users/${userId}`);
  }
}

// tokenOf answers the token of an invitation link (<base>/invitations/<token>).
export function tokenOf(link) {
  const m = /\/invitations\/([A-Za-z0-9_-]+)/.exec(link);
  if (!m) throw new Error(`not an invitation link: ${link}`);
  return m[1];
}
