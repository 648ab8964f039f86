/**
 * Near-duplicates: the public surface for the app and the CLI.
 *
 * `DuplicateFinder` over an open library and its model (groups with the copy to keep, see
 * finder.ts); `planTrash` and `executeTrash` to move confirmed copies to the system trash (see
 * Note [Never delete]); the calibrated threshold's default.
 */
export { DuplicateFinder } from './finder.js';
export type { DuplicateGroup, DuplicateOptions, DuplicatePhoto, DuplicateProgress, DuplicateReport } from './finder.js';
export { DEFAULT_DUPLICATE_THRESHOLD } from './threshold.js';
export type { DuplicateCalibration } from './calibration.js';
export { executeTrash, planTrash, selectCopies, trashSelection } from './trash.js';
export type { TrashOutcome, TrashPlan, TrashPlanFile, TrashResult, TrashSelection } from './trash.js';
