import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { detectionPhotoKey, enrollmentPhotoKey, isSafeId } from '@identities/core';
import { CommandError, type CommandGroup, help, type Io, parse, progressBar, UsageError } from './io.ts';
import { type Storage, storageOptions, withStorage } from './storage.ts';

const MAX_PHOTO_BYTES = 20 * 1024 * 1024;

const PUT_HELP = `Usage: identities photo put --face-id ID [--detection-id ID] FILE.jpg

Stores FILE.jpg as the face's enrollment photo, or as one of its detection photos. Refuses a non-JPEG.
  --face-id ID              The face (letters, digits, ".", "_", "~", "-"; at most 128)
  --detection-id ID         Store a detection photo with this id instead of the enrollment photo
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to store (see "identities --help")
`;

const IMPORT_HELP = `Usage: identities photo import DIR

Imports every DIR/<faceId>/enrollment.jpg and DIR/<faceId>/detections/<detectionId>.jpg, with a progress bar
on a terminal and a summary line. Exits 1 if any photo could not be imported.
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to store (see "identities --help")
`;

function isJpeg(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

async function readPhoto(file: string): Promise<Buffer> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new CommandError(`${file}: no such file`);
  if (info.size > MAX_PHOTO_BYTES) throw new CommandError(`${file}: larger than ${MAX_PHOTO_BYTES} bytes`);
  const bytes = await readFile(file);
  if (!isJpeg(bytes)) throw new CommandError(`${file}: not a JPEG`);
  return bytes;
}

const putPhoto = (storage: Storage, key: string, body: Buffer) =>
  storage.s3.send(new PutObjectCommand({ Bucket: storage.bucket, Key: key, Body: body, ContentType: 'image/jpeg' }));

async function photoPut(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    { ...storageOptions, 'face-id': { type: 'string' }, 'detection-id': { type: 'string' } },
    1,
  );
  if (values.help) return help(io, PUT_HELP);
  const faceId = values['face-id'];
  const detectionId = values['detection-id'];
  const file = positionals[0];
  if (faceId === undefined) throw new UsageError('--face-id is required');
  if (file === undefined) throw new UsageError('name the JPEG file to store');
  if (!isSafeId(faceId)) throw new UsageError(`--face-id ${JSON.stringify(faceId)} is not a valid id`);
  if (detectionId !== undefined && !isSafeId(detectionId)) {
    throw new UsageError(`--detection-id ${JSON.stringify(detectionId)} is not a valid id`);
  }
  const bytes = await readPhoto(file);
  const key = detectionId === undefined ? enrollmentPhotoKey(faceId) : detectionPhotoKey(faceId, detectionId);
  await withStorage(io, values, (storage) => putPhoto(storage, key, bytes));
  io.err(
    `Stored ${detectionId === undefined ? 'the enrollment photo' : `detection photo ${detectionId}`} of face ${faceId} (${bytes.length} bytes).\n`,
  );
  return 0;
}

interface Found {
  readonly file: string;
  readonly key: string;
  readonly kind: 'enrollment' | 'detection';
}

async function findPhotos(dir: string): Promise<{ found: Found[]; skipped: string[] }> {
  const found: Found[] = [];
  const skipped: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new CommandError(`${dir}: no such directory`);
  });
  for (const face of entries) {
    if (!face.isDirectory()) continue;
    if (!isSafeId(face.name)) {
      skipped.push(`${face.name}/ (not a valid face id)`);
      continue;
    }
    const faceDir = join(dir, face.name);
    const enrollment = join(faceDir, 'enrollment.jpg');
    if (
      await stat(enrollment).then(
        (info) => info.isFile(),
        () => false,
      )
    ) {
      found.push({ file: enrollment, key: enrollmentPhotoKey(face.name), kind: 'enrollment' });
    }
    const detections = await readdir(join(faceDir, 'detections'), { withFileTypes: true }).catch(() => []);
    for (const detection of detections) {
      const id = detection.name.replace(/\.jpg$/, '');
      if (!detection.isFile() || !detection.name.endsWith('.jpg')) continue;
      if (!isSafeId(id)) {
        skipped.push(`${face.name}/detections/${detection.name} (not a valid detection id)`);
        continue;
      }
      found.push({
        file: join(faceDir, 'detections', detection.name),
        key: detectionPhotoKey(face.name, id),
        kind: 'detection',
      });
    }
  }
  return { found, skipped };
}

async function photoImport(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, storageOptions, 1);
  if (values.help) return help(io, IMPORT_HELP);
  const dir = positionals[0];
  if (dir === undefined) throw new UsageError('name the folder to import');
  const { found, skipped } = await findPhotos(dir);
  const failed: string[] = [...skipped];
  const counts = { enrollment: 0, detection: 0 };
  let done = 0;
  await withStorage(io, values, async (storage) => {
    const queue = [...found];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        try {
          await putPhoto(storage, next.key, await readPhoto(next.file));
          counts[next.kind]++;
        } catch (error) {
          failed.push(
            `${next.file} (${error instanceof CommandError ? error.message.replace(`${next.file}: `, '') : String(error)})`,
          );
        }
        done++;
        if (io.isTty) io.err(progressBar(done, found.length));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  });
  if (io.isTty && found.length > 0) io.err('\n');
  for (const line of failed) io.err(`skipped ${line}\n`);
  io.out(
    `Imported ${counts.enrollment + counts.detection} photos (${counts.enrollment} enrollment, ${counts.detection} detection); ${failed.length} skipped.\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

/** identities photo put | import */
export const photoCommands: CommandGroup = {
  put: { help: PUT_HELP, run: photoPut },
  import: { help: IMPORT_HELP, run: photoImport },
};
