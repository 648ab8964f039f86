/**
 * The window's one polite live region, rendered once in App.svelte: what a screen reader should
 * hear once (a job started, paused or ended; a search's count once typing paused). Figures that
 * change several times a second stay on screen, out of live regions, where each change would be
 * read out, for as long as the work lasts.
 */
/**
 * Note [Status regions stay]: a screen reader is told a status region's text when it changes; one
 * inserted already holding its text (`{#if message}<p role="status">`) is read by some (NVDA,
 * JAWS) and often not by others (VoiceOver, on the Mac Lumen runs on). So a screen's own status
 * line (what a folder action or re-scan did, what the selection bar did, photos taken out of an
 * album) stands, empty, from when its screen or bar shows, and only its text changes; empty, it
 * takes no room (`position: absolute` keeps it in the accessibility tree, where `display: none`
 * would take it out). Where what is said would follow a job's own start or end, said here, a line
 * of its own keeps the two from cutting each other off in this one region. Errors stay alerts,
 * which are read as they arrive.
 */
export class Announcer {
  /** What was said last; a new object each time, so that the same words said twice are read twice. */
  message = $state.raw<{ text: string } | null>(null);

  say(text: string): void {
    this.message = { text };
  }
}

/**
 * Note [Notices outdated]: the window's notice (App.svelte) tells what became of something done
 * to the window as a whole (a photo or folder dropped, a photo pasted). It stays until dismissed,
 * never timed out, as an error must be read; but it says what it is about, and the next action
 * about the same replaces it, or clears it when that action has nothing to say: a notice that a
 * drop could not be used goes once a photo pasted since is searched by, or the search is cleared.
 * A notice about nothing in particular (a restored library) is set aside by a passing one and
 * comes back when that one goes, so it is never lost unread.
 */
/** `drop`: a photo or folder dropped or pasted, and the search (by words or by a photo) after it. */
export type NoticeTopic = 'drop';

export interface WindowNotice {
  kind: 'info' | 'error';
  text: string;
  /** What it is about: the next action about the same outdates it (Note [Notices outdated]). Without, it goes only when dismissed or replaced. */
  about?: NoticeTopic;
}
