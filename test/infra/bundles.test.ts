import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobs, type Route, routes } from '@identities/core/infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, type FunctionBundle } from '../../scripts/bundle.ts';
import { ROOT } from './support/sst-stage.ts';

/** What a cold start loads; well above today's sizes, so that only a real regression fails. */
const BUDGET_BYTES = { photo: 650_000, document: 800_000 };

let outDir: string;
/** Every function a stage deploys: the routes' and the scheduled jobs'. */
const functions = [...routes, ...jobs];
const bundles = new Map<string, { bundle: FunctionBundle; code: string }>();

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'identities-bundles-'));
  for (const route of functions) {
    const bundle = await bundleFunction(ROOT, route.handler, join(outDir, route.id));
    bundles.set(route.id, { bundle, code: await readFile(bundle.file, 'utf8') });
  }
}, 60_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const bundleOf = (id: Route['id'] | (typeof jobs)[number]['id']) => {
  const found = bundles.get(id);
  if (found === undefined) throw new Error(`no bundle for ${id}`);
  return found;
};
const has = (bundle: FunctionBundle, modulePath: string) => bundle.inputs.some((input) => input.includes(modulePath));
const DYNAMODB_MODULES = ['@aws-sdk/client-dynamodb/', '@aws-sdk/lib-dynamodb/', 'packages/aws/src/dynamo-client.ts'];

describe('function bundles', () => {
  it('are ES modules with the AWS SDK inside, minified; the S3 client only where objects are touched', () => {
    for (const route of functions) {
      const { bundle, code } = bundleOf(route.id);
      expect(code.startsWith("import { createRequire as topLevelCreateRequire } from 'module';")).toBe(true);
      // Only a function that touches objects (or lists their versions) carries the S3 client.
      const usesObjects =
        route.access.objects.length > 0 || ('versionListing' in route.access && route.access.versionListing.length > 0);
      expect(has(bundle, '@aws-sdk/client-s3/'), route.id).toBe(usesObjects);
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      // Minified: a handful of very long lines.
      expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    }
  });

  it('carry DynamoDB client code only for the routes that touch items', () => {
    for (const route of functions) {
      const { bundle, code } = bundleOf(route.id);
      const usesItems = route.access.items.length > 0;
      for (const modulePath of DYNAMODB_MODULES) expect(has(bundle, modulePath)).toBe(usesItems);
      expect(code.includes('DynamoDB')).toBe(usesItems);
    }
    // The photo functions put their access events when a stage audits photo downloads.
    expect(bundleOf('EnrollmentPhoto').code).toContain('DynamoDB');
    expect(bundleOf('SweepOrphanDocuments').code).toContain('DynamoDB');
    // Metadata routes carry no S3 client.
    expect(has(bundleOf('ListFileDocuments').bundle, '@aws-sdk/client-s3/')).toBe(false);
  });

  it('carry the multipart parser in the multipart upload only', () => {
    for (const route of functions) {
      expect(has(bundleOf(route.id).bundle, 'node_modules/busboy/'), route.id).toBe(route.id === 'UploadFileDocument');
    }
  });

  it('carry the presigned-POST signer in the session start only', () => {
    for (const route of functions) {
      const signer = has(bundleOf(route.id).bundle, '@aws-sdk/s3-presigned-post/');
      expect(signer, route.id).toBe(route.id === 'StartUploadSession');
    }
  });

  it('stay within their size budgets', () => {
    for (const route of functions) {
      const budget = route.access.items.length > 0 ? BUDGET_BYTES.document : BUDGET_BYTES.photo;
      expect(bundleOf(route.id).bundle.bytes, route.id).toBeLessThan(budget);
    }
  });
});
