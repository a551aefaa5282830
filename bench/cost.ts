import { MB } from './lib/stats.ts';

/**
 * What a million requests cost on AWS, on paper, from the measured durations and the functions'
 * configured memory. List prices, us-east-1; re-check them at the pricing pages before quoting.
 */
export const PRICES = {
  region: 'us-east-1',
  /** In effect from: Lambda bills the INIT phase from this date; DynamoDB on-demand since 2024-11-01. */
  date: '2025-08-01',
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequestsPerMillion: 0.2,
  /** Response streaming: per GB streamed beyond the first 6 MB of a response. */
  lambdaStreamedGbBeyond6Mb: 0.008,
  restApiPerMillion: 3.5,
  s3GetPerMillion: 0.4,
  s3PutPerMillion: 5,
  dynamoReadUnitPerMillion: 0.125,
  dynamoWriteUnitPerMillion: 0.625,
  dataTransferOutGb: 0.09,
} as const;

/** Lambda streams the first 6 MB of a response uncapped, the rest at most 2 MB/s. */
const UNCAPPED_STREAM_BYTES = 6 * MB;
const CAPPED_STREAM_BYTES_PER_SECOND = 2 * MB;
/** AWS's own figure: cold starts occur in under 1% of invocations. Since 2025-08-01 INIT is billed. */
export const COLD_START_SHARE = 0.01;

export interface CostInputs {
  /** Warm handler durations measured in this run. */
  readonly photoMs: number;
  readonly photoBytes: number;
  readonly documentMs: number;
  readonly documentBytes: number;
  readonly uploadMs: number;
  /** Throughput of our download path measured locally (MiB/s): bounds the uncapped part of a stream. */
  readonly downloadMbPerSecond: number;
  readonly coldStartMs: Readonly<Record<string, number>>;
  readonly memoryMb: { readonly photo: number; readonly document: number; readonly upload: number };
  /** The link function's measured duration and memory, when this run measured links. */
  readonly link?: { readonly ms: number; readonly memoryMb: number };
}

export interface OperationCost {
  readonly name: string;
  readonly memoryMb: number;
  readonly billedMs: number;
  readonly lambda: number;
  readonly api: number;
  readonly s3: number;
  readonly dynamo: number;
  readonly total: number;
  /** Data transfer out to the internet, not in `total`: it is the same whatever the code does. */
  readonly transferOut: number;
}

function operation(
  name: string,
  memoryMb: number,
  warmMs: number,
  coldMs: number,
  storage: { s3: number; dynamo: number },
  streamedBytes: number,
  transferBytes: number,
): OperationCost {
  const billedMs = Math.ceil(warmMs + COLD_START_SHARE * coldMs);
  const gbSeconds = (memoryMb / 1024) * (billedMs / 1000);
  const beyond = Math.max(0, streamedBytes - UNCAPPED_STREAM_BYTES) / 1024 ** 3;
  const lambda =
    PRICES.lambdaRequestsPerMillion +
    1e6 * gbSeconds * PRICES.lambdaArmGbSecond +
    1e6 * beyond * PRICES.lambdaStreamedGbBeyond6Mb;
  const api = PRICES.restApiPerMillion;
  const total = lambda + api + storage.s3 + storage.dynamo;
  const transferOut = 1e6 * (transferBytes / 1024 ** 3) * PRICES.dataTransferOutGb;
  const cents = (value: number) => Math.round(value * 100) / 100;
  return {
    name,
    memoryMb,
    billedMs,
    lambda: cents(lambda),
    api: cents(api),
    s3: cents(storage.s3),
    dynamo: cents(storage.dynamo),
    total: cents(total),
    transferOut: cents(transferOut),
  };
}

/** How long streaming a document takes in Lambda: our measured pace, then the 2 MB/s cap beyond 6 MB. */
function documentMs(inputs: CostInputs, bytes: number): number {
  const extra = Math.max(0, bytes - inputs.documentBytes);
  const uncapped = Math.min(extra, UNCAPPED_STREAM_BYTES);
  const capped = Math.max(0, bytes - UNCAPPED_STREAM_BYTES);
  return (
    inputs.documentMs +
    (1000 * uncapped) / (inputs.downloadMbPerSecond * MB) +
    (1000 * capped) / CAPPED_STREAM_BYTES_PER_SECOND
  );
}

/** A document download through the function: streamed, at our measured pace, then capped past 6 MB. */
export function streamedDownloadCost(options: {
  readonly bytes: number;
  readonly downloadMbPerSecond: number;
  readonly memoryMb: number;
}): OperationCost {
  const uncapped = Math.min(options.bytes, UNCAPPED_STREAM_BYTES);
  const capped = Math.max(0, options.bytes - UNCAPPED_STREAM_BYTES);
  const ms = (1000 * uncapped) / (options.downloadMbPerSecond * MB) + (1000 * capped) / CAPPED_STREAM_BYTES_PER_SECOND;
  return operation(
    `document download (${Math.round(options.bytes / MB)} MB)`,
    options.memoryMb,
    ms,
    0,
    { s3: PRICES.s3GetPerMillion, dynamo: PRICES.dynamoReadUnitPerMillion },
    options.bytes,
    options.bytes,
  );
}

/**
 * A document download through a link: the link function's short buffered call (a metadata read, a
 * signature), then S3 serves the bytes itself, billed as one GET. Data out is the same either way.
 */
export function linkDownloadCost(options: {
  readonly bytes: number;
  readonly linkMs: number;
  readonly coldMs?: number;
  readonly memoryMb: number;
}): OperationCost {
  return operation(
    `document via link (${Math.round(options.bytes / MB)} MB)`,
    options.memoryMb,
    options.linkMs,
    options.coldMs ?? 0,
    { s3: PRICES.s3GetPerMillion, dynamo: PRICES.dynamoReadUnitPerMillion },
    0,
    options.bytes,
  );
}

export type Costs = ReturnType<typeof costs>;

export function costs(inputs: CostInputs) {
  const { photoBytes } = inputs;
  const photoStorage = { s3: PRICES.s3GetPerMillion, dynamo: 0 };
  const documentStorage = { s3: PRICES.s3GetPerMillion, dynamo: PRICES.dynamoReadUnitPerMillion };
  const uploadStorage = { s3: PRICES.s3PutPerMillion, dynamo: PRICES.dynamoWriteUnitPerMillion };
  const cold = (id: string) => inputs.coldStartMs[id] ?? 0;
  return {
    prices: PRICES,
    assumptions: {
      coldStartShare: COLD_START_SHARE,
      streamingCapBytesPerSecond: CAPPED_STREAM_BYTES_PER_SECOND,
      note: 'Durations measured against local stand-ins; in AWS each S3 or DynamoDB call adds its own latency.',
    },
    operations: [
      operation(
        'photo download (50 KB)',
        inputs.memoryMb.photo,
        inputs.photoMs,
        cold('EnrollmentPhoto'),
        photoStorage,
        photoBytes,
        photoBytes,
      ),
      operation(
        'document download (1 MB)',
        inputs.memoryMb.document,
        documentMs(inputs, MB),
        cold('DownloadFileDocument'),
        documentStorage,
        MB,
        MB,
      ),
      operation(
        'document download (100 MB)',
        inputs.memoryMb.document,
        documentMs(inputs, 100 * MB),
        cold('DownloadFileDocument'),
        documentStorage,
        100 * MB,
        100 * MB,
      ),
      ...(inputs.link === undefined
        ? []
        : [
            linkDownloadCost({
              bytes: 100 * MB,
              linkMs: inputs.link.ms,
              coldMs: cold('FileDocumentLink'),
              memoryMb: inputs.link.memoryMb,
            }),
          ]),
      operation(
        'upload (4 MB)',
        inputs.memoryMb.upload,
        inputs.uploadMs,
        cold('UploadFileDocument'),
        uploadStorage,
        0,
        0,
      ),
    ],
  };
}
