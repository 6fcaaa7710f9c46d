// The console's words, looked up by catalogue key in the SPA's own i18next catalogues
// (functions/console/web/src/i18n/<lang>.json), so that one test runs in every language.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const languages = ['en', 'zh-CN'];

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'src', 'i18n');
const catalogues = {};

function catalogue(lang) {
  catalogues[lang] ??= JSON.parse(readFileSync(join(dir, `${lang}.json`), 'utf8'));
  return catalogues[lang];
}

// find walks a key's parts down the catalogue; a part may itself hold dots (the audit's
// action words are keyed "user.update"), as i18next finds them: the longest run of parts
// that names an entry is taken first.
function find(v, parts) {
  if (parts.length === 0) return v;
  if (!v || typeof v !== 'object') return undefined;
  for (let n = parts.length; n >= 1; n--) {
    const k = parts.slice(0, n).join('.');
    if (k in v) {
      const found = find(v[k], parts.slice(n));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function lookup(lang, key) {
  const v = find(catalogue(lang), key.split('.'));
  return typeof v === 'string' ? v : undefined;
}

// pluralKey is i18next's: key_one / key_other as Intl.PluralRules names the count's form.
function pluralKey(lang, key, count) {
  const form = new Intl.PluralRules(lang).select(count);
  for (const k of [`${key}_${form}`, `${key}_other`, key]) {
    if (lookup(lang, k) !== undefined) return k;
  }
  return key;
}

// t answers a catalogue entry with its {{placeholders}} filled; a missing key throws, so that
// a renamed label fails the test that names it rather than matching nothing.
export function t(lang, key, params = {}) {
  const k = 'count' in params ? pluralKey(lang, key, params.count) : key;
  const text = lookup(lang, k) ?? lookup('en', k);
  if (text === undefined) throw new Error(`no catalogue entry ${key} (${lang})`);
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => {
    if (!(name in params)) throw new Error(`catalogue entry ${key} (${lang}) needs {{${name}}}`);
    return String(params[name]);
  });
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// pattern answers a RegExp matching the entry with any text where its placeholders are (or
// the given values where params names them): for words that carry a time or a count.
export function pattern(lang, key, params = {}) {
  const k = 'count' in params ? pluralKey(lang, key, params.count) : key;
  const text = lookup(lang, k) ?? lookup('en', k);
  if (text === undefined) throw new Error(`no catalogue entry ${key} (${lang})`);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
    out += escape(text.slice(last, m.index));
    out += m[1] in params ? escape(String(params[m[1]])) : '.+?';
    last = m.index + m[0].length;
  }
  return new RegExp(out + escape(text.slice(last)));
}
