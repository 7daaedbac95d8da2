import { execFile } from 'node:child_process';

/**
 * Reads every row of a parquet file as plain objects, using hyparquet.
 *
 * hyparquet is ESM-only; Node 20.19+ can `require` it, but the test runner cannot, so the read
 * runs in a short-lived child Node process that prints the rows as JSON. This also keeps a large
 * file's decoding out of the caller's heap.
 */
export function readParquetRows(filePath: string): Promise<Record<string, unknown>[]> {
  const modulePath = require.resolve('hyparquet');
  const script = `
    const { asyncBufferFromFile, parquetReadObjects } = require(process.argv[1]);
    (async () => {
      const file = await asyncBufferFromFile(process.argv[2]);
      const rows = await parquetReadObjects({ file });
      process.stdout.write(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    })().catch((e) => { process.stderr.write(String((e && e.message) || e)); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--no-warnings', '-e', script, modulePath, filePath],
      { maxBuffer: 1024 * 1024 * 1024, env: {} },
      (error, stdout, stderr) => {
        if (error)
          return reject(new Error(`cannot read parquet file ${filePath}: ${stderr.trim() || error.message}`));
        try {
          resolve(JSON.parse(stdout) as Record<string, unknown>[]);
        } catch {
          reject(new Error(`cannot read parquet file ${filePath}: unreadable output from the reader`));
        }
      },
    );
  });
}
