/**
 * The window's one polite live region, rendered once in App.svelte: what a screen reader should
 * hear once (a job started, paused or ended; a search's count once typing paused). Figures that
 * change several times a second stay on screen, out of live regions, where each change would be
 * read out, for as long as the work lasts.
 */
export class Announcer {
  /** What was said last; a new object each time, so that the same words said twice are read twice. */
  message = $state.raw<{ text: string } | null>(null);

  say(text: string): void {
    this.message = { text };
  }
}
