import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DataIntegrityError,
  DataUnavailableError,
  MATH_GRADING_DATASET,
  PAPER_REVIEW_DATASET,
  loadDatasetFiles,
  sha256,
  type DatasetSpec,
} from '../../src/domains/data';
import { DATA_DIR, startServer, tempDir, type LoopbackServer } from './helpers';

const GOOD = Buffer.from('id,text\n1,hello\n');
const OTHER = Buffer.from('id,text\n1,HELLO\n');
// sha256 of GOOD, computed by hand with `printf 'id,text\n1,hello\n' | sha256sum`.
const GOOD_SHA = 'b4fd5c2b999894bb6a3a78e61a5f5c5343d8cba7ab3f7e0b63287acc2f370362';

function specFor(baseUrl: string | undefined): DatasetSpec {
  return {
    name: 'toy',
    files: [
      { path: 'toy/a.csv', sha256: sha256(GOOD), bytes: GOOD.length, url: baseUrl && `${baseUrl}/a.csv` },
    ],
  };
}

describe('sha256', () => {
  it('matches sha256sum', () => {
    expect(sha256(GOOD)).toBe(GOOD_SHA);
  });
});

describe('loadDatasetFiles from a mirror', () => {
  it('loads the math-grading files from the shared mirror with their pinned checksums', async () => {
    const files = await loadDatasetFiles(MATH_GRADING_DATASET, { dataDir: DATA_DIR, env: {} });
    expect([...files.keys()].sort()).toEqual(MATH_GRADING_DATASET.files.map((f) => f.path).sort());
    expect(files.get('math-grading/gradingbench_filtered_100_val.csv')?.length).toBe(1_029_126);
  });

  it('reads HYPERAGENTS_DATA_DIR when no dataDir is given', async () => {
    const files = await loadDatasetFiles(PAPER_REVIEW_DATASET, { env: { HYPERAGENTS_DATA_DIR: DATA_DIR } });
    expect(files.get(PAPER_REVIEW_DATASET.files[0]!.path)?.length).toBe(1_871_657);
  });

  it('refuses a mirror file whose checksum does not match, naming the file and both hashes', async () => {
    const mirror = tempDir('mirror');
    fs.mkdirSync(path.join(mirror, 'toy'));
    fs.writeFileSync(path.join(mirror, 'toy/a.csv'), OTHER);
    const load = loadDatasetFiles(specFor(undefined), {
      dataDir: mirror,
      cacheDir: tempDir('cache'),
      env: {},
    });
    await expect(load).rejects.toThrow(DataIntegrityError);
    await expect(load).rejects.toThrow(new RegExp(`refusing mirror file .*a\\.csv: sha256 ${sha256(OTHER)}`));
  });

  it('refuses a truncated copy of a real data set file', async () => {
    const mirror = tempDir('mirror');
    fs.mkdirSync(path.join(mirror, 'paper-review'));
    const real = fs.readFileSync(path.join(DATA_DIR, PAPER_REVIEW_DATASET.files[0]!.path));
    fs.writeFileSync(path.join(mirror, PAPER_REVIEW_DATASET.files[0]!.path), real.subarray(0, 1000));
    await expect(loadDatasetFiles(PAPER_REVIEW_DATASET, { dataDir: mirror, env: {} })).rejects.toThrow(
      /does not match the pinned 1104ce97/,
    );
  });
});

describe('missing data', () => {
  it('gives one message naming the missing files and both ways to provide them', async () => {
    const cacheDir = tempDir('cache');
    const error = await loadDatasetFiles(MATH_GRADING_DATASET, { cacheDir, env: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('data set "math-grading" is not available');
    for (const file of MATH_GRADING_DATASET.files) expect(message).toContain(file.path);
    expect(message).toContain('set HYPERAGENTS_DATA_DIR');
    expect(message).toContain('HYPERAGENTS_DATA_DIR is not set');
    expect(message).toContain('set HYPERAGENTS_ALLOW_DOWNLOAD=1');
    expect(message).toContain(cacheDir);
  });

  it('says a file without a public upstream cannot be downloaded and points at the generic format', async () => {
    const message = await loadDatasetFiles(PAPER_REVIEW_DATASET, {
      dataDir: tempDir('empty'),
      cacheDir: tempDir('cache'),
      allowDownload: true,
      env: {},
    }).catch((e: Error) => e.message);
    expect(message).toContain('looked in');
    expect(message).toContain('has no public upstream copy');
    expect(message).toContain('--data');
  });
});

describe('download over real HTTP from a loopback server', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startServer({
      '/a.csv': { body: GOOD },
      '/corrupt/a.csv': { body: OTHER },
      '/moved/a.csv': { status: 302, location: '/a.csv' },
    });
  });
  afterAll(() => server.close());

  it('downloads into the cache, verifies, and serves later loads from the cache without HTTP', async () => {
    const cacheDir = tempDir('cache');
    const spec = specFor(server.baseUrl);
    const first = await loadDatasetFiles(spec, { cacheDir, allowDownload: true, env: {} });
    expect(first.get('toy/a.csv')?.equals(GOOD)).toBe(true);
    expect(fs.readFileSync(path.join(cacheDir, 'toy/a.csv')).equals(GOOD)).toBe(true);
    const hitsBefore = server.hits.get('/a.csv');
    const second = await loadDatasetFiles(spec, { cacheDir, allowDownload: false, env: {} });
    expect(second.get('toy/a.csv')?.equals(GOOD)).toBe(true);
    expect(server.hits.get('/a.csv')).toBe(hitsBefore);
  });

  it('follows a redirect', async () => {
    const spec: DatasetSpec = {
      name: 'toy',
      files: [{ ...specFor(undefined).files[0]!, url: `${server.baseUrl}/moved/a.csv` }],
    };
    const files = await loadDatasetFiles(spec, { cacheDir: tempDir('cache'), allowDownload: true, env: {} });
    expect(files.get('toy/a.csv')?.toString()).toBe(GOOD.toString());
  });

  it('refuses corrupt bytes and writes nothing to the cache', async () => {
    const cacheDir = tempDir('cache');
    const spec: DatasetSpec = {
      name: 'toy',
      files: [{ ...specFor(undefined).files[0]!, url: `${server.baseUrl}/corrupt/a.csv` }],
    };
    await expect(loadDatasetFiles(spec, { cacheDir, allowDownload: true, env: {} })).rejects.toThrow(
      /refusing download of toy\/a\.csv .*Nothing was written to the cache/,
    );
    expect(fs.existsSync(path.join(cacheDir, 'toy'))).toBe(false);
  });

  it('reports an HTTP error status clearly', async () => {
    const spec: DatasetSpec = {
      name: 'toy',
      files: [{ ...specFor(undefined).files[0]!, url: `${server.baseUrl}/gone.csv` }],
    };
    await expect(
      loadDatasetFiles(spec, { cacheDir: tempDir('cache'), allowDownload: true, env: {} }),
    ).rejects.toThrow(/could not download toy\/a\.csv from .*gone\.csv: HTTP 404/);
  });

  it('replaces a corrupt cache entry by a fresh download when downloads are allowed, refuses it otherwise', async () => {
    const cacheDir = tempDir('cache');
    fs.mkdirSync(path.join(cacheDir, 'toy'));
    fs.writeFileSync(path.join(cacheDir, 'toy/a.csv'), OTHER);
    const spec = specFor(server.baseUrl);
    await expect(loadDatasetFiles(spec, { cacheDir, allowDownload: false, env: {} })).rejects.toThrow(
      /refusing cached file/,
    );
    const files = await loadDatasetFiles(spec, { cacheDir, allowDownload: true, env: {} });
    expect(files.get('toy/a.csv')?.equals(GOOD)).toBe(true);
    expect(fs.readFileSync(path.join(cacheDir, 'toy/a.csv')).equals(GOOD)).toBe(true);
  });

  it('honours HYPERAGENTS_ALLOW_DOWNLOAD and HYPERAGENTS_CACHE_DIR from the environment', async () => {
    const cacheDir = tempDir('cache');
    const env = { HYPERAGENTS_ALLOW_DOWNLOAD: '1', HYPERAGENTS_CACHE_DIR: cacheDir };
    await loadDatasetFiles(specFor(server.baseUrl), { env });
    expect(fs.existsSync(path.join(cacheDir, 'toy/a.csv'))).toBe(true);
  });
});
