import { randomBytes } from 'node:crypto';
import { types } from 'node:util';
import vm from 'node:vm';

/**
 * Containment of an agent-written reward function against honest mistakes, not malice.
 *
 * `node:vm` is NOT a security boundary and nothing relies on it: a one-liner reaches the real
 * `process` (the rejection of `import()` is a host-realm error, whose constructor's constructor is
 * the host's `Function`). So the whole training run (training.ts) runs inside the project's sandbox
 * with the training seed only, and the host uses nothing of its output but the reward values, from
 * which it replays training and scores the policy on its own episodes (evaluate.ts, domain.ts).
 * What this module does provide, for rewards that do not attack it: a reward that throws, loops,
 * returns a non-number or schedules endless microtasks is stopped by a timeout and reported as a
 * RewardError; transitions are copied into typed arrays created inside the context; Math.random
 * inside the context is seeded.
 *
 * Known limit: endless microtasks are drained under the timeout (`microtaskMode: 'afterEvaluate'`),
 * but Node aborts the whole process when that timeout fires while async hooks or AsyncLocalStorage
 * are active (jest, Temporal workers). Hence evaluations of untrusted rewards run in a separate
 * plain Node process (runner.ts, in the sandbox or via `localProcessRunner`), never in such a host.
 */
export type RewardErrorKind = 'compile' | 'missing' | 'runtime' | 'timeout';

export class RewardError extends Error {
  constructor(
    readonly kind: RewardErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RewardError';
  }
}

export interface RewardInfo {
  readonly terminated: boolean;
  readonly truncated: boolean;
  readonly step: number;
}

/** Packed transition layout: [state fields..., action, next-state fields..., terminated, truncated, step]. */
export function transitionStride(fieldCount: number): number {
  return 2 * fieldCount + 4;
}

export function packTransition(
  target: Float64Array,
  offset: number,
  state: readonly number[],
  action: number,
  next: readonly number[],
  info: RewardInfo,
): void {
  const fields = state.length;
  for (let i = 0; i < fields; i++) {
    target[offset + i] = state[i] ?? 0;
    target[offset + fields + 1 + i] = next[i] ?? 0;
  }
  target[offset + fields] = action;
  target[offset + 2 * fields + 1] = info.terminated ? 1 : 0;
  target[offset + 2 * fields + 2] = info.truncated ? 1 : 0;
  target[offset + 2 * fields + 3] = info.step;
}

export interface CompiledReward {
  readonly stateFields: readonly string[];
  /**
   * Sum of rewards of each episode. `transitions` holds `transitionCount` packed transitions;
   * episode e covers indices [episodeEnds[e-1] ?? 0, episodeEnds[e]). Throws RewardError.
   */
  episodeReturns(
    transitions: Float64Array,
    transitionCount: number,
    episodeEnds: readonly number[],
  ): number[];
  /** One call, for tests and debugging. */
  call(state: readonly number[], action: number, next: readonly number[], info: RewardInfo): number;
}

export interface CompileRewardOptions {
  readonly stateFields: readonly string[];
  /** Limit for running the source's top level, and for each batch of reward calls. */
  readonly timeoutMs?: number;
  /** Seed of Math.random inside the context. */
  readonly seed?: number;
}

interface SandboxHandle {
  readonly io: { data: Float64Array; ends: Float64Array; out: Float64Array; meta: Float64Array };
}

// Runs inside the context before the agent's source, so it captures pristine built-ins. Its
// binding name is random per compilation: the reward code cannot find or replace it.
function preludeSource(token: string, fields: readonly string[], seed: number): string {
  return `
const ${token} = (() => {
  const fields = ${JSON.stringify(fields)};
  const F = fields.length;
  const stride = ${transitionStride(fields.length)};
  const F64 = Float64Array;
  const isFiniteNumber = Number.isFinite;
  const toText = String;
  const ErrorType = Error;
  const imul = Math.imul;
  // mulberry32, not util/random: this is source text run inside the context, where no host
  // function may be reachable, and it only has to be seeded, not to match any host stream.
  let seedState = ${seed >>> 0};
  Math.random = function random() {
    seedState = (seedState + 0x6d2b79f5) >>> 0;
    let t = seedState;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const io = { data: new F64(0), ends: new F64(0), out: new F64(0), meta: new F64(2), error: undefined };
  const describe = (e) => {
    try {
      if (e instanceof ErrorType) return toText(e.name) + ': ' + toText(e.message);
      return 'threw ' + toText(e);
    } catch (_) {
      return 'threw an unprintable value';
    }
  };
  return {
    io,
    grow(dataLength, episodes) {
      io.data = new F64(dataLength);
      io.ends = new F64(episodes);
      io.out = new F64(episodes);
    },
    check() {
      return typeof reward === 'function' ? '' : 'the source must define a function named reward';
    },
    describeError() {
      return describe(io.error);
    },
    run() {
      const fn = reward;
      const data = io.data;
      const episodes = io.meta[1];
      let t = 0;
      for (let e = 0; e < episodes; e++) {
        let total = 0;
        for (const end = io.ends[e]; t < end; t++) {
          const o = t * stride;
          const state = {};
          const next = {};
          for (let i = 0; i < F; i++) {
            state[fields[i]] = data[o + i];
            next[fields[i]] = data[o + F + 1 + i];
          }
          const info = { terminated: data[o + 2 * F + 1] === 1, truncated: data[o + 2 * F + 2] === 1, step: data[o + 2 * F + 3] };
          let r;
          try {
            r = fn(state, data[o + F], next, info);
          } catch (err) {
            return 'reward threw at step ' + info.step + ': ' + describe(err);
          }
          if (typeof r !== 'number' || !isFiniteNumber(r)) {
            return 'reward returned ' + (typeof r === 'number' ? toText(r) : 'a ' + typeof r) + ' at step ' + info.step + ' (must be a finite number)';
          }
          total += r;
        }
        io.out[e] = total;
      }
      return '';
    },
  };
})();
${token};`;
}

// Checks slots and own data properties only: neither runs code of the reward (no getters, no proxy traps),
// and neither depends on which realm's Error the value came from (jest runs tests in another realm).
function isTimeout(error: unknown): boolean {
  if (!types.isNativeError(error) || types.isProxy(error)) return false;
  return Object.getOwnPropertyDescriptor(error, 'code')?.value === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

export function compileReward(source: string, options: CompileRewardOptions): CompiledReward {
  const timeout = options.timeoutMs ?? 1000;
  const fields = options.stateFields;
  const stride = transitionStride(fields.length);
  const token = `__rewardHost_${randomBytes(8).toString('hex')}`;
  const context = vm.createContext(Object.create(null) as object, {
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  const run = (code: string, what: string): unknown => {
    try {
      return new vm.Script(code, { filename: what }).runInContext(context, { timeout });
    } catch (error) {
      if (isTimeout(error)) throw new RewardError('timeout', `${what} exceeded ${timeout} ms`);
      throw error;
    }
  };
  const handle = run(preludeSource(token, fields, options.seed ?? 0), 'prelude') as SandboxHandle;

  // Errors thrown by the reward code come from another realm; describing them runs their getters,
  // so that too happens inside the context under the timeout.
  const describeForeign = (error: unknown): string => {
    if (error instanceof RewardError) throw error;
    (handle.io as { error?: unknown }).error = error;
    return String(run(`${token}.describeError()`, 'describe-error'));
  };

  let script: vm.Script;
  try {
    script = new vm.Script(source, { filename: 'reward.js' });
  } catch (error) {
    throw new RewardError('compile', `reward source does not parse: ${describeForeign(error)}`);
  }
  try {
    script.runInContext(context, { timeout });
  } catch (error) {
    if (isTimeout(error)) throw new RewardError('timeout', `reward source top level exceeded ${timeout} ms`);
    throw new RewardError('runtime', `reward source threw while loading: ${describeForeign(error)}`);
  }
  const missing = run(`${token}.check()`, 'check');
  if (missing !== '') throw new RewardError('missing', String(missing));

  const runBatch = new vm.Script(`${token}.run()`, { filename: 'reward-batch' });
  let capacity = { data: 0, episodes: 0 };

  const episodeReturns = (
    transitions: Float64Array,
    count: number,
    episodeEnds: readonly number[],
  ): number[] => {
    const dataLength = count * stride;
    if (dataLength > capacity.data || episodeEnds.length > capacity.episodes) {
      capacity = {
        data: Math.max(dataLength, capacity.data),
        episodes: Math.max(episodeEnds.length, capacity.episodes),
      };
      run(`${token}.grow(${capacity.data}, ${capacity.episodes})`, 'grow');
    }
    // Host methods on the context's typed arrays: prototype edits by the reward code cannot interpose.
    const { data, ends, out, meta } = handle.io;
    Float64Array.prototype.set.call(data, transitions.subarray(0, dataLength));
    Float64Array.prototype.set.call(ends, Float64Array.from(episodeEnds));
    meta[0] = count;
    meta[1] = episodeEnds.length;
    let outcome: unknown;
    try {
      outcome = runBatch.runInContext(context, { timeout });
    } catch (error) {
      if (isTimeout(error))
        throw new RewardError('timeout', `reward calls exceeded ${timeout} ms for one batch`);
      throw new RewardError('runtime', `reward evaluation failed: ${describeForeign(error)}`);
    }
    if (outcome !== '')
      throw new RewardError('runtime', typeof outcome === 'string' ? outcome : 'reward failed');
    return Array.from({ length: episodeEnds.length }, (_, e) => out[e] ?? 0);
  };

  return {
    stateFields: fields,
    episodeReturns,
    call(state, action, next, info) {
      const packed = new Float64Array(stride);
      packTransition(packed, 0, state, action, next, info);
      return episodeReturns(packed, 1, [1])[0] ?? 0;
    },
  };
}
