/** One file of a data set, pinned by content. */
export interface DatasetFile {
  /** Path relative to the data root (the mirror root and the cache root share this layout). */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Public upstream at a pinned commit; absent when the file is derived and has no upstream copy. */
  readonly url?: string;
}

export interface DatasetSpec {
  readonly name: string;
  readonly files: readonly DatasetFile[];
  /** Where the files come from, as a message names them when many are missing (e.g. a repository @ commit). */
  readonly source?: string;
}

const PROOFGRADE =
  'https://raw.githubusercontent.com/scasella/Proofgrade/1408a0031799992a2a1a44695ba65748826d00d7';

/** IMO-GradingBench 100/100/100 subset used by the Hyperagents paper (CC-BY-4.0); see shared/data PROVENANCE. */
export const MATH_GRADING_DATASET: DatasetSpec = {
  name: 'math-grading',
  files: [
    {
      path: 'math-grading/gradingbench_filtered_100_train.csv',
      sha256: '97cb60488f422eec1226d6697a32a80575fbb76bb30f35713f965af4d3c21732',
      bytes: 1_089_884,
      url: `${PROOFGRADE}/domains/imo/gradingbench_filtered_100_train.csv`,
    },
    {
      path: 'math-grading/gradingbench_filtered_100_val.csv',
      sha256: 'a44094c079ee6b18133af13b51b8eb9ea8794896e0da3f91351b5d28c4b33b3a',
      bytes: 1_029_126,
      url: `${PROOFGRADE}/domains/imo/gradingbench_filtered_100_val.csv`,
    },
    {
      path: 'math-grading/gradingbench_filtered_100_test.csv',
      sha256: 'd23833d0f3d8d37ed0f81320660988d5be072acbba0d2b4720670085491b52b9',
      bytes: 1_103_544,
      url: `${PROOFGRADE}/domains/imo/gradingbench_filtered_100_test.csv`,
    },
  ],
};

/**
 * ICLR 2017-2018 titles, abstracts and decisions derived from papercopilot/paperlists. The file is a
 * derivation with no upstream copy (and an unclear licence), so it comes only from a mirror; the
 * downloadable alternative is berenslab/iclr-dataset (parquet), read from a path with `dataFile`.
 */
export const PAPER_REVIEW_DATASET: DatasetSpec = {
  name: 'paper-review',
  files: [
    {
      path: 'paper-review/iclr2017_2018_title_abstract_decision.jsonl',
      sha256: '1104ce97b78aedb3a7378e33510aecd887947b35446f0dd505ff399024185162',
      bytes: 1_871_657,
    },
  ],
};
