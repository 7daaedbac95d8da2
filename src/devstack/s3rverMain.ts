/**
 * Entry point of the embedded S3 server process (s3rver). Started detached by `hyperagents dev up`;
 * arguments: <host> <port> <dataDir>.
 */
import S3rver from 's3rver';
import { guardWrites } from './s3rverStore';

async function main(): Promise<void> {
  const [host, port, directory] = process.argv.slice(2);
  if (!host || !port || !directory) throw new Error('usage: s3rverMain <host> <port> <dataDir>');
  const server = new S3rver({ address: host, port: Number(port), directory, silent: true });
  guardWrites(server.store, `${directory.replace(/\/+$/, '')}.partial`);
  await server.run();
  console.log(`s3rver listening on ${host}:${port}, data in ${directory}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
