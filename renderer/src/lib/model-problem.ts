/** Why no model is ready, as the window says it: Settings' "Model in use" and the first-run steps. */
import type { ModelProblem } from './api.js';

/** The problem in the app's own words (the engine's mention the CLI's commands and flags); what to do is offered `where` (below it, or in Settings). */
export function modelProblemText(problem: ModelProblem | null, where = 'below'): string {
  if (problem?.kind === 'none-installed') return `No model is installed yet. Download one ${where}, or import a model folder you already have.`;
  if (problem?.kind === 'choose-one') return `Several models are installed: choose the one Lumen should use ${where}.`;
  // A model imported is in no catalogue: only its folder, imported again, brings it back.
  if (problem?.kind === 'missing') return `The chosen model, ${problem.model}, is no longer installed. ${problem.downloadable ? 'Download it again' : 'Import its folder again'} or choose another model ${where}.`;
  return `The chosen model cannot be used: ${problem?.message ?? 'it did not load.'} Choose another model ${where}.`;
}
