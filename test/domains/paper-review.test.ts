import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentView, SPLITS, type LoadedTasks, type TaskScore } from '../../src/domains/contract';
import {
  mapDecision,
  paperReviewDomain as domain,
  parseKeywords,
  parseSharedJsonl,
  type Decision,
  type PaperInput,
} from '../../src/domains/paper-review';
import { DATA_DIR, tempDir } from './helpers';
import { writeStringParquet } from './parquet-writer';

const SHARED_FILE = path.join(DATA_DIR, 'paper-review/iclr2017_2018_title_abstract_decision.jsonl');

describe('decision mapping and parsing', () => {
  it.each([
    ['accept', 'accept'],
    ['Accept (Poster)', 'accept'],
    [' Accept (Oral)', 'accept'],
    ['Reject', 'reject'],
    ['Invite to Workshop Track', 'reject'],
    ['withdrawn', undefined],
    ['Desk Reject', undefined],
    ['other', undefined],
    [undefined, undefined],
  ])('%s -> %s', (raw, expected) => {
    expect(mapDecision(raw)).toBe(expected);
  });

  it('parses keywords from a Python-style list, a ";" string and an array', () => {
    expect(parseKeywords("['Deep learning', 'Transfer Learning']")).toEqual([
      'Deep learning',
      'Transfer Learning',
    ]);
    expect(parseKeywords('gans; theory ;')).toEqual(['gans', 'theory']);
    expect(parseKeywords(['a', 'b'])).toEqual(['a', 'b']);
    expect(parseKeywords('')).toBeUndefined();
  });

  it('keeps accept/reject rows of the shared file and drops withdrawn, other and the one empty row', () => {
    // Counted by hand with a Python one-liner: 385 accept, 728 reject (one with empty title and
    // abstract), 69 withdrawn, 3 other = 1185 rows.
    const { records, dropped } = parseSharedJsonl(fs.readFileSync(SHARED_FILE, 'utf8'));
    expect(records.filter((r) => r.decision === 'accept')).toHaveLength(385);
    expect(records.filter((r) => r.decision === 'reject')).toHaveLength(727);
    expect(dropped).toBe(73);
    const first = records.find((r) => r.id === 'B1-Hhnslg');
    expect(first?.input.title).toBe('Prototypical Networks for Few-shot Learning');
    expect(first?.input.keywords).toEqual(['Deep learning', 'Transfer Learning']);
    expect(first?.decision).toBe('reject');
  });
});

describe('loadTasks from the shared mirror', () => {
  let loaded: LoadedTasks<PaperInput, Decision>;
  beforeAll(async () => {
    loaded = await domain.loadTasks({ dataDir: DATA_DIR, seed: 0 });
  });

  it('gives 100/100/100 tasks with 50 accept and 50 reject in each split, disjoint', () => {
    const all: string[] = [];
    for (const split of SPLITS) {
      const tasks = loaded.splits[split];
      expect(tasks).toHaveLength(100);
      expect(tasks.filter((t) => loaded.labels.get(t.id) === 'accept')).toHaveLength(50);
      expect(tasks.filter((t) => loaded.labels.get(t.id) === 'reject')).toHaveLength(50);
      all.push(...tasks.map((t) => t.id));
    }
    expect(new Set(all).size).toBe(300);
    expect(loaded.labels.size).toBe(300);
  });

  it('is reproducible from the seed, and another seed gives other splits', async () => {
    const again = await domain.loadTasks({ dataDir: DATA_DIR, seed: 0 });
    const other = await domain.loadTasks({ dataDir: DATA_DIR, seed: 1 });
    expect(again.splits.val.map((t) => t.id)).toEqual(loaded.splits.val.map((t) => t.id));
    expect(other.splits.val.map((t) => t.id)).not.toEqual(loaded.splits.val.map((t) => t.id));
  });

  it('honours explicit sizes', async () => {
    const small = await domain.loadTasks({ dataDir: DATA_DIR, sizes: { train: 10, val: 4, test: 2 } });
    expect(SPLITS.map((s) => small.splits[s].length)).toEqual([10, 4, 2]);
  });

  it('never puts a label or review field into an agent view', () => {
    for (const split of SPLITS) {
      const views = loaded.splits[split].map(agentView);
      const json = JSON.stringify(views);
      for (const field of [
        '"decision"',
        '"status"',
        '"ratings"',
        '"rating_avg"',
        '"confidences"',
        '"forum_url"',
      ]) {
        expect(json).not.toContain(field);
      }
      for (const view of views) {
        expect(Object.keys(view).sort()).toEqual(['id', 'input']);
        for (const key of Object.keys(view.input))
          expect(['title', 'abstract', 'keywords', 'fullText']).toContain(key);
      }
    }
  });

  it('agentView drops anything smuggled onto a task object', () => {
    const task = { id: 'x', input: { title: 't', abstract: 'a' }, decision: 'accept' };
    expect(JSON.stringify(agentView(task))).toBe('{"id":"x","input":{"title":"t","abstract":"a"}}');
  });
});

describe("a user's own data file", () => {
  const rows = [
    ...[1, 2, 3, 4, 5, 6].map((i) => ({
      id: `a${i}`,
      title: `Good ${i}`,
      abstract: `Strong ${i}`,
      decision: 'accept',
    })),
    ...[1, 2, 3, 4, 5, 6].map((i) => ({
      id: `r${i}`,
      title: `Weak ${i}`,
      abstract: `Poor ${i}`,
      decision: 'Reject',
    })),
    { id: 'w1', title: 'Gone', abstract: 'Withdrawn paper', decision: 'withdrawn' },
  ];

  it('reads the generic CSV format, shrinking default sizes to fit (2 per class per split here)', async () => {
    const file = path.join(tempDir('pr'), 'papers.csv');
    const csv = [
      'id,title,abstract,decision,keywords',
      ...rows.map((r) => `${r.id},"${r.title}","${r.abstract}",${r.decision},x;y`),
    ];
    fs.writeFileSync(file, csv.join('\n'));
    const loaded = await domain.loadTasks({ dataFile: file, seed: 3 });
    for (const split of SPLITS) {
      expect(loaded.splits[split]).toHaveLength(4);
      expect(loaded.splits[split].filter((t) => loaded.labels.get(t.id) === 'accept')).toHaveLength(2);
    }
    expect(loaded.labels.has('w1')).toBe(false);
    expect(loaded.splits.train[0]?.input.keywords).toEqual(['x', 'y']);
  });

  it('reads the generic JSONL format with full_text', async () => {
    const file = path.join(tempDir('pr'), 'papers.jsonl');
    fs.writeFileSync(
      file,
      rows.map((r) => JSON.stringify({ ...r, full_text: `Body of ${r.id}` })).join('\n'),
    );
    const loaded = await domain.loadTasks({ dataFile: file, sizes: { train: 2, val: 2, test: 2 } });
    const task = loaded.splits.test[0];
    expect(task?.input.fullText).toBe(`Body of ${task?.id}`);
  });

  it('reads a parquet file in the berenslab/iclr-dataset columns, ignoring the others', async () => {
    const file = path.join(tempDir('pr'), 'iclr.parquet');
    const parquetRows = rows.map((r) => ({
      ...r,
      decision: r.decision === 'accept' ? 'Accept (Poster)' : r.decision,
      authors: 'A. Person',
    }));
    fs.writeFileSync(
      file,
      writeStringParquet(['id', 'title', 'abstract', 'decision', 'authors'], parquetRows),
    );
    const loaded = await domain.loadTasks({ dataFile: file, sizes: { train: 4, val: 4, test: 4 } });
    expect(loaded.labels.get('a1')).toBe('accept');
    expect(loaded.labels.get('r6')).toBe('reject');
    expect(loaded.labels.size).toBe(12);
    expect(JSON.stringify(loaded.splits.train.map(agentView))).not.toContain('A. Person');
  });

  it('fails clearly when asked for more than the file holds, or when the file is missing', async () => {
    const file = path.join(tempDir('pr'), 'papers.jsonl');
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    await expect(domain.loadTasks({ dataFile: file, sizes: { train: 14, val: 0, test: 0 } })).rejects.toThrow(
      'not enough items for the requested split sizes (accept: need 7, have 6; reject: need 7, have 6)',
    );
    await expect(domain.loadTasks({ dataFile: '/nonexistent/p.csv' })).rejects.toThrow('data file not found');
  });

  it('names the missing column of a CSV', async () => {
    const file = path.join(tempDir('pr'), 'bad.csv');
    fs.writeFileSync(file, 'id,title,decision\n1,t,accept\n');
    await expect(domain.loadTasks({ dataFile: file })).rejects.toThrow('missing column(s) abstract');
  });
});

describe('scoring', () => {
  it('scores accuracy on hand-checked predictions', () => {
    expect(domain.score('accept', 'accept').score).toBe(1);
    expect(domain.score(' Reject\n', 'reject').score).toBe(1);
    expect(domain.score('reject', 'accept').score).toBe(0);
    const bad = domain.score({ decision: 'accept' }, 'accept');
    expect(bad.score).toBe(0);
    expect(bad.details?.valid).toBe(false);
  });

  it('aggregates accuracy, predicted accept rate and invalid rate', () => {
    const perTask: TaskScore[] = [
      domain.score('accept', 'accept'),
      domain.score('accept', 'reject'),
      domain.score('reject', 'reject'),
      domain.score('maybe', 'reject'),
    ];
    expect(domain.aggregate(perTask)).toEqual({
      score: 0.5,
      accuracy: 0.5,
      predictedAcceptRate: 0.5,
      invalidRate: 0.25,
    });
    expect(domain.aggregate([]).score).toBe(0);
  });
});
