import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import * as esbuild from 'esbuild';

/**
 * Bundles a function the way SST's Node.js build does for a deploy: one ES module per handler, minified,
 * tree-shaken, for Node, everything bundled (the AWS SDK too), no source map. What the bundle holds and
 * weighs here is what Lambda loads on a cold start.
 */
export const SST_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'esnext',
  mainFields: ['module', 'main'],
  keepNames: true,
  minify: true,
  treeShaking: true,
  sourcemap: false,
  metafile: true,
  // SST always leaves these two out (native code); nothing here uses them.
  external: ['sharp', 'pg-native'],
  banner: {
    js: [
      "import { createRequire as topLevelCreateRequire } from 'module';",
      'const require = topLevelCreateRequire(import.meta.url);',
      "import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from 'url';",
      'const __filename = topLevelFileUrlToPath(import.meta.url);',
      "const __dirname = topLevelFileUrlToPath(new topLevelURL('.', import.meta.url));",
    ].join('\n'),
  },
} as const satisfies esbuild.BuildOptions;

export interface FunctionBundle {
  /** The Lambda handler setting, relative to `outDir`: `functions/enrollment-photo.handler`. */
  readonly handler: string;
  readonly file: string;
  readonly bytes: number;
  /** Every source file with code in the bundle (tree-shaken ones left out), relative to the repository root. */
  readonly inputs: readonly string[];
}

/** `handler` as in the route table: `functions/enrollment-photo.handler`, relative to `root`. */
export async function bundleFunction(root: string, handler: string, outDir: string): Promise<FunctionBundle> {
  const { dir, name, ext } = posix.parse(handler);
  const entry = ['.ts', '.mts', '.js', '.mjs']
    .map((extension) => join(root, dir, name + extension))
    .find((candidate) => existsSync(candidate));
  if (entry === undefined) throw new Error(`no entry module for handler ${handler}`);
  const file = join(outDir, dir, `${name}.mjs`);
  const result = await esbuild.build({
    ...SST_BUILD_OPTIONS,
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: file,
  });
  const output = Object.values(result.metafile.outputs)[0];
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${handler}`);
  return {
    handler: posix.join(dir, name) + ext,
    file,
    bytes: output.bytes,
    inputs: Object.entries(output.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([input]) => input),
  };
}
