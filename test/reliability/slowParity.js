// The parity example domain with each answer's scoring held on the host for SCORE_DELAY_MS, so
// that an evaluation stage (three tasks) lasts long enough for a fault to land inside it: on a
// fast machine a plain parity stage ends in well under a second, before dockerd can be stopped.
'use strict';
const { createDomain: parity } = require('../../examples/domains/parity.js');

// SLOW_PARITY_DELAY_MS: a test running the domain in its own process may hold scoring longer.
const SCORE_DELAY_MS = Number(process.env.SLOW_PARITY_DELAY_MS ?? 600);

function createDomain(options) {
  const domain = parity(options);
  return {
    ...domain,
    score: async (prediction, label) => {
      await new Promise((resolve) => setTimeout(resolve, SCORE_DELAY_MS));
      return domain.score(prediction, label);
    },
  };
}
module.exports = { createDomain };
