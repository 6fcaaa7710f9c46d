// A person's inbox, read from the stack's mail JSON (every email the SES emulator accepted,
// oldest first) as a person reads theirs: the newest mails to their address, their text part.
import { env } from './env.mjs';

async function allMail() {
  const res = await fetch(env().mailJSONURL, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`mail JSON answered ${res.status}`);
  return res.json();
}

// Inbox hands out the mails to one address in the order they arrive, each once.
export class Inbox {
  constructor(address) {
    this.address = address.toLowerCase();
    this.seen = new Set();
  }

  async mails() {
    return (await allMail()).filter((m) => m.to.some((to) => to.toLowerCase() === this.address));
  }

  // next waits for a mail not handed out before (and, with match, whose subject or text
  // matches), polling until timeout ms have passed.
  async next({ timeout = 15_000, match } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const m of await this.mails()) {
        if (this.seen.has(m.messageId)) continue;
        if (match && !match.test(m.subject) && !match.test(m.text)) continue;
        this.seen.add(m.messageId);
        return m;
      }
      if (Date.now() > deadline) {
        throw new Error(`no new email to ${this.address} within ${timeout} ms${match ? ` matching ${match}` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  // skipAll marks what is there now as read: next waits for what comes after.
  async skipAll() {
    for (const m of await this.mails()) this.seen.add(m.messageId);
  }
}

// codeIn answers the 6-digit code of a verification or reset mail.
export function codeIn(mail) {
  const m = /(?<![\d])(\d{6})(?![\d])/.exec(mail.text);
  if (!m) throw new Error(`no 6-digit code in the mail "${mail.subject}": ${mail.text}`);
  return m[1];
}

// linkIn answers the first link in a mail's text part whose path starts with path.
export function linkIn(mail, path) {
  for (const m of mail.text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    if (new URL(m[0]).pathname.startsWith(path)) return m[0];
  }
  throw new Error(`no link to ${path} in the mail "${mail.subject}": ${mail.text}`);
}

// looksChinese holds for a text mostly written in Chinese (the zh-CN mails): Han characters
// in it, and more of them than Latin letters outside links and codes.
export function looksChinese(text) {
  const plain = text.replace(/https?:\/\/\S+/g, '');
  const han = (plain.match(/\p{Script=Han}/gu) || []).length;
  const latin = (plain.match(/[A-Za-z]/g) || []).length;
  return han > 0 && han >= latin / 4;
}
