// Where the running stack is. `make test` runs these tests inside `bin/roster-stack run`, which
// exports these variables (infra/stack/stack.go, func Env); without them there is nothing to test.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const required = [
  'ROSTER_API_URL', // the HTTP API; the console is served at the same origin
  'ROSTER_MAIL_JSON_URL', // every email sent, as JSON
  'ROSTER_ADMIN_LOGIN',
  'ROSTER_ADMIN_PASSWORD',
  'ROSTER_ADMIN_EMAIL',
  'ROSTER_DYNAMODB_ENDPOINT', // DynamoDB Local, for the one state the API cannot make (an expired invitation)
  'ROSTER_TABLE_NAME',
];

function read() {
  const missing = required.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `console e2e: ${missing.join(', ')} not set. These tests run against a local stack: ` +
        'run `make test`, or from the repository root ' +
        '`bin/roster-stack run PublicRouteThrottleBurstLimit=150 -- npm test --prefix functions/console/e2e`.',
    );
  }
  const chromium = process.env.ROSTER_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`console e2e: no Chromium at ${chromium} (Debian's chromium package; make tools installs it, or set ROSTER_CHROMIUM)`);
  }
  return {
    apiURL: process.env.ROSTER_API_URL.replace(/\/$/, ''),
    mailJSONURL: process.env.ROSTER_MAIL_JSON_URL,
    admin: {
      login: process.env.ROSTER_ADMIN_LOGIN,
      password: process.env.ROSTER_ADMIN_PASSWORD,
      email: process.env.ROSTER_ADMIN_EMAIL,
    },
    dynamoDB: process.env.ROSTER_DYNAMODB_ENDPOINT.replace(/\/$/, ''),
    table: process.env.ROSTER_TABLE_NAME,
    region: process.env.AWS_REGION || 'us-east-1',
    chromium,
  };
}

let cached;

// env answers the stack's addresses, failing with a clear message when they are not set.
export function env() {
  cached ??= read();
  return cached;
}

// repoRoot is the repository's root (this package is functions/console/e2e).
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
