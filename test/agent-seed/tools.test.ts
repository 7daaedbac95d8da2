import * as fs from 'fs';
import * as path from 'path';
import { type Layout, makeLayout, removeLayout, runScript } from './harness';

/**
 * A meta agent that tries each tool on a list of paths and reports what happened, so the tools are
 * exercised exactly as run_meta.mjs hands them to a program.
 */
const PROBE_AGENT = `
const attempt = async (f) => { try { return { ok: await f() }; } catch (e) { return { error: e.message }; } };
export async function improve(ctx) {
  const t = ctx.tools;
  const report = {
    viewInside: await attempt(() => t.view('task/params.json')),
    viewDotDot: await attempt(() => t.view('../outside/secret.txt')),
    viewAbsolute: await attempt(() => t.view(ctx.repoDir + '/../outside/secret.txt')),
    viewLink: await attempt(() => t.view('escape/secret.txt')),
    createInside: await attempt(() => t.create('lib/new/helper.mjs', 'export const x = 1;\\n')),
    createOutside: await attempt(() => t.create('../outside/planted.txt', 'x')),
    createThroughLink: await attempt(() => t.create('escape/planted.txt', 'x')),
    replaceOutside: await attempt(() => t.strReplace('../outside/secret.txt', 'top', 'leaked')),
    replaceTwice: await attempt(() => t.strReplace('lib/new/helper.mjs', 'x', 'y')),
    bashInside: await t.bash('pwd && echo made > made.txt && ls made.txt'),
    bashDotDot: await t.bash('cat ../outside/secret.txt'),
    bashAbsolute: await t.bash('echo pwned > /tmp/agent-seed-pwned.txt'),
    bashLink: await t.bash('cat escape/secret.txt'),
    bashHome: await t.bash('ls ~'),
    bashDoubleSlash: await t.bash('cat //etc/hostname'),
    bashComment: await t.bash("printf '// a comment\\n' >> made.txt && tail -n 1 made.txt"),
    bashTimeout: await t.bash('sleep 30'),
  };
  return { strategy: 'offline', summary: JSON.stringify(report), turns: 0 };
}
`;

interface Outcome {
  ok?: string;
  error?: string;
}
interface Shell {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

describe('the tools run_meta.mjs gives the meta agent stay inside the program folder', () => {
  let layout: Layout;
  let report: Record<string, Outcome & Shell>;
  const outside = () => path.join(layout.root, 'outside');

  beforeAll(async () => {
    layout = makeLayout();
    fs.mkdirSync(outside());
    fs.writeFileSync(path.join(outside(), 'secret.txt'), 'top secret\n');
    fs.symlinkSync(outside(), path.join(layout.programDir, 'escape'));
    fs.writeFileSync(path.join(layout.programDir, 'meta_agent.mjs'), PROBE_AGENT);
    const out = await runScript(layout, 'run_meta.mjs', {
      history: [],
      generationsLeft: 1,
      seed: 1,
      domains: [],
      limits: { bashTimeoutMs: 1000 },
    });
    expect(out.code).toBe(0);
    report = JSON.parse((out.lines[0] as { summary: string }).summary) as typeof report;
  });
  afterAll(() => removeLayout(layout));

  it('the editor works inside and refuses .., absolute and symlinked paths outside', () => {
    expect(report.viewInside?.ok).toContain('"domains"');
    for (const key of [
      'viewDotDot',
      'viewAbsolute',
      'viewLink',
      'createOutside',
      'createThroughLink',
      'replaceOutside',
    ]) {
      expect(report[key]?.error).toMatch(/^refused: .* is outside the program folder$/);
    }
    expect(report.createInside?.ok).toBe('wrote lib/new/helper.mjs (20 bytes)');
    expect(fs.readFileSync(path.join(layout.programDir, 'lib', 'new', 'helper.mjs'), 'utf8')).toBe(
      'export const x = 1;\n',
    );
    expect(report.replaceTwice?.error).toBe(
      'old_str occurs 2 times in lib/new/helper.mjs; it must occur exactly once',
    );
    expect(fs.readdirSync(outside())).toEqual(['secret.txt']);
    expect(fs.readFileSync(path.join(outside(), 'secret.txt'), 'utf8')).toBe('top secret\n');
  });

  it('bash runs in the program folder and refuses commands naming paths outside it', () => {
    expect(report.bashInside).toMatchObject({ exitCode: 0, timedOut: false });
    expect(report.bashInside?.stdout).toBe(`${fs.realpathSync(layout.programDir)}\nmade.txt\n`);
    expect(fs.readFileSync(path.join(layout.programDir, 'made.txt'), 'utf8')).toBe('made\n// a comment\n');
    expect(report.bashComment).toMatchObject({ exitCode: 0, stdout: '// a comment\n' });
    for (const key of ['bashDotDot', 'bashAbsolute', 'bashLink', 'bashHome', 'bashDoubleSlash']) {
      expect(report[key]).toMatchObject({ exitCode: 126, stdout: '' });
      expect(report[key]?.stderr).toMatch(/^refused: the command names paths outside the program folder/);
    }
    expect(fs.existsSync('/tmp/agent-seed-pwned.txt')).toBe(false);
    expect(report.bashTimeout).toMatchObject({ timedOut: true });
  });
});
