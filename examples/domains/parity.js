// A user-defined domain, as a user would write one: plain CommonJS, no import from this project.
// Register it in the config: "domainModules": [{ "name": "parity", "module": "./examples/domains/parity.js" }]
// and run it with "run": { "domains": ["parity"] }. See src/domains/README.md for the contract.
function createDomain({ name }) {
  const numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  return {
    name,
    describe: () => 'Input: { n: number }. Return "even" or "odd".',
    async loadTasks() {
      const tasks = numbers.map((n) => ({ id: 'n' + n, input: { n } }));
      const labels = new Map(tasks.map((t) => [t.id, t.input.n % 2 === 0 ? 'even' : 'odd']));
      return { splits: { train: tasks.slice(0, 3), val: tasks.slice(3, 6), test: tasks.slice(6) }, labels };
    },
    score: (prediction, label) => ({ score: prediction === label ? 1 : 0 }),
    aggregate: (perTask) => ({
      score: perTask.length ? perTask.reduce((s, t) => s + t.score, 0) / perTask.length : 0,
    }),
    // staged is optional: { sampleSize: 10, gate: 0 } by default
  };
}
module.exports = { createDomain };
