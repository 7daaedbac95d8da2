import * as fs from 'node:fs';
import * as path from 'node:path';
import { readParquetRows } from '../data/parquet';
import { parseGenericCsv, parseGenericJsonl, toRecords, type PaperRecord } from './records';

/**
 * Reads a user's paper file, chosen by extension: `.csv`, `.jsonl` (the generic format), or
 * `.parquet` (berenslab/iclr-dataset columns: id, title, abstract, decision, keywords; other
 * columns such as scores and authors are ignored and never reach the agent).
 */
export async function readPaperFile(filePath: string): Promise<{ records: PaperRecord[]; dropped: number }> {
  if (!fs.existsSync(filePath)) throw new Error(`paper-review data file not found: ${filePath}`);
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.csv') return parseGenericCsv(fs.readFileSync(filePath, 'utf8'), filePath);
  if (ext === '.jsonl') return parseGenericJsonl(fs.readFileSync(filePath, 'utf8'), filePath);
  if (ext === '.parquet') {
    const rows = await readParquetRows(filePath);
    return toRecords(
      rows.map((r) => ({
        id: r.id ?? r.openreview_id,
        title: r.title,
        abstract: r.abstract,
        decision: r.decision,
        keywords: r.keywords,
      })),
      filePath,
    );
  }
  throw new Error(
    `paper-review data file ${filePath}: unsupported extension "${ext}" (use .csv, .jsonl or .parquet)`,
  );
}
