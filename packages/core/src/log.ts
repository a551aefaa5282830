export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Structured logs: one JSON object per line. Never give it an event, a token or a body. */
export interface Logger {
  log(level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>): void;
}

export function makeLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  return {
    log(entryLevel, message, fields = {}) {
      if (ORDER[entryLevel] < ORDER[level]) return;
      write(JSON.stringify({ time: new Date().toISOString(), level: entryLevel, message, ...fields }));
    },
  };
}

export function isLogLevel(value: string): value is LogLevel {
  return value in ORDER;
}

/** An error as a log field: name, message, stack and causes, never its own enumerable payload. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  };
}
