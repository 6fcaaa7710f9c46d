// RFC 6238 codes with Cognito's parameters (HMAC-SHA1, 6 digits, 30-second steps): the tests'
// authenticator app. internal/identity/totptest does the same for the Go tests.
import { createHmac } from 'node:crypto';

export const stepSeconds = 30;

function base32(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of secret.toUpperCase().replace(/=+$/, '').replace(/\s/g, '')) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`TOTP secret is not base32: ${secret}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// totpAt answers the code of a base32 secret at a time in milliseconds.
export function totpAt(secret, ms) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / stepSeconds)));
  const sum = createHmac('sha1', base32(secret)).update(counter).digest();
  const off = sum[sum.length - 1] & 0x0f;
  return String((sum.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// totpNow answers the current code. The local Cognito accepts only the current step, so in a
// step's last seconds it waits for the next one: the code must still be current when it arrives.
// Cognito also refuses a code used before, so after = a code used already waits for a new step.
export async function totpNow(secret, { within = 6_000, after } = {}) {
  for (;;) {
    const left = stepSeconds * 1000 - (Date.now() % (stepSeconds * 1000));
    if (left < within) {
      await new Promise((r) => setTimeout(r, left + 100));
      continue;
    }
    const code = totpAt(secret, Date.now());
    if (code !== after) return code;
    await new Promise((r) => setTimeout(r, left + 100));
  }
}
