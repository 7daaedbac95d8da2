/** The application services of one DGM-H generation, each over `EngineDeps`. */
export { createStartNode, StartNodeError } from './start';
export { selectParent } from './select';
export { selfModify, protectedPathsFor } from './selfModify';
export { validateProgram } from './validate';
export { evaluateNode, evaluateStage, evaluateTestSplit, planEvaluation } from './evaluate';
export { scoreNode, finalizeNode, decideApproval } from './finalize';
