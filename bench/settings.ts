import { MAX_SESSION_FILE_BYTES } from '@identities/core';
import { KB, MB } from './lib/stats.ts';

/** Iteration counts, sized so a whole run takes a couple of minutes on two shared cores. */
export function settings(quick: boolean) {
  return {
    photoBytes: 50 * KB,
    documentBytes: 50 * KB,
    uploadBytes: 4 * MB,
    largeBytes: 100 * MB,
    coldStart: { rounds: quick ? 2 : 14 },
    warm: { warmup: quick ? 50 : 300, rounds: quick ? 2 : 8, pairs: quick ? 50 : 200 },
    token: { warmup: quick ? 100 : 500, rounds: quick ? 4 : 16, batch: quick ? 100 : 300 },
    upload: { warmup: 2, pairs: quick ? 4 : 14, memorySamples: quick ? 2 : 5 },
    largeDownload: { rounds: quick ? 1 : 5 },
    link: { rounds: quick ? 1 : 5 },
    /** The largest file a session takes; each round stages it anew. */
    completion: { bytes: MAX_SESSION_FILE_BYTES, rounds: quick ? 1 : 3 },
    /** Document downloads with and without the access trail, interleaved. */
    audit: { warmup: quick ? 20 : 100, rounds: quick ? 2 : 8, pairs: quick ? 30 : 100 },
    throughput: { connections: 32, warmupMs: quick ? 500 : 1500, roundMs: quick ? 1000 : 2000, rounds: quick ? 2 : 6 },
  } as const;
}

export type Settings = ReturnType<typeof settings>;

/** The targets: each figure against its baseline measured in the same run. */
export const TARGETS = {
  coldStart: 1.25,
  warm: 1.15,
  token: 1.1,
  uploadTime: 1.4,
  /** Peak memory above the baseline's, in file sizes. */
  uploadMemoryFileSizes: 3,
  largeThroughput: 0.8,
  /** A document through a download link (asking for it included) against a raw GetObject. */
  linkThroughput: 0.9,
  largeRssBytes: 64 * MB,
  throughput: 0.8,
  /** Completing the largest session on the embedded store against its copy and read back alone: the
   * completion also heads both objects, reads and writes the item, and removes the staged object. */
  completionTime: 1.5,
} as const;
