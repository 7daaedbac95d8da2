import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { Config } from '../config';
import { builtFile } from '../host/assets';
import { makeS3Client, S3ObjectStore } from '../storage';
import { stateLayout } from './layout';
import { spawnService, waitUntil, type ManagedProcess } from './processes';

export function s3Process(c: Config): ManagedProcess {
  const l = stateLayout(c);
  return { name: 's3', pidFile: path.join(l.run, 's3.pid'), marker: l.s3Data };
}

export function s3Healthy(c: Config): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: c.host, port: c.s3.port, path: '/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

export async function startS3(c: Config): Promise<void> {
  const l = stateLayout(c);
  fs.mkdirSync(l.s3Data, { recursive: true });
  const logFile = path.join(l.logs, 's3.log');
  // A separate node process, which cannot run TypeScript: the build output also under ts-jest.
  const script = builtFile('src/devstack/s3rverMain.ts');
  // s3rver makes its listing continuation tokens with DES, which OpenSSL 3 keeps in its legacy
  // provider: without it a listing of more than 1,000 keys fails with a 500.
  const args = ['--openssl-legacy-provider', script, c.host, String(c.s3.port), l.s3Data];
  spawnService(s3Process(c), process.execPath, args, logFile);
  await waitUntil('S3 server', () => s3Healthy(c), 30_000, logFile);
  await new S3ObjectStore(makeS3Client(c), c.s3.bucket).ensureBucket();
}
