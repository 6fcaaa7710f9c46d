// DynamoDB Local, written to directly for what the API cannot make on demand or fast enough:
// an invitation past its expiry (the shortest validity is an hour), and a thousand users at
// once. Requests are signed with the stack's own key, local/local (infra/stack: AccessKeyID,
// SecretKey), as any SDK client would.
import { randomBytes } from 'node:crypto';
import aws4 from 'aws4';
import { env } from './env.mjs';

async function dynamo(target, body) {
  const { dynamoDB, region } = env();
  const url = new URL(dynamoDB);
  const req = aws4.sign(
    {
      host: url.host,
      path: '/',
      method: 'POST',
      service: 'dynamodb',
      region,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}` },
      body: JSON.stringify(body),
    },
    { accessKeyId: 'local', secretAccessKey: 'local' },
  );
  const { host: _host, ...headers } = req.headers; // fetch sets Host itself
  const res = await fetch(dynamoDB + '/', { method: 'POST', headers, body: req.body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`DynamoDB ${target} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

// The store's time layout (internal/store: timeLayout), UTC with milliseconds.
function storeTime(ms) {
  return new Date(ms).toISOString();
}

// expireInvitation moves an invitation link's validUntil (internal/store: inviteRecord, key
// INVITE#<id>/INVITE) a day into the past, leaving it pending: it is then expired as one left
// unused past its time is, and its item stays readable (its TTL is a month later).
export async function expireInvitation(invitationId) {
  const past = storeTime(Date.now() - 24 * 3600 * 1000);
  await dynamo('UpdateItem', {
    TableName: env().table,
    Key: { pk: { S: `INVITE#${invitationId}` }, sk: { S: 'INVITE' } },
    UpdateExpression: 'SET validUntil = :past',
    ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':past': { S: past }, ':pending': { S: 'pending' } },
  });
}

// newID answers an id as internal/ids makes them: 26 lower-case base32 characters (the
// 130 random bits of Go's rand.Text).
function newID() {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(26)].map((b) => alphabet[b & 31]).join('');
}

// seedUsers writes n active members whose login accounts start with prefix (prefix0000,
// prefix0001, ...), each created a millisecond after the one before, ending a day ago. It
// writes the items internal/store's SeedUsers writes (which the benchmarks use for the same
// purpose, with BatchWriteItem): the user (USER#<id>/PROFILE, listed in GSI1 under USERS,
// newest first), its login account's claim (LOGIN#<folded>/LOGIN), and a search item per
// distinct lower-cased term (USEARCH#<first rune>/<term> <id>). They have no sign-in account:
// they are for lists, not for signing in. Answers the users, oldest first.
export async function seedUsers(n, prefix, createdBy) {
  const end = Date.now() - 24 * 3600 * 1000;
  const users = Array.from({ length: n }, (_, i) => {
    const num = String(i).padStart(4, '0');
    return {
      id: newID(),
      username: `Seed_${prefix}${num}`,
      loginAccount: `${prefix}${num}`,
      createdAt: storeTime(end - (n - i)),
    };
  });
  const S = (v) => ({ S: v });
  const items = [];
  for (const u of users) {
    items.push({
      pk: S(`USER#${u.id}`),
      sk: S('PROFILE'),
      gsi1pk: S('USERS'),
      gsi1sk: S(`${u.createdAt}#${u.id}`),
      id: S(u.id),
      username: S(u.username),
      loginAccount: S(u.loginAccount),
      emailVerified: { BOOL: false },
      accountType: S('member'),
      status: S('active'),
      mfaEnabled: { BOOL: false },
      locale: S('en'),
      createdAt: S(u.createdAt),
      createdBy: S(createdBy),
      version: { N: '1' },
    });
    items.push({ pk: S(`LOGIN#${u.loginAccount.toLowerCase()}`), sk: S('LOGIN'), userId: S(u.id) });
    for (const term of [...new Set([u.username.toLowerCase(), u.loginAccount.toLowerCase()])].sort()) {
      items.push({ pk: S(`USEARCH#${[...term][0]}`), sk: S(`${term} ${u.id}`), userId: S(u.id), term: S(term), version: { N: '1' } });
    }
  }
  const batches = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25)); // BatchWriteItem's limit
  const table = env().table;
  const write = async (batch) => {
    let pending = { [table]: batch.map((Item) => ({ PutRequest: { Item } })) };
    for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
      if (attempt === 8) throw new Error('DynamoDB left items unprocessed eight times');
      if (attempt > 0) await new Promise((r) => setTimeout(r, attempt * attempt * 20));
      pending = (await dynamo('BatchWriteItem', { RequestItems: pending })).UnprocessedItems ?? {};
    }
  };
  const queue = [...batches];
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (queue.length > 0) await write(queue.shift());
  }));
  return users;
}
