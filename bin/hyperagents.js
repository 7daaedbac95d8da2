#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript; point at the build and say how to make it when it is missing.
const path = require('path');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
try {
  require.resolve(entry);
} catch {
  console.error(
    'hyperagents: the CLI is not built yet. Run `make setup` (or `npm ci && npm run build`) first.',
  );
  process.exit(1);
}
require(entry).main(process.argv);
