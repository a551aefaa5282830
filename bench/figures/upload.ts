import type { Fixture } from '../fixture.ts';
import { mb, ms, x } from '../lib/format.ts';
import { runWorker } from '../lib/processes.ts';
import { median, pairedRatio, ratio } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import { type Settings, TARGETS } from '../settings.ts';
import type { UploadConfig, UploadResult } from '../workers/upload.ts';

/**
 * Figure 5: a 4 MB upload through the buffered handler against a raw PutObject. Time in one worker,
 * interleaved; peak memory in fresh workers, one upload each, alternating sides.
 */
export async function uploadFigure(options: {
  fixture: Fixture;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  execArgv: readonly string[];
  log: (message: string) => void;
}) {
  const { fixture, settings } = options;
  const fileBytes = settings.uploadBytes;
  const common = { token: fixture.token, personId: fixture.personId, fileBytes };
  const time = await runWorker<UploadResult>('workers/upload.ts', {
    env: options.env,
    execArgv: options.execArgv,
    timeoutMs: 300_000,
    config: {
      ...common,
      mode: 'time',
      warmup: settings.upload.warmup,
      pairs: settings.upload.pairs,
    } satisfies UploadConfig,
  });
  if (time.mode !== 'time') throw new Error('the upload worker answered the wrong mode');

  options.log(`figure 5: peak memory, ${settings.upload.memorySamples} fresh processes per side...`);
  const memory = { function: [] as number[], baseline: [] as number[] };
  for (let i = 0; i < settings.upload.memorySamples; i++) {
    const sides = i % 2 === 0 ? (['function', 'baseline'] as const) : (['baseline', 'function'] as const);
    for (const side of sides) {
      const sample = await runWorker<UploadResult>('workers/upload.ts', {
        env: options.env,
        execArgv: ['--expose-gc'],
        timeoutMs: 120_000,
        config: { ...common, mode: 'memory', side } satisfies UploadConfig,
      });
      if (sample.mode !== 'memory') throw new Error('the upload worker answered the wrong mode');
      memory[side].push(sample.peakAboveBytes);
    }
  }

  const functionPeak = median(memory.function);
  const baselinePeak = median(memory.baseline);
  const aboveBaseline = functionPeak - baselinePeak;
  const result = {
    fileBytes,
    functionMs: median(time.functionMs),
    baselineMs: median(time.baselineMs),
    timeRatio: pairedRatio(time.functionMs, time.baselineMs),
    functionPeakAboveBytes: functionPeak,
    baselinePeakAboveBytes: baselinePeak,
    peakAboveBaselineBytes: aboveBaseline,
    peakAboveBaselineFileSizes: ratio(aboveBaseline, fileBytes),
    samples: { functionMs: time.functionMs, baselineMs: time.baselineMs, memory },
  };
  const rows: Row[] = [
    {
      figure: '5',
      name: 'upload 4 MB, time',
      measured: ms(result.functionMs),
      baseline: `${ms(result.baselineMs)} (PutObject)`,
      ratio: x(result.timeRatio),
      target: `<= ${TARGETS.uploadTime}x`,
      met: result.timeRatio <= TARGETS.uploadTime,
    },
    {
      figure: '5',
      name: 'upload 4 MB, peak RSS',
      measured: `+${mb(functionPeak)}`,
      baseline: `+${mb(baselinePeak)} (PutObject)`,
      ratio: `${x(result.peakAboveBaselineFileSizes)} file`,
      target: `<= ${TARGETS.uploadMemoryFileSizes}x file above`,
      met: aboveBaseline <= TARGETS.uploadMemoryFileSizes * fileBytes,
    },
  ];
  return { rows, result };
}
