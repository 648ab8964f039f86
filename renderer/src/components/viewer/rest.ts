/**
 * Note [A step said once it rests]: the viewer tells a screen reader the photo it moved to (←/→,
 * ‹ ›, a similar photo chosen) and the zoom level it reached (+, -, 0, the wheel) through the
 * window's announcer: focus stays on the button pressed, and a dialog's name changing is not read
 * out while focus is inside it. Each is said once the steps have rested this long, and only the
 * last: a run of quick steps, or a wheel turned, would otherwise be read out photo by photo.
 * Opening the viewer says nothing of its own: focus moving into the dialog names the photo.
 */
export const STEPS_RESTED_MS = 600;

/** Runs the last thing asked of it once asks have rested `ms` (Note [A step said once it rests]). */
export class Rest {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ms = STEPS_RESTED_MS) {}

  /** Runs `then` once no other ask has come for `ms`, instead of what was asked before. */
  ask(then: () => void): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      then();
    }, this.ms);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
