import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What a command reads and writes: its streams, its environment, whether a person watches stderr. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly isTty: boolean;
}

/** A mistake in how the command was called: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {}
/** The command could not do its work: printed, exit code 1. */
export class CommandError extends Error {}

/** One command: its help text next to the code that runs it. */
export interface Command {
  readonly help: string;
  readonly run: (args: string[], io: Io) => Promise<number>;
}

/** A command group's subcommands by name; the first one's help answers "identities <group> --help". */
export type CommandGroup = Readonly<Record<string, Command>>;

/** Prints a command's help; exit code 0. */
export function help(io: Io, text: string): number {
  io.out(text);
  return 0;
}

/** Parses a command's arguments strictly; any mistake is a UsageError. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, positionals = 0) {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`unexpected argument: ${parsed.positionals[positionals]}`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

/** A progress bar for a terminal, redrawn in place: "\r[####....] done/total". */
export function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}
