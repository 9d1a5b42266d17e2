import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Starts the end-to-end files first, each group in vitest's own order (the durations of the last run
 * on this database, or, with none, the larger file first). On a clean clone, as CI has, vitest knows
 * no durations and orders by size alone, so a long end-to-end file could start last and run alone
 * while the other workers sat idle: 80 of one PGlite run's 666 s were such a tail (the tour).
 */
export default class EndToEndFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const isEndToEnd = (spec: TestSpecification) => /[\\/]e2e[\\/]/.test(spec.moduleId);
    return [...ordered.filter(isEndToEnd), ...ordered.filter((spec) => !isEndToEnd(spec))];
  }
}
