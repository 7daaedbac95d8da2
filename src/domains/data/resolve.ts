import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { httpFetchUrl, type FetchUrl } from './fetch-url';
import type { DatasetFile, DatasetSpec } from './spec';

export interface DataSourceOptions {
  /** Mirror root laid out as README "Domain data" shows. Default: $HYPERAGENTS_DATA_DIR. */
  readonly dataDir?: string;
  /** Download cache root. Default: $HYPERAGENTS_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, + hyperagents/data. */
  readonly cacheDir?: string;
  /** Default: $HYPERAGENTS_ALLOW_DOWNLOAD === '1'. */
  readonly allowDownload?: boolean;
  readonly fetchUrl?: FetchUrl;
  /** Where the defaults above are read from; tests pass their own. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The data set is absent from every source we may use. */
export class DataUnavailableError extends Error {
  override name = 'DataUnavailableError';
  constructor(
    message: string,
    /**
     * How to provide the data set by hand: its sub-folder of the data folder (HYPERAGENTS_DATA_DIR /
     * dataDir), the missing files' paths under that folder, and the data folder looked in (if set).
     */
    readonly provide?: { folder: string; files: string[]; dataDir?: string },
  ) {
    super(message);
  }
}
/** A file exists but its bytes are not the pinned ones; it is never used. */
export class DataIntegrityError extends Error {
  override name = 'DataIntegrityError';
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HYPERAGENTS_CACHE_DIR) return env.HYPERAGENTS_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'hyperagents', 'data');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Returns the verified bytes of every file of the data set, by `DatasetFile.path`. Per file:
 * mirror, then cache, then (if allowed) download into the cache. A mirror or downloaded file with
 * the wrong checksum is refused outright; a corrupt cache entry is discarded and downloaded again
 * when downloads are allowed. The bytes returned are the bytes that were hashed, so nothing can
 * change between check and use.
 */
export async function loadDatasetFiles(
  spec: DatasetSpec,
  options: DataSourceOptions = {},
): Promise<Map<string, Buffer>> {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir ?? (env.HYPERAGENTS_DATA_DIR || undefined);
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const allowDownload = options.allowDownload ?? env.HYPERAGENTS_ALLOW_DOWNLOAD === '1';
  const fetchUrl = options.fetchUrl ?? httpFetchUrl;

  const found = new Map<string, Buffer>();
  const missing: DatasetFile[] = [];
  for (const file of spec.files) {
    const fromMirror = dataDir ? readVerified(path.join(dataDir, file.path), file, 'mirror') : undefined;
    const bytes = fromMirror ?? readCache(path.join(cacheDir, file.path), file, allowDownload);
    if (bytes) found.set(file.path, bytes);
    else missing.push(file);
  }
  if (missing.length === 0) return found;

  const downloadable = missing.filter((f) => f.url);
  if (!allowDownload || downloadable.length < missing.length) {
    const folder = missing[0]!.path.split('/')[0]!;
    throw new DataUnavailableError(unavailableMessage(spec, missing, dataDir, cacheDir, allowDownload), {
      folder,
      files: missing.map((f) => (f.path.startsWith(`${folder}/`) ? f.path.slice(folder.length + 1) : f.path)),
      ...(dataDir ? { dataDir } : {}),
    });
  }
  for (const file of downloadable) {
    found.set(file.path, await download(file, path.join(cacheDir, file.path), fetchUrl));
  }
  return found;
}

function readVerified(filePath: string, file: DatasetFile, source: string): Buffer | undefined {
  if (!fs.existsSync(filePath)) return undefined;
  const bytes = fs.readFileSync(filePath);
  const actual = sha256(bytes);
  if (actual !== file.sha256) {
    throw new DataIntegrityError(
      `refusing ${source} file ${filePath}: sha256 ${actual} (${bytes.length} bytes) does not match the ` +
        `pinned ${file.sha256} (${file.bytes} bytes). The file is corrupt or a different version; ` +
        'replace it with the pinned version.',
    );
  }
  return bytes;
}

function readCache(filePath: string, file: DatasetFile, allowDownload: boolean): Buffer | undefined {
  try {
    return readVerified(filePath, file, 'cached');
  } catch (error) {
    if (!(error instanceof DataIntegrityError) || !allowDownload) throw error;
    fs.rmSync(filePath, { force: true });
    return undefined;
  }
}

async function download(file: DatasetFile, target: string, fetchUrl: FetchUrl): Promise<Buffer> {
  const url = file.url as string;
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await fetchUrl(url));
  } catch (error) {
    throw new DataUnavailableError(
      `could not download ${file.path} from ${url}: ${(error as Error).message}`,
    );
  }
  const actual = sha256(bytes);
  if (actual !== file.sha256) {
    throw new DataIntegrityError(
      `refusing download of ${file.path} from ${url}: sha256 ${actual} (${bytes.length} bytes) does not ` +
        `match the pinned ${file.sha256} (${file.bytes} bytes). Nothing was written to the cache.`,
    );
  }
  // Write then rename, so a crash never leaves a partial file under the final name.
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.part`;
  fs.writeFileSync(partial, bytes);
  fs.renameSync(partial, target);
  return bytes;
}

/** The first few of a list, and how many more (`of` what, if given): a data set can miss hundreds of files. */
function listed(items: readonly string[], of?: string, shown = 3): string {
  const more = items.length - shown;
  if (more <= 0) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${more} more${of ? ` files of ${of}` : ''}`;
}

function unavailableMessage(
  spec: DatasetSpec,
  missing: readonly DatasetFile[],
  dataDir: string | undefined,
  cacheDir: string,
  allowDownload: boolean,
): string {
  const noUpstream = missing.filter((f) => !f.url);
  // One line: the CLI prints an error as one line, and escapes any newline in it.
  return [
    `data set "${spec.name}" is not available; missing ${listed(
      missing.map((f) => `${f.path} (sha256 ${f.sha256})`),
      spec.source,
    )}.`,
    'Provide it in either of two ways:',
    `1. a local data folder: set HYPERAGENTS_DATA_DIR (or dataDir in the config) to a folder with a ` +
      `sub-folder per domain that holds the files above at those paths (README, "Domain data"; ` +
      `${dataDir ? `looked in ${dataDir}` : 'HYPERAGENTS_DATA_DIR is not set'});`,
    noUpstream.length === 0
      ? `2. a download from the public upstream: set HYPERAGENTS_ALLOW_DOWNLOAD=1 (or allowDownload) and the ` +
        `files are fetched at a pinned commit into ${cacheDir} and checked against their sha256` +
        (allowDownload ? '.' : ' (downloads are currently off).')
      : `2. a download: not possible for ${listed(noUpstream.map((f) => f.path))}, which has no public ` +
        "upstream copy; instead give your own file in the domain's generic format (dataFile / --data).",
  ].join(' ');
}
