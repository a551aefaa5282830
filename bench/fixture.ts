import { type ChildProcess, fork } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { makeDocumentStore, makeDynamoClient } from '@identities/aws';
import { detectionPhotoKey, documentObjectKey, enrollmentPhotoKey, PERMISSIONS } from '@identities/core';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { rawS3Client } from './baselines/s3-client.ts';
import { baseEnv, ROOT } from './lib/processes.ts';

/**
 * What every figure runs against: the stand-ins and the issuer's JWKS URL in a process of their own
 * (as the real services are remote), a signing key per algorithm with a token that grants both file
 * permissions, and the photos and documents the requests ask for.
 */
export const ISSUER = 'https://issuer.bench.example';
export const AUDIENCE = 'identities-api';
export const BUCKET = 'identities-bench';
export const TABLE = 'identities-bench';

export interface SigningKey {
  readonly algorithm: 'ES256' | 'RS256';
  readonly publicJwk: JWK;
  readonly token: string;
}

export interface Fixture {
  /** Storage endpoints, region and credentials, as `standInEnv` gives them. */
  readonly storageEnv: Readonly<Record<string, string>>;
  /** What a function reads: storage, the issuer (a JWKS URL, as in the cloud) and LOG_LEVEL. */
  readonly functionEnv: Readonly<Record<string, string>>;
  readonly jwksUrl: string;
  readonly keys: readonly SigningKey[];
  /** The ES256 token: what the dev issuer and most identity providers' test setups sign. */
  readonly token: string;
  readonly s3: S3Client;
  readonly faceId: string;
  readonly detectionId: string;
  readonly personId: string;
  documentPath(documentId: string): string;
  /** Stores a document's bytes and writes its metadata with the project's DocumentStore; the object key. */
  putDocument(documentId: string, bytes: Buffer): Promise<string>;
  stop(): Promise<void>;
}

async function signingKey(algorithm: SigningKey['algorithm']): Promise<SigningKey> {
  const kid = `bench-${algorithm.toLowerCase()}`;
  const { publicKey, privateKey } = await generateKeyPair(algorithm);
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  const token = await new SignJWT({ permissions: [PERMISSIONS.addFiles, PERMISSIONS.readFiles] })
    .setProtectedHeader({ alg: algorithm, kid, typ: 'JWT' })
    .setSubject('bench-user')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);
  return { algorithm, publicJwk, token };
}

function startEnvironment(scratchDir: string, keys: readonly SigningKey[]) {
  return new Promise<{ child: ChildProcess; env: Record<string, string>; jwksUrl: string }>((resolve, reject) => {
    const child = fork(join(ROOT, 'bench/processes/environment.ts'), [], {
      cwd: ROOT,
      env: baseEnv(),
      // s3rver uses a deprecated fs call; the warning says nothing about the figures.
      execArgv: ['--import', 'tsx', '--no-deprecation'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (message: { env: Record<string, string>; jwksUrl: string }) =>
      resolve({ child, env: message.env, jwksUrl: message.jwksUrl }),
    );
    child.once('exit', (code) => reject(new Error(`the stand-ins process exited with ${code}`)));
    const jwks = { keys: keys.map((key) => key.publicJwk) };
    child.send({ config: { scratchDir, bucket: BUCKET, table: TABLE, jwks } });
  });
}

/** A small file that starts and ends as a JPEG does, random in between. */
function jpeg(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  bytes.set([0xff, 0xd9], size - 2);
  return bytes;
}

export async function startFixture(options: {
  workDir: string;
  photoBytes: number;
  documentBytes: number;
}): Promise<Fixture> {
  const keys = [await signingKey('ES256'), await signingKey('RS256')];
  const environment = await startEnvironment(join(options.workDir, 's3'), keys);
  const storageEnv = environment.env;
  // This process reads and writes the stand-ins too: seeding, and the raw GetObject of figure 6.
  Object.assign(process.env, {
    AWS_REGION: storageEnv.AWS_REGION,
    AWS_ACCESS_KEY_ID: storageEnv.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: storageEnv.AWS_SECRET_ACCESS_KEY,
  });
  const s3 = rawS3Client(storageEnv);
  const documents = makeDocumentStore(
    makeDynamoClient({ region: storageEnv.AWS_REGION ?? '', endpoint: storageEnv.DYNAMODB_ENDPOINT }),
    TABLE,
  );
  const putObject = (key: string, body: Buffer, contentType: string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: body,
        ContentType: contentType,
        ContentLength: body.length,
      }),
    );

  const faceId = 'bench-face';
  const detectionId = 'det-1';
  const personId = randomUUID();
  const photo = jpeg(options.photoBytes);
  await putObject(enrollmentPhotoKey(faceId), photo, 'image/jpeg');
  await putObject(detectionPhotoKey(faceId, detectionId), photo, 'image/jpeg');

  const fixture: Fixture = {
    storageEnv,
    functionEnv: {
      ...storageEnv,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      JWT_JWKS_URL: environment.jwksUrl,
      LOG_LEVEL: 'info',
    },
    jwksUrl: environment.jwksUrl,
    keys,
    token: keys[0]?.token ?? '',
    s3,
    faceId,
    detectionId,
    personId,
    documentPath: (documentId) => `/api/v1/people/${personId}/fileDocuments/${documentId}/data`,
    async putDocument(documentId, bytes) {
      const objectKey = documentObjectKey(personId, documentId, randomUUID());
      await putObject(objectKey, bytes, 'application/pdf');
      await documents.create({
        personId,
        documentId,
        name: 'Scanned contract',
        description: undefined,
        fileName: `${documentId}.pdf`,
        contentType: 'application/pdf',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        objectKey,
        createdAt: new Date().toISOString(),
        createdBy: 'bench-user',
      });
      return objectKey;
    },
    async stop() {
      s3.destroy();
      const exited = new Promise((resolve) => environment.child.once('exit', resolve));
      environment.child.kill('SIGTERM');
      await exited;
    },
  };
  await fixture.putDocument('bench-doc', randomBytes(options.documentBytes));
  return fixture;
}
