import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { routeById } from '@identities/core';
import { type CostInputs, type Costs, costs } from './cost.ts';
import { auditFigure } from './figures/audit-overhead.ts';
import { buildBundles, bundleFigure, packageBreakdown } from './figures/bundle-size.ts';
import { type ColdStartSummary, coldStartFigure } from './figures/cold-start.ts';
import { linkFigure } from './figures/download-link.ts';
import { throughputFigure } from './figures/gateway-throughput.ts';
import { largeDownloadFigure } from './figures/large-download.ts';
import { tokenFigure } from './figures/token-verification.ts';
import { uploadFigure } from './figures/upload.ts';
import { completionFigure } from './figures/upload-completion.ts';
import { warmFigure } from './figures/warm-download.ts';
import { startFixture } from './fixture.ts';
import { mb } from './lib/format.ts';
import { baseEnv, ROOT, type ServerProcess } from './lib/processes.ts';
import { formatTable, markdownTable, type Row } from './lib/table.ts';
import { startGateway, startRawServer } from './servers/start.ts';
import { settings as settingsFor, TARGETS } from './settings.ts';

/**
 * `npm run bench`: every figure of BENCHMARKS.md against its baseline, measured in this same run.
 * Prints the table and writes bench/results.json.
 *
 *   npm run bench -- cold warm    only those figures (bundle, cold, warm, token, upload, large, throughput,
 *                                 completion, audit, link)
 *   npm run bench -- --quick      fewer rounds: a smoke test, not figures to quote
 *   npm run bench -- --markdown   the table as Markdown, for BENCHMARKS.md
 *   npm run bench -- --cpu-prof   CPU profiles of cold starts (unminified bundles), workers and servers,
 *                                 for bench/profile-summary.ts; the figures of such a run are not quoted
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const FIGURES = [
  'bundle',
  'cold',
  'warm',
  'token',
  'upload',
  'large',
  'throughput',
  'completion',
  'audit',
  'link',
] as const;
type Figure = (typeof FIGURES)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--cpu-prof');
const markdown = args.includes('--markdown');
const chosen = args.filter((arg) => !arg.startsWith('--'));
const unknown = chosen.filter((name) => !(FIGURES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown figure ${unknown.join(', ')}: choose from ${FIGURES.join(', ')}`);
  process.exit(2);
}
const figures = new Set<Figure>(chosen.length === 0 ? FIGURES : (chosen as Figure[]));
const SETTINGS = settingsFor(quick);
const PROFILE_DIR = join(tmpdir(), 'identities-bench-profiles');

const log = (message: string) => process.stderr.write(`${message}\n`);
const profileArgs = (name: string) => (profile ? ['--cpu-prof', '--cpu-prof-dir', join(PROFILE_DIR, name)] : []);

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

interface Report {
  readonly rows: Row[];
  readonly results: Record<string, unknown>;
}

function record(report: Report, name: string, figure: { rows: readonly Row[]; result: unknown }): void {
  report.rows.push(...figure.rows);
  report.results[name] = figure.result;
}

async function measure(workDir: string, report: Report): Promise<{ breakdown?: string }> {
  log('bundling the functions and their baselines...');
  // Profiles need function names, so a profiling run loads unminified bundles.
  const bundles = await buildBundles(ROOT, join(workDir, 'bundles'), !profile);
  const breakdown = figures.has('bundle') && !profile ? packageBreakdown(bundles) : undefined;
  if (figures.has('bundle') && !profile) record(report, 'bundles', bundleFigure(bundles));

  log('starting the stand-ins and seeding photos and documents...');
  const fixture = await startFixture({
    workDir,
    photoBytes: SETTINGS.photoBytes,
    documentBytes: SETTINGS.documentBytes,
  });
  const servers: ServerProcess[] = [];
  try {
    const env = baseEnv(fixture.functionEnv);
    if (figures.has('cold')) {
      log(`figure 2: cold starts, ${SETTINGS.coldStart.rounds} interleaved rounds...`);
      const figure = await coldStartFigure({
        fixture,
        bundles,
        workDir,
        env,
        rounds: SETTINGS.coldStart.rounds,
        documentBytes: SETTINGS.documentBytes,
        execArgv: (name, side) => profileArgs(`cold/${name}/${side}`),
      });
      record(report, 'coldStart', figure);
    }
    if (figures.has('warm')) {
      log(`figure 3: warm photo downloads, ${SETTINGS.warm.rounds} rounds of ${SETTINGS.warm.pairs} pairs...`);
      record(report, 'warm', await warmFigure({ fixture, settings: SETTINGS, env, execArgv: profileArgs('warm') }));
    }
    if (figures.has('token')) {
      log(`figure 4: token verification, ${SETTINGS.token.rounds} rounds of ${SETTINGS.token.batch}...`);
      record(report, 'token', await tokenFigure({ fixture, settings: SETTINGS, env, execArgv: profileArgs('token') }));
    }
    if (figures.has('upload')) {
      log(`figure 5: ${mb(SETTINGS.uploadBytes)} uploads, ${SETTINGS.upload.pairs} interleaved pairs...`);
      const figure = await uploadFigure({ fixture, settings: SETTINGS, env, execArgv: profileArgs('upload'), log });
      record(report, 'upload', figure);
    }
    if (figures.has('completion')) {
      const { bytes, rounds } = SETTINGS.completion;
      log(`figure 8: completing a ${mb(bytes)} upload session, ${rounds} rounds...`);
      record(report, 'completion', await completionFigure({ fixture, bytes, rounds }));
    }
    if (figures.has('audit')) {
      const { rounds, pairs } = SETTINGS.audit;
      log(`figure 9: audited document downloads, ${rounds} rounds of ${pairs} pairs...`);
      record(report, 'audit', await auditFigure({ fixture, settings: SETTINGS, env, execArgv: profileArgs('audit') }));
    }
    if (figures.has('large') || figures.has('throughput') || figures.has('link')) {
      log('starting the local gateway and the plain node:http server...');
      const gateway = await startGateway(fixture, workDir, profileArgs('gateway'));
      servers.push(gateway);
      const rawServer = await startRawServer(fixture, workDir, profileArgs('raw-server'));
      servers.push(rawServer);
      if (figures.has('large')) {
        log(`figure 6: ${mb(SETTINGS.largeBytes)} document, ${SETTINGS.largeDownload.rounds} rounds...`);
        const figure = await largeDownloadFigure({
          fixture,
          gateway,
          rawServer,
          bytes: SETTINGS.largeBytes,
          rounds: SETTINGS.largeDownload.rounds,
        });
        record(report, 'largeDownload', figure);
      }
      if (figures.has('link')) {
        log(`figure 10: ${mb(SETTINGS.largeBytes)} document through a link, ${SETTINGS.link.rounds} rounds...`);
        const figure = await linkFigure({ fixture, gateway, bytes: SETTINGS.largeBytes, rounds: SETTINGS.link.rounds });
        record(report, 'link', figure);
      }
      if (figures.has('throughput')) {
        const { connections, rounds, roundMs } = SETTINGS.throughput;
        log(`figure 7: ${connections} connections, ${rounds} rounds of ${roundMs / 1000} s per side...`);
        record(report, 'throughput', await throughputFigure({ fixture, gateway, rawServer, settings: SETTINGS }));
      }
    }
  } finally {
    for (const server of servers.reverse()) await server.stop().catch(() => undefined);
    await fixture.stop().catch((error: unknown) => log(`stopping the stand-ins: ${String(error)}`));
  }
  return { breakdown };
}

/** The cost model's inputs, when this run measured all of them. */
function costInputs(results: Record<string, unknown>): CostInputs | undefined {
  const warm = results.warm as { handlerMedianMs: number; documentMedianMs: number } | undefined;
  const upload = results.upload as { functionMs: number } | undefined;
  const large = results.largeDownload as { throughput: { gateway: number } } | undefined;
  const cold = results.coldStart as ColdStartSummary[] | undefined;
  const link = results.link as { linkIssueMs: number } | undefined;
  if (warm === undefined || upload === undefined || large === undefined || cold === undefined) return undefined;
  return {
    photoMs: warm.handlerMedianMs,
    photoBytes: SETTINGS.photoBytes,
    documentMs: warm.documentMedianMs,
    documentBytes: SETTINGS.documentBytes,
    uploadMs: upload.functionMs,
    downloadMbPerSecond: large.throughput.gateway,
    coldStartMs: Object.fromEntries(cold.map((entry) => [entry.name, entry.functionMs])),
    memoryMb: {
      photo: routeById('EnrollmentPhoto').memoryMb,
      document: routeById('DownloadFileDocument').memoryMb,
      upload: routeById('UploadFileDocument').memoryMb,
    },
    ...(link === undefined ? {} : { link: { ms: link.linkIssueMs, memoryMb: routeById('FileDocumentLink').memoryMb } }),
  };
}

function formatCosts(cost: Costs): string {
  const dollars = (value: number) => `$${value.toFixed(2)}`;
  return [
    `Cost per million requests on AWS (${cost.prices.region} list prices in effect from ${cost.prices.date}; see BENCHMARKS.md):`,
    ...cost.operations.map(
      (item) =>
        `  ${item.name.padEnd(28)} ${dollars(item.total).padStart(9)}  Lambda ${dollars(item.lambda)} (${item.billedMs} ms at ${item.memoryMb} MB), API ${dollars(item.api)}, S3 ${dollars(item.s3)}, DynamoDB ${dollars(item.dynamo)}; data out ${dollars(item.transferOut)} more`,
    ),
  ].join('\n');
}

async function main() {
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'identities-bench-'));
  const report: Report = { rows: [], results: {} };
  try {
    const { breakdown } = await measure(workDir, report);
    const inputs = costInputs(report.results);
    const cost = inputs === undefined ? undefined : costs(inputs);
    const output = {
      date: new Date().toISOString(),
      commit: gitCommit(),
      node: process.version,
      cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
      quick,
      profiled: profile,
      figures: [...figures],
      durationSeconds: Math.round((Date.now() - started) / 1000),
      settings: SETTINGS,
      targets: TARGETS,
      table: report.rows,
      ...report.results,
      ...(cost === undefined ? {} : { cost }),
    };
    await writeFile(join(ROOT, 'bench/results.json'), `${JSON.stringify(output, null, 2)}\n`);
    process.stdout.write(`\n${markdown ? markdownTable(report.rows) : formatTable(report.rows)}\n`);
    if (breakdown !== undefined) process.stdout.write(`\n${breakdown}\n`);
    if (cost !== undefined) process.stdout.write(`\n${formatCosts(cost)}\n`);
    process.stdout.write(`\nbench/results.json written; ${output.durationSeconds} s\n`);
    if (profile) process.stdout.write(`CPU profiles in ${PROFILE_DIR}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
