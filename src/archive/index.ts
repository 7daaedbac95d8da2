export {
  Archive,
  ArchiveError,
  NodeConflictError,
  type ArchiveOptions,
  type NodeUpdate,
  type StoredChild,
  type ExportedNode,
} from './archive';
export {
  nodeRecordSchema,
  parseNodeRecord,
  NodeRecordError,
  SPLITS,
  type NodeRecord,
  type NodeScores,
  type SplitScore,
  type Split,
  type Strategy,
  type MetaOutcome,
  type Approval,
} from './record';
export {
  nodeIdFor,
  generationOf,
  checkNodeId,
  checkRunId,
  blobKey,
  blobDigest,
  nodeKey,
  nodesPrefix,
  nodeShardPrefix,
  NODES_PER_SHARD,
  reportsPrefix,
  reportKey,
  runPrefix,
  BLOB_PREFIX,
  ArchiveKeyError,
} from './keys';
export {
  childCountsOf,
  lineageOf,
  barredReasonOf,
  domainScoresOf,
  selectionSnapshotOf,
  trainHistoryOf,
  type TrainHistory,
  type TrainHistoryNode,
} from './views';
export { mapLimit } from './concurrency';
export { canonicalJson } from './canonical';
