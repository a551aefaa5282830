/**
 * The operator CLI's entry: dispatches to one module per command group under cli/, each with its own help.
 */
import { auditCommand } from './cli/audit.ts';
import { backupCommand, restoreCommand } from './cli/backup.ts';
import { documentCommands } from './cli/document.ts';
import { documentManagementCommands, personCommands } from './cli/document-management.ts';
import { type CommandGroup, help, type Io, UsageError } from './cli/io.ts';
import { photoCommands } from './cli/photo.ts';
import { roleCommands } from './cli/role.ts';
import { serveCommand } from './cli/serve.ts';
import { tokenCommand } from './cli/token.ts';

export type { Io } from './cli/io.ts';

const USAGE = `Usage: identities <command> [options]

Commands:
  serve                      Run the API locally or on-prem (what npm run dev runs)
  token                      Print a token signed by the dev issuer of the data dir
  photo put FILE.jpg         Store a face's enrollment photo, or one of its detection photos
  photo import DIR           Import a folder of photos: DIR/<faceId>/enrollment.jpg, DIR/<faceId>/detections/<id>.jpg
  role put NAME              Create or replace a role and the permissions it grants
  role list                  List roles
  document upload FILE       Upload a person's document (multipart up to 4 MiB, an upload session above)
  document download          Download a person's document to a file
  document list|show|delete  List a person's documents, show one's metadata, delete one for good
  person erase               Erase every document of a person, every version
  backup --out FILE          Back up the stores (photos, documents, metadata, roles) to an archive
  restore FILE               Restore an archive into a new or empty data dir
  audit PERSON_ID            Show a person's access trail (or a face's, with --face ID)

Run "identities <command> --help" for a command's options.
Storage: the server running on the data dir (DATA_DIR, default .data), or the data dir's embedded stores when
none runs; a deployed stage's with --bucket and --table (or BUCKET_NAME and TABLE_NAME) and AWS credentials.
`;

const GROUPS: Record<'photo' | 'role' | 'document' | 'person', CommandGroup> = {
  photo: photoCommands,
  role: roleCommands,
  document: { ...documentCommands, ...documentManagementCommands },
  person: personCommands,
};

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      case 'serve':
        return await serveCommand.run(rest, io);
      case 'token':
        return await tokenCommand.run(rest, io);
      case 'backup':
        return await backupCommand.run(rest, io);
      case 'restore':
        return await restoreCommand.run(rest, io);
      case 'audit':
        return await auditCommand.run(rest, io);
      case 'photo':
      case 'role':
      case 'document':
      case 'person': {
        const [sub, ...args] = rest;
        const group = GROUPS[command];
        const run = sub !== undefined && Object.hasOwn(group, sub) ? group[sub] : undefined;
        if (run === undefined) {
          const first = Object.values(group)[0];
          if ((sub === '--help' || sub === '-h') && first !== undefined) return help(io, first.help);
          throw new UsageError(`"${command}" takes one of: ${Object.keys(group).join(', ')}`);
        }
        return await run.run(args, io);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const usage = command === undefined ? 'identities --help' : `identities ${command} --help`;
      io.err(`identities: ${error.message}\nRun "${usage}" for usage.\n`);
      return 2;
    }
    io.err(`identities: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
