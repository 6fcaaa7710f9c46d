// DynamoDB Local, written to directly for the one state the API cannot make on demand: an
// invitation past its expiry (the shortest validity is an hour). Requests are signed with the
// stack's own key, local/local (infra/stack: AccessKeyID, SecretKey), as any SDK client would.
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
