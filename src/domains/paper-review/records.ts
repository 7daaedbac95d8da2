import { parse as parseCsv } from 'csv-parse/sync';

export type Decision = 'accept' | 'reject';
export const DECISIONS: readonly Decision[] = ['accept', 'reject'];

/** What the agent sees for one paper. */
export interface PaperInput {
  readonly title: string;
  readonly abstract: string;
  readonly keywords?: readonly string[];
  readonly fullText?: string;
}

/** A paper with its decision, host side only. */
export interface PaperRecord {
  readonly id: string;
  readonly input: PaperInput;
  readonly decision: Decision;
}

/**
 * Maps a raw decision to accept/reject, or undefined to drop the row. Accept variants (Poster,
 * Oral, Spotlight, ...) are accept; Reject is reject; an invitation to the ICLR 2017-18 workshop
 * track is reject (not accepted to the main conference, as in the shared data's PROVENANCE);
 * withdrawn, desk-rejected and anything else are dropped because no review decided them.
 */
export function mapDecision(raw: unknown): Decision | undefined {
  if (typeof raw !== 'string') return undefined;
  const d = raw.trim().toLowerCase();
  if (d.startsWith('accept')) return 'accept';
  if (d.startsWith('reject')) return 'reject';
  if (d.includes('workshop')) return 'reject';
  return undefined;
}

/** Parses keywords given as an array, a Python-style list string ("['a', 'b']") or a ";"-joined string. */
export function parseKeywords(raw: unknown): string[] | undefined {
  if (Array.isArray(raw)) return raw.map(String).filter((k) => k.length > 0);
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (text.startsWith('[')) {
    return [...text.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? m[2] ?? '');
  }
  return text
    .split(';')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

interface RawRow {
  readonly id: unknown;
  readonly title: unknown;
  readonly abstract: unknown;
  readonly decision: unknown;
  readonly keywords?: unknown;
  readonly fullText?: unknown;
}

const nonEmpty = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';

/** Builds records from raw rows; rows with no decision (see mapDecision) or no title/abstract are dropped and counted. */
export function toRecords(
  rows: readonly RawRow[],
  source: string,
): { records: PaperRecord[]; dropped: number } {
  const records: PaperRecord[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  rows.forEach((row, index) => {
    const where = `${source}, row ${index + 1}`;
    const id = typeof row.id === 'string' || typeof row.id === 'number' ? String(row.id).trim() : '';
    if (id === '') throw new Error(`${where}: "id" must be a non-empty string`);
    if (seen.has(id)) throw new Error(`${where}: duplicate id "${id}"`);
    seen.add(id);
    const decision = mapDecision(row.decision);
    // A row with no text gives the agent nothing to judge (the shared file has one such row).
    if (!decision || !nonEmpty(row.title) || !nonEmpty(row.abstract)) {
      dropped++;
      return;
    }
    const keywords = parseKeywords(row.keywords);
    const fullText =
      typeof row.fullText === 'string' && row.fullText.trim() !== '' ? row.fullText : undefined;
    const input: PaperInput = {
      title: String(row.title),
      abstract: String(row.abstract),
      ...(keywords && keywords.length > 0 ? { keywords } : {}),
      ...(fullText ? { fullText } : {}),
    };
    records.push({ id, input, decision });
  });
  return { records, dropped };
}

function jsonLines(text: string, source: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i] as const)
    .filter(([line]) => line !== '')
    .map(([line, i]) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${source}, line ${i + 1}: not valid JSON`);
      }
    });
}

/** The shared mirror's JSONL (openreview_id, title, abstract, keywords, decision, ...; other fields ignored). */
export function parseSharedJsonl(text: string, source = 'paper-review JSONL') {
  return toRecords(
    jsonLines(text, source).map((r) => ({
      id: r.openreview_id,
      title: r.title,
      abstract: r.abstract,
      decision: r.decision,
      keywords: r.keywords,
    })),
    source,
  );
}

/** Generic JSONL: one object per line with id, title, abstract, decision, and optional keywords, full_text. */
export function parseGenericJsonl(text: string, source = 'JSONL file') {
  return toRecords(
    jsonLines(text, source).map((r) => ({ ...r, fullText: r.full_text ?? r.fullText }) as RawRow),
    source,
  );
}

/** Generic CSV with a header row: id,title,abstract,decision[,keywords][,full_text]; keywords ";"-separated. */
export function parseGenericCsv(text: string, source = 'CSV file') {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<
    string,
    string
  >[];
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const missing = ['id', 'title', 'abstract', 'decision'].filter(
    (c) => rows.length > 0 && !header.includes(c),
  );
  if (missing.length > 0) throw new Error(`${source}: missing column(s) ${missing.join(', ')}`);
  return toRecords(
    rows.map((r) => ({ ...r, fullText: r.full_text }) as unknown as RawRow),
    source,
  );
}
