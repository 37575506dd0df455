// A plugin uploaded as multipart/form-data: either one archive (.tar.gz,
// .tgz, .tar, .tar.bz2) or the files of a plugin folder, each part's filename
// being its path relative to the dropped folder (or a bare name when single
// files were picked: the plugin's name is then the manifest's first word).
// Limits hold while streaming; the result is the archive the PR receives.
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ArchiveError } from '../../spms/verifier/archive/archive-error.ts';
import { DEFAULT_LIMITS } from '../../spms/verifier/archive/limits.ts';
import { packPluginArchive } from '../../spms/verifier/archive/pack-archive.ts';
import { safeRelativePath, toPluginTree, type PluginFile } from '../../spms/verifier/archive/plugin-tree.ts';
import { readPluginArchive } from '../../spms/verifier/archive/read-archive.ts';
import { ApiError } from './api-error.ts';

const ARCHIVE = /\.(tar\.gz|tgz|tar|tar\.bz2|tbz2)$/i;

export interface UploadedPlugin {
  name: string;
  archive: Uint8Array;
  /** How the plugin arrived, for the record. */
  form: 'archive' | 'files';
  fields: Record<string, string>;
}

function readParts(req: IncomingMessage): Promise<{ files: PluginFile[]; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, preservePath: true, limits: { files: DEFAULT_LIMITS.entries, fileSize: DEFAULT_LIMITS.unpackedBytes, fields: 20, fieldSize: 4096 } });
    } catch (e) {
      reject(new ApiError(415, 'bad-upload', `expected multipart/form-data with the plugin's files or archive: ${(e as Error).message}`));
      return;
    }
    const files: PluginFile[] = [];
    const fields: Record<string, string> = {};
    let total = 0;
    let failed: ApiError | undefined;
    const fail = (e: ApiError): void => {
      if (failed !== undefined) return;
      failed = e;
      req.unpipe(bb);
      req.resume();
      reject(e);
    };
    bb.on('file', (_field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        total += c.length;
        if (total > DEFAULT_LIMITS.unpackedBytes) fail(new ApiError(413, 'upload-too-large', `the upload exceeds ${DEFAULT_LIMITS.unpackedBytes} bytes`));
        else chunks.push(c);
      });
      stream.on('limit', () => fail(new ApiError(413, 'upload-too-large', `"${info.filename}" exceeds ${DEFAULT_LIMITS.unpackedBytes} bytes`)));
      stream.on('end', () => {
        if (failed === undefined) files.push({ path: info.filename ?? '', data: new Uint8Array(Buffer.concat(chunks)) });
      });
    });
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('filesLimit', () => fail(new ApiError(413, 'too-many-files', `an upload holds at most ${DEFAULT_LIMITS.entries} files`)));
    bb.on('error', (e: Error) => fail(new ApiError(400, 'bad-upload', `the multipart body is malformed: ${e.message}`)));
    bb.on('close', () => {
      if (failed === undefined) resolve({ files, fields });
    });
    req.pipe(bb);
  });
}

function nameFromManifest(files: PluginFile[]): string {
  const manifests = files.filter((f) => f.path.endsWith('.plugin'));
  if (manifests.length !== 1) throw new ApiError(400, 'bad-plugin', `the files hold ${manifests.length === 0 ? 'no' : 'more than one'} .plugin manifest; a plugin has exactly one`);
  const first = new TextDecoder()
    .decode((manifests[0] as PluginFile).data)
    .split('\n')[0]
    ?.trim()
    .split(/\s+/)[0];
  if (first === undefined || first === '') throw new ApiError(400, 'bad-plugin', `the manifest ${(manifests[0] as PluginFile).path} does not start with the plugin's name`);
  return first;
}

export async function readUploadedPlugin(req: IncomingMessage): Promise<UploadedPlugin> {
  const { files, fields } = await readParts(req);
  if (files.length === 0) throw new ApiError(400, 'bad-upload', "the upload holds no file: send the plugin folder's files or one archive");
  try {
    if (files.length === 1 && ARCHIVE.test((files[0] as PluginFile).path)) {
      const archive = (files[0] as PluginFile).data;
      if (archive.length > DEFAULT_LIMITS.packedBytes) throw new ApiError(413, 'upload-too-large', `an archive holds at most ${DEFAULT_LIMITS.packedBytes} bytes`);
      const tree = await readPluginArchive(archive);
      return { name: tree.name, archive, form: 'archive', fields };
    }
    const paths = files.map((f) => ({ path: safeRelativePath(f.path), data: f.data }));
    // Picked files without their folder: the manifest names the plugin.
    const flat = paths.every((f) => !f.path.includes('/'));
    const entries = flat ? paths.map((f) => ({ path: `${nameFromManifest(paths)}/${f.path}`, data: f.data })) : paths;
    const tree = toPluginTree(entries, []);
    return { name: tree.name, archive: await packPluginArchive(tree), form: 'files', fields };
  } catch (e) {
    if (e instanceof ArchiveError) throw new ApiError(400, `bad-plugin`, `not a valid plugin (${e.code}): ${e.message}`);
    throw e;
  }
}
