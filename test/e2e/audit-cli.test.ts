import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/local/src/cli.ts';
import { readServerInfo } from '../../packages/local/src/data-dir.ts';
import { type ServerProcess, startServerProcess, storeKeyEnv, tempDir, userEnv } from '../support/processes.ts';

/** The CLI in this process (each spawned one costs seconds on a busy machine), its output captured. */
async function cli(args: readonly string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    env,
    isTty: false,
  });
  return { code, stdout, stderr };
}

/**
 * The access trail of a running server, end to end: requests over HTTP record their events (photo
 * downloads too, with --audit-photo-downloads), the API pages a person's trail, and `identities audit`
 * reads a person's and a face's from the stores with the operator's key.
 */
describe('identities audit, against a server auditing photo downloads', () => {
  const person = '1f2e3d4c-5b6a-4789-8abc-def012345678';
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    env = userEnv({ DATA_DIR: dataDir });
    server = await startServerProcess(['--audit-photo-downloads', '--audit-retention-days', '30'], env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${server.token}`, 'User-Agent': 'audit-e2e/1.0', ...init.headers },
    });

  it('records uploads, downloads and photo downloads, and shows them by API and CLI', async () => {
    const form = new FormData();
    form.set('personId', person);
    form.set('name', 'ID card');
    form.set('publicId', 'card-1');
    form.set('file', new Blob([Buffer.from('%PDF-1.7 card')], { type: 'application/pdf' }), 'card.pdf');
    expect((await call('/api/v1/people/fileDocuments/upload', { method: 'POST', body: form })).status).toBe(200);
    const data = `/api/v1/people/${person}/fileDocuments/card-1/data`;
    expect((await call(data)).status).toBe(200);
    expect((await call(data, { headers: { Range: 'bytes=0-3' } })).status).toBe(206);
    expect((await call('/api/v1/people/enrollmentPhoto/sample-face')).status).toBe(200);

    const page = await call(`/api/v1/people/${person}/auditTrail?limit=2`);
    expect(page.status).toBe(200);
    expect(page.headers.get('link')).toMatch(/^<auditTrail\?limit=2&cursor=[\w.-]+>; rel="next"$/);
    const { items } = (await page.json()) as { items: { action: string; status: number; userAgent: string }[] };
    expect(items.map(({ action, status }) => `${action} ${status}`)).toEqual([
      'document.download 206',
      'document.download 200',
    ]);
    expect(items[0]?.userAgent).toBe('audit-e2e/1.0');

    const json = await cli(['audit', person, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const events = JSON.parse(json.stdout) as { action: string; range?: string }[];
    expect(events.map((event) => event.action)).toEqual(['document.download', 'document.download', 'document.upload']);
    expect(events[0]?.range).toBe('bytes=0-3');

    const shown = await cli(['audit', person], env);
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+STATUS\s+METHOD\s+BYTES\s+SUBJECT\s+SOURCE\s+DOCUMENT\s+RANGE/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /document\.download\s+206\s+GET\s+4\s+dev-user\s+\S+\s+card-1\s+bytes=0-3 audit-e2e\/1\.0$/,
    );

    const limited = await cli(['audit', person, '--limit', '1', '--json'], env);
    expect(JSON.parse(limited.stdout)).toHaveLength(1);
    expect(limited.stderr).toContain('--limit shows more');

    // --audit-retention-days 30: the TTL the stored events carry, read with the install's own key.
    const info = readServerInfo(dataDir);
    const key = await storeKeyEnv(dataDir);
    const dynamo = new DynamoDBClient({
      region: info?.region ?? '',
      endpoint: info?.dynamoEndpoint ?? '',
      credentials: { accessKeyId: key.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: key.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    const { Items = [] } = await dynamo.send(
      new QueryCommand({
        TableName: info?.table ?? '',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `PERSON#${person}` } },
      }),
    );
    dynamo.destroy();
    const ttls = Items.filter((item) => item.sk?.S?.startsWith('AUDIT#')).map((item) => Number(item.expiresAt?.N));
    expect(ttls).toHaveLength(3);
    for (const ttl of ttls) expect(Math.abs(ttl - (Date.now() / 1000 + 30 * 86_400))).toBeLessThan(600);

    const face = await cli(['audit', '--face', 'sample-face', '--json'], env);
    expect(face.code, face.stderr).toBe(0);
    expect(JSON.parse(face.stdout)).toEqual([
      expect.objectContaining({ action: 'photo.download', faceId: 'sample-face', status: 200, subject: 'dev-user' }),
    ]);
  }, 120_000);

  it('explains what is wrong with its arguments', async () => {
    expect((await cli(['audit', '--help'], env)).stdout).toContain('Usage: identities audit PERSON_ID');
    for (const args of [[], ['not-a-guid'], ['--face', '../x'], [person, '--face', 'f'], [person, '--limit', '0']]) {
      const result = await cli(['audit', ...args], env);
      expect(result.code, args.join(' ')).toBe(2);
    }
    const empty = await cli(['audit', '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d'], env);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toBe('No events.\n');
  }, 60_000);
});
