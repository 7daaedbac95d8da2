import {
  DEFAULT_MATH_GRADING_PARAMS,
  gradingFeatures,
  mathGradingBaseline,
  type MathGradingParams,
} from '../../src/domains/math-grading';
import {
  DEFAULT_PAPER_REVIEW_PARAMS,
  paperFeatures,
  paperReviewBaseline,
  paperReviewScore,
  type PaperReviewParams,
} from '../../src/domains/paper-review';

describe('paper-review baseline', () => {
  const paper = {
    title: 'A Theory of Everything',
    abstract:
      'We prove a convergence theorem and achieve state-of-the-art results; code on GitHub. 12% better.',
    keywords: ['theory', 'optimization'],
  };

  it('computes features by hand', () => {
    const f = paperFeatures(paper);
    // 14 words (state-of-the-art is one) / 250; 4 title words / 15; "prove", "converge", "theorem" = 3 theory hits / 3.
    expect(f.abstractLength).toBeCloseTo(14 / 250, 12);
    expect(f.titleLength).toBeCloseTo(4 / 15, 12);
    expect(f.theory).toBe(1);
    expect(f.stateOfTheArt).toBe(0.5);
    expect(f.openSource).toBe(1);
    expect(f.numbers).toBeCloseTo(1 / 3, 12);
    expect(f.keywordCount).toBeCloseTo(2 / 5, 12);
    expect(f.hedging).toBe(0);
  });

  it('is a thresholded linear score whose parameters change the decision', () => {
    const only: PaperReviewParams = { weights: { theory: 1 }, bias: 0.1, threshold: 1 };
    expect(paperReviewScore(paper, only)).toBeCloseTo(1.1, 12);
    expect(paperReviewBaseline(paper, only)).toBe('accept');
    expect(paperReviewBaseline(paper, { ...only, threshold: 1.2 })).toBe('reject');
    expect(paperReviewBaseline(paper)).toBe(paperReviewBaseline(paper, DEFAULT_PAPER_REVIEW_PARAMS));
  });
});

describe('math-grading baseline', () => {
  const input = {
    problem: 'Show that the sum is even.',
    referenceSolution: 'Pair the terms; each pair sums to an even number, hence the total is even.',
    gradingGuidelines: '(Partial) pairing the terms.',
    response: 'Pair terms. Therefore even.',
  };

  it('computes features by hand', () => {
    const f = gradingFeatures(input);
    // reference terms (4+ letters): pair, terms, each, sums, even, number, hence, total = 8; the response has pair, terms, even.
    expect(f.referenceCoverage).toBeCloseTo(3 / 8, 12);
    // guidelines terms: partial, pairing, terms = 3; the response has terms.
    expect(f.guidelineCoverage).toBeCloseTo(1 / 3, 12);
    expect(f.lengthRatio).toBeCloseTo(input.response.length / (2 * input.referenceSolution.length), 12);
    expect(f.conclusion).toBe(1);
    expect(f.short).toBe(1);
    expect(f.hedging).toBe(0);
  });

  it('cuts the quality into four grades by the thresholds', () => {
    const base: MathGradingParams = { weights: {}, bias: 0, thresholds: [0.25, 0.5, 0.75] };
    expect(mathGradingBaseline(input, { ...base, bias: 0.1 })).toBe('incorrect');
    expect(mathGradingBaseline(input, { ...base, bias: 0.3 })).toBe('partial');
    expect(mathGradingBaseline(input, { ...base, bias: 0.6 })).toBe('almost');
    expect(mathGradingBaseline(input, { ...base, bias: 0.75 })).toBe('correct');
    expect(mathGradingBaseline(input)).toBe(mathGradingBaseline(input, DEFAULT_MATH_GRADING_PARAMS));
  });
});
