/**
 * The threshold people get unless they choose one (Note [Duplicate threshold] in calibration.ts),
 * which the app's Duplicates screen offers as its suggestion. Measured with the fixture model on
 * shape scenes with edited copies, bursts and other shots (`npm run bench -- duplicates`): 0.5
 * found 87 % of the pairs at 69 % precision, 0.75 76 % at 94 %, 1 52 % at 99 %.
 */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.75;
