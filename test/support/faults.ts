import { Readable } from 'node:stream';
import { translateStorageError } from '@identities/aws';
import type { DocumentStore, ObjectStore, UploadSessionStore, UploadTargets } from '@identities/core';

/** How a storage call fails, as the SDK reports it after its own retries. */
export type Fault = 'throttle' | 'unreachable' | 'timeout' | 'server-error' | 'bug' | 'reset-mid-stream';

/** The SDK-shaped error for a fault; the adapters translate these before they leave a port. */
function sdkError(fault: Exclude<Fault, 'reset-mid-stream'>): Error {
  switch (fault) {
    case 'throttle':
      return Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $retryable: { throttling: true },
        $metadata: { httpStatusCode: 400 },
      });
    case 'unreachable':
      return Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    case 'timeout':
      return Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' });
    case 'server-error':
      return Object.assign(new Error('We encountered an internal error'), {
        name: 'InternalError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      });
    case 'bug':
      return new TypeError("Cannot read properties of undefined (reading 'Body')");
  }
}

/**
 * A fault plan: names storage operations (`objects.put`, `documents.create`, ...) and how each fails,
 * once or every time. The stores below consult it before doing the real work.
 */
export class Faults {
  private readonly plan = new Map<string, { fault: Fault; remaining: number }>();
  readonly calls: string[] = [];

  fail(operation: string, fault: Fault, times = Number.POSITIVE_INFINITY): this {
    this.plan.set(operation, { fault, remaining: times });
    return this;
  }

  /** The fault planned for this call, used up by it; undefined when the call goes through. */
  take(operation: string): Fault | undefined {
    this.calls.push(operation);
    const planned = this.plan.get(operation);
    if (planned === undefined || planned.remaining <= 0) return undefined;
    planned.remaining--;
    return planned.fault;
  }

  /** Throws what the adapter would throw for the planned fault, if any. */
  check(operation: string, what: string): void {
    const fault = this.take(operation);
    if (fault !== undefined && fault !== 'reset-mid-stream') throw translateStorageError(sdkError(fault), what);
  }
}

/** A body that sends some bytes, then dies the way an S3 socket reset does. */
function resetAfter(body: Readable, bytes: number): Readable {
  let sent = 0;
  return Readable.from(
    (async function* () {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (sent + chunk.length >= bytes) {
          yield chunk.subarray(0, bytes - sent);
          body.destroy();
          throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        }
        sent += chunk.length;
        yield chunk;
      }
    })(),
  );
}

export function faultyObjects(inner: ObjectStore, faults: Faults): ObjectStore {
  const what = 'Object storage';
  return {
    async get(key, range) {
      const fault = faults.take('objects.get');
      if (fault !== undefined && fault !== 'reset-mid-stream') throw translateStorageError(sdkError(fault), what);
      const object = await inner.get(key, range);
      if (object === undefined || fault !== 'reset-mid-stream') return object;
      return { ...object, body: resetAfter(object.body, Math.max(1, Math.floor(object.size / 2))) };
    },
    async head(key) {
      faults.check('objects.head', what);
      return inner.head(key);
    },
    async put(key, body, options) {
      faults.check('objects.put', what);
      return inner.put(key, body, options);
    },
    async copy(from, to, options) {
      faults.check('objects.copy', what);
      return inner.copy(from, to, options);
    },
    async delete(key) {
      faults.check('objects.delete', what);
      return inner.delete(key);
    },
    async listOlderThan(prefix, before) {
      faults.check('objects.list', what);
      return inner.listOlderThan(prefix, before);
    },
  };
}

export function faultyDocuments(inner: DocumentStore, faults: Faults): DocumentStore {
  const what = 'Document metadata';
  return {
    async get(personId, documentId) {
      faults.check('documents.get', what);
      return inner.get(personId, documentId);
    },
    async create(record) {
      faults.check('documents.create', what);
      return inner.create(record);
    },
  };
}

export function faultySessions(inner: UploadSessionStore, faults: Faults): UploadSessionStore {
  const what = 'Document metadata';
  return {
    async reserve(session) {
      faults.check('sessions.reserve', what);
      return inner.reserve(session);
    },
    async find(personId, documentId) {
      faults.check('sessions.find', what);
      return inner.find(personId, documentId);
    },
    async complete(session, record) {
      faults.check('sessions.complete', what);
      return inner.complete(session, record);
    },
    async expired(now) {
      faults.check('sessions.expired', what);
      return inner.expired(now);
    },
    async remove(session) {
      faults.check('sessions.remove', what);
      return inner.remove(session);
    },
  };
}

export function faultyTargets(inner: UploadTargets, faults: Faults): UploadTargets {
  return {
    async presignPost(key, options) {
      faults.check('targets.presign', 'Object storage');
      return inner.presignPost(key, options);
    },
  };
}
