/**
 * Offline reward design: the task's default (human) reward, scaled, plus weighted shaping terms on
 * the normalised state fields, written as source text. Per-field weights come from task/params.json.
 * The scalar weights (`base`, `alive`, `action`, `quadraticAll`, `potentialAll`) are the section's own
 * for an environment it has no entry for, and `envs.<envId>` overrides them for one it has: what was
 * tuned on a training environment stays with it, so an unseen environment gets the untuned defaults.
 */

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const num = (value) => {
  const v = typeof value === 'number' && Number.isFinite(value) ? value : 0;
  return String(Number(v.toPrecision(6)));
};

/** The scalar weights of one environment: its own entry of `envs` over the section's defaults. */
export const SCALAR_WEIGHTS = ['base', 'alive', 'action', 'quadraticAll', 'potentialAll'];

export function writeRewardSource(input, weights) {
  const own = weights.envs?.[input.envId] ?? {};
  const params = { ...weights };
  for (const k of SCALAR_WEIGHTS) if (typeof own[k] === 'number') params[k] = own[k];
  const terms = [];
  const fields = Array.isArray(input.stateFields) ? input.stateFields : [];
  for (const field of fields) {
    if (!IDENTIFIER.test(field?.name ?? '')) continue;
    const scale = num(field.scale || 1);
    const next = `(nextState.${field.name} / ${scale})`;
    const now = `(state.${field.name} / ${scale})`;
    const linear = params.linear?.[field.name] ?? 0;
    const quadratic = (params.quadratic?.[field.name] ?? 0) + (params.quadraticAll ?? 0);
    const potential = (params.potential?.[field.name] ?? 0) + (params.potentialAll ?? 0);
    if (linear !== 0) terms.push(`${num(linear)} * ${next}`);
    if (quadratic !== 0) terms.push(`${num(quadratic)} * ${next} ** 2`);
    if (potential !== 0) terms.push(`${num(potential)} * (${next} ** 2 - ${now} ** 2)`);
  }
  if (input.action?.kind === 'continuous' && (params.action ?? 0) !== 0) {
    terms.push(`${num(params.action)} * action ** 2`);
  }
  const defaultSource = String(input.defaultRewardSource ?? 'function reward() {\n  return 0;\n}\n');
  // The default reward is kept under another name so the template's own `reward` can wrap it.
  const base = defaultSource.replace(/function\s+reward\s*\(/, 'function defaultReward(');
  return [
    base.trim(),
    '',
    'function reward(state, action, nextState, info) {',
    `  let r = ${num(params.base ?? 1)} * defaultReward(state, action, nextState, info) + ${num(params.alive)};`,
    ...terms.map((t) => `  r += ${t};`),
    '  return Number.isFinite(r) ? r : 0;',
    '}',
    '',
  ].join('\n');
}
