// Copies the non-TypeScript files the runtime reads (ES modules run inside the sandbox, the seed
// hyperagent program) next to the compiled output, so `dist/` is self-contained.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const exts = new Set(['.mjs', '.md', '.json']);

function copy(dir) {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) copy(rel);
    else if (exts.has(path.extname(entry.name))) {
      fs.mkdirSync(path.join(root, 'dist', dir), { recursive: true });
      fs.copyFileSync(path.join(root, rel), path.join(root, 'dist', rel));
    }
  }
}

// The seed and DGM's meta agent are read as whole folders (every file is part of the program), so
// files they no longer have (moved or deleted since the last build) must not linger in dist/.
for (const folder of ['seed', 'dgm'])
  fs.rmSync(path.join(root, 'dist', 'src', 'agent', folder), { recursive: true, force: true });
for (const dir of ['src']) copy(dir);
