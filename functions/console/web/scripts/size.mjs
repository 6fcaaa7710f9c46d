// Checks what `vite build` wrote to dist/ against the console's rules and budget:
// - index.html loads only files of its own (no inline script or style, no external URL:
//   the console function serves a strict CSP);
// - no source maps are shipped;
// - the JavaScript and CSS a first load needs (the entry script, the chunks it imports
//   statically, which Vite lists as modulepreload links, and the style sheets), gzipped,
//   fit in the budget of issue 16: 100 KB.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const budget = 100 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const problems = [];

if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) problems.push("index.html has an inline <script>");
if (/<style[\s>]/i.test(html) || /\sstyle=/i.test(html)) problems.push("index.html has inline style");
for (const m of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(m[1]) && m[1] !== "data:,") problems.push(`index.html refers to ${m[1]}`);
}

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const files = walk(dist);
for (const f of files) {
  if (f.endsWith(".map")) problems.push(`source map shipped: ${f}`);
  // A request to another origin: a CSS url() or @import, or a JS import, of an absolute
  // URL. (Namespace URIs and links in libraries' error messages are names, not requests.)
  const text = /\.(js|css)$/.test(f) ? readFileSync(f, "utf8") : "";
  if (/url\(\s*["']?(https?:)?\/\/|@import\s+["']?(https?:)?\/\/|\bimport\s*\(\s*["'`]https?:|\bfrom\s*["']https?:/.test(text)) {
    problems.push(`external URL in ${f.slice(dist.length)}`);
  }
}

const firstLoad = new Set();
for (const m of html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)) firstLoad.add(m[1]);

let total = 0;
const rows = [];
for (const f of firstLoad) {
  const raw = readFileSync(join(dist, f));
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  rows.push(`  ${f}  ${(raw.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped`);
}
const lazy = files.filter((f) => /\.(js|css)$/.test(f) && !firstLoad.has(f.slice(dist.length)));
console.log("first load:");
console.log(rows.join("\n"));
console.log(`first load total: ${(total / 1024).toFixed(1)} KB gzipped (budget ${budget / 1024} KB)`);
for (const f of lazy) {
  const gz = gzipSync(readFileSync(f), { level: 9 }).length;
  console.log(`  lazy: ${f.slice(dist.length)}  ${(gz / 1024).toFixed(1)} KB gzipped`);
}
if (firstLoad.size === 0) problems.push("index.html loads no script");
if (total > budget) problems.push(`first load is ${(total / 1024).toFixed(1)} KB gzipped, over the ${budget / 1024} KB budget`);
if (problems.length) {
  console.error(problems.map((p) => `size check: ${p}`).join("\n"));
  process.exit(1);
}
