import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configSchema } from '../../src/config';
import { envBindings } from '../../src/config/env';
import { projectRoot } from '../../src/host/assets';

/**
 * The deployment files (infra/Dockerfile, infra/compose/, infra/k8s/, docs/deploy.md) checked by each
 * file's own tool, as infra/deploy-tools.sh installs them (from `make setup`): hadolint, Docker Compose
 * v2 (`config`), kubernetes-validate (Kubernetes schemas shipped in its wheel, --strict). Each tool
 * must accept the real file and reject a broken copy, so this test can fail. Also: the hyperagents
 * configuration inside them passes the real config schema, every HYPERAGENTS_* variable they set
 * exists, and every published port is on loopback.
 */
const infra = path.join(projectRoot, 'infra');
const tools = path.resolve(projectRoot, process.env.HYPERAGENTS_TOOLS_DIR ?? '.hyperagents/tools', 'deploy');
const py = path.join(tools, 'py');
const hadolint = path.join(py, 'bin', 'hadolint');
const compose = path.join(tools, 'docker-compose');

interface Ran {
  status: number | null;
  out: string;
}
function run(cmd: string, args: string[], env: Record<string, string> = {}): Ran {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
    cwd: projectRoot,
  });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
const kubernetesValidate = (...files: string[]) =>
  run('python3', ['-m', 'kubernetes_validate', '--strict', '--quiet', ...files], { PYTHONPATH: py });
const yamlToJson = (file: string): unknown[] =>
  JSON.parse(
    run('python3', [
      '-c',
      'import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))',
      file,
    ]).out,
  ) as unknown[];

let tmp: string;
beforeAll(() => {
  const missing = [hadolint, compose, path.join(py, 'kubernetes_validate')].filter((f) => !fs.existsSync(f));
  if (missing.length > 0)
    throw new Error(
      `the deployment-file validators are not installed (${missing.join(', ')}): run \`make setup\` ` +
        '(it runs infra/deploy-tools.sh)',
    );
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-deploy-files-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('infra/Dockerfile', () => {
  const dockerfile = path.join(infra, 'Dockerfile');

  test('hadolint accepts it', () => {
    const r = run(hadolint, ['--no-color', dockerfile]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  test('hadolint rejects a broken copy', () => {
    const broken = path.join(tmp, 'Dockerfile');
    const text = fs.readFileSync(dockerfile, 'utf8');
    fs.writeFileSync(broken, text.replace('USER 1000:1000', 'RUN apt-get install -y curl\nUSER 1000:1000'));
    const r = run(hadolint, ['--no-color', broken]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('DL3015');
  });
});

describe('infra/compose', () => {
  /** A copy of infra/compose with the secret files made from their examples, as the README says. */
  function copyWithSecrets(name: string, edit: (yaml: string) => string = (y) => y): string {
    const dir = path.join(tmp, name);
    fs.cpSync(path.join(infra, 'compose'), dir, { recursive: true });
    const secrets = path.join(dir, 'secrets');
    for (const f of fs.readdirSync(secrets).filter((f) => f.endsWith('.env.example')))
      fs.copyFileSync(path.join(secrets, f), path.join(secrets, f.replace(/\.example$/, '')));
    const file = path.join(dir, 'compose.yaml');
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
    return file;
  }

  interface ComposeModel {
    services: Record<
      string,
      {
        command?: string[] | null;
        entrypoint?: string[] | null;
        environment?: Record<string, string | null>;
        ports?: { host_ip?: string; published?: string }[];
      }
    >;
  }

  test('docker compose accepts it: ports on loopback only, one worker per queue, known variables', () => {
    const r = run(compose, ['-f', copyWithSecrets('ok'), 'config', '--format', 'json']);
    expect(r.status).toBe(0);
    const model = JSON.parse(r.out) as ComposeModel;
    const ports = Object.values(model.services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) expect(p.host_ip).toBe('127.0.0.1');

    for (const queue of ['orchestration', 'meta', 'evaluation']) {
      const worker = model.services[`${queue}-worker`];
      expect(worker).toBeDefined();
      const argv = [...(worker!.entrypoint ?? []), ...(worker!.command ?? [])].join(' ');
      expect(argv).toMatch(new RegExp(`worker --queues ${queue}(\\s|'|$)`));
      for (const name of Object.keys(worker!.environment ?? {}).filter((n) => n.startsWith('HYPERAGENTS_')))
        expect(knownVariables).toContain(name);
    }
  });

  test('docker compose rejects a broken copy', () => {
    const file = copyWithSecrets('broken', (y) => y.replace('privileged: true', 'privilegd: true'));
    const r = run(compose, ['-f', file, 'config', '--quiet']);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/privilegd/);
  });

  test('its hyperagents.json passes the config schema', () => {
    const json: unknown = JSON.parse(
      fs.readFileSync(path.join(infra, 'compose', 'hyperagents.json'), 'utf8'),
    );
    expect(configSchema.safeParse(json).error).toBeUndefined();
  });
});

const knownVariables = ['HYPERAGENTS_CONFIG', ...envBindings.map((b) => b.name)];

describe('infra/k8s', () => {
  const dir = path.join(infra, 'k8s');
  const manifests = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f));

  test('kubernetes-validate --strict accepts every manifest', () => {
    const r = kubernetesValidate(...manifests);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  test('kubernetes-validate --strict rejects a broken copy', () => {
    const broken = path.join(tmp, 'worker-evaluation.yaml');
    const text = fs.readFileSync(path.join(dir, 'worker-evaluation.yaml'), 'utf8');
    fs.writeFileSync(broken, text.replace('terminationGracePeriodSeconds', 'terminationGracePeriodSecond'));
    const r = kubernetesValidate(broken);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/terminationGracePeriodSecond/);
  });

  type Doc = {
    kind?: string;
    data?: Record<string, string>;
    spec?: {
      template?: {
        spec?: { containers?: { env?: { name: string }[]; args?: string[]; command?: string[] }[] };
      };
    };
  };
  let parsed: Doc[] | undefined;
  const docs = () => (parsed ??= manifests.flatMap((f) => yamlToJson(f) as Doc[]));

  test('the ConfigMap config.json passes the config schema; workers set only known variables', () => {
    const configMap = docs().find((d) => d.kind === 'ConfigMap');
    const json: unknown = JSON.parse(configMap!.data!['config.json']!);
    expect(configSchema.safeParse(json).error).toBeUndefined();

    const queues = new Set<string>();
    for (const d of docs().filter((d) => d.kind === 'Deployment'))
      for (const c of d.spec!.template!.spec!.containers!) {
        for (const e of c.env ?? [])
          if (e.name.startsWith('HYPERAGENTS_')) expect(knownVariables).toContain(e.name);
        const argv = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
        const queue = /worker --queues (\w+)/.exec(argv)?.[1];
        if (queue) queues.add(queue);
      }
    expect([...queues].sort()).toEqual(['evaluation', 'meta', 'orchestration']);
  });
});
