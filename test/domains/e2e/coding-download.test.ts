/**
 * The coding data's pinned download path: the mirror read through the manifest gives the same
 * exercises as the file reader, a download over real loopback HTTP fills the cache, and a file
 * whose bytes differ from the pinned ones is refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  createCodingDomain,
  DEFAULT_CODING_DOMAIN_OPTIONS,
  FileExerciseSource,
  loadCodingTasks,
} from '../../../src/domains/coding';
import {
  CODING_DATASET,
  loadPinnedExerciseSource,
  PinnedExerciseSource,
} from '../../../src/domains/coding/download-source';
import {
  DataIntegrityError,
  DataUnavailableError,
  httpFetchUrl,
  type FetchUrl,
} from '../../../src/domains/data';
import { DATA_DIR, startServer, tempDir, type LoopbackServer } from '../helpers';

const UPSTREAM_PREFIX =
  'https://raw.githubusercontent.com/exercism/problem-specifications/03f83310ed0547b902d211a05d23b3d74661df02/';
const mirror = new FileExerciseSource(path.join(DATA_DIR, 'coding'));
const noEnv = {} as NodeJS.ProcessEnv;

/** Serves the mirror's exercise files at the upstream paths; `tamper` changes one file's bytes. */
async function upstream(tamper?: string): Promise<LoopbackServer> {
  const routes: Record<string, { body: Buffer }> = {};
  for (const f of CODING_DATASET.files) {
    const rel = f.url!.slice(UPSTREAM_PREFIX.length);
    let body = fs.readFileSync(path.join(DATA_DIR, f.path));
    if (f.path.endsWith(tamper ?? '\0')) body = Buffer.concat([body, Buffer.from(' ')]);
    routes[`/${rel}`] = { body };
  }
  return startServer(routes);
}
const via =
  (server: LoopbackServer): FetchUrl =>
  (url) => {
    if (!url.startsWith(UPSTREAM_PREFIX)) throw new Error(`unexpected URL ${url}`);
    return httpFetchUrl(`${server.baseUrl}/${url.slice(UPSTREAM_PREFIX.length)}`);
  };

test('every pinned file has a raw GitHub URL at the pinned commit and sits in the mirror layout', () => {
  expect(CODING_DATASET.files.length).toBeGreaterThan(80);
  for (const f of CODING_DATASET.files) {
    expect(f.url).toBe(UPSTREAM_PREFIX + f.path.slice('coding/problem-specifications/'.length));
    expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
  }
});

test('read through the manifest, the mirror gives the same polyglot tasks as the file reader', async () => {
  const pinned = await loadPinnedExerciseSource({
    dataDir: DATA_DIR,
    cacheDir: tempDir('code-cache'),
    env: noEnv,
  });
  const fromFiles = loadCodingTasks(mirror, DEFAULT_CODING_DOMAIN_OPTIONS);
  const fromPinned = loadCodingTasks(pinned, DEFAULT_CODING_DOMAIN_OPTIONS);
  expect(fromPinned.map((t) => t.id)).toEqual(fromFiles.map((t) => t.id));
  expect(fromPinned).toEqual(fromFiles);
  expect(pinned.polyglotSlugs('javascript')).toEqual(mirror.polyglotSlugs('javascript'));
  // And the domain splits it the same way.
  const a = await createCodingDomain({ source: pinned }).loadTasks({ seed: 7 });
  const b = await createCodingDomain({ source: mirror }).loadTasks({ seed: 7 });
  expect(a.splits).toEqual(b.splits);
});

test('no mirror: downloads each file once over HTTP into the cache, then works offline from it', async () => {
  const server = await upstream();
  const cacheDir = tempDir('code-dl');
  const emptyMirror = tempDir('code-empty');
  try {
    const source = await loadPinnedExerciseSource({
      dataDir: emptyMirror,
      cacheDir,
      allowDownload: true,
      fetchUrl: via(server),
      env: noEnv,
    });
    expect(server.hits.size).toBe(CODING_DATASET.files.length);
    expect([...server.hits.values()].every((n) => n === 1)).toBe(true);
    expect(source.readExercise('zipper')).toEqual(mirror.readExercise('zipper'));
    const cached = path.join(cacheDir, 'coding/problem-specifications/exercises/zipper/canonical-data.json');
    expect(fs.readFileSync(cached)).toEqual(
      fs.readFileSync(
        path.join(DATA_DIR, 'coding/problem-specifications/exercises/zipper/canonical-data.json'),
      ),
    );
    const offline = await loadPinnedExerciseSource({
      dataDir: emptyMirror,
      cacheDir,
      allowDownload: false,
      fetchUrl: () => Promise.reject(new Error('must not fetch')),
      env: noEnv,
    });
    expect(offline.listSlugs()).toEqual(source.listSlugs());
  } finally {
    await server.close();
  }
});

test('a downloaded file with other bytes is refused and never cached', async () => {
  const server = await upstream('exercises/forth/canonical-data.json');
  const cacheDir = tempDir('code-bad');
  try {
    const load = loadPinnedExerciseSource({
      dataDir: tempDir('code-empty'),
      cacheDir,
      allowDownload: true,
      fetchUrl: via(server),
      env: noEnv,
    });
    await expect(load).rejects.toThrow(DataIntegrityError);
    await expect(load).rejects.toThrow(/forth\/canonical-data\.json/);
    expect(fs.existsSync(path.join(cacheDir, 'coding/problem-specifications/exercises/forth'))).toBe(false);
  } finally {
    await server.close();
  }
});

test('offline with no mirror: one short message naming both ways to provide the data', async () => {
  const load = loadPinnedExerciseSource({
    dataDir: tempDir('code-none'),
    cacheDir: tempDir('code-c'),
    env: noEnv,
  });
  await expect(load).rejects.toThrow(DataUnavailableError);
  const message = await load.then(
    () => '',
    (e: Error) => e.message,
  );
  expect(message.split('\n').length).toBeLessThanOrEqual(10);
  expect(message).toMatch(/and \d+ more files of exercism\/problem-specifications @ 03f8331/);
  expect(message).toContain('HYPERAGENTS_DATA_DIR');
  expect(message).toContain('HYPERAGENTS_ALLOW_DOWNLOAD=1');
});

test('a deprecated marker in the pinned files marks the exercise deprecated', () => {
  const canonical = fs.readFileSync(
    path.join(DATA_DIR, 'coding/problem-specifications/exercises/zipper/canonical-data.json'),
  );
  const files = new Map([
    ['zipper/canonical-data.json', canonical],
    ['zipper/description.md', Buffer.from('# Zipper\n')],
  ]);
  expect(new PinnedExerciseSource(files).readExercise('zipper')).toMatchObject({
    deprecated: false,
    description: '# Zipper',
  });
  files.set('zipper/.deprecated', Buffer.alloc(0));
  expect(new PinnedExerciseSource(files).readExercise('zipper').deprecated).toBe(true);
});
