/**
 * The program's memory: each generation's meta agent appends what it did and why to
 * memory/notes.md, which its descendants inherit and read.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export function appendNote(repoDir, lines) {
  const dir = path.join(repoDir, 'memory');
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, 'notes.md'), `\n${lines.join('\n')}\n`);
}
