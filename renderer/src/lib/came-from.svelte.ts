/**
 * Note [Back where you were]: "← Tags" (or Back) from a tag's page shows the list again, and
 * moving to a page puts focus on its title (App.svelte): a keyboard or screen-reader user would
 * start again at the top of a hundred cards. So the card of the tag or album just left is marked
 * (`data-arrival`) and takes the focus instead, in view, as the list shows.
 */
import { untrack } from 'svelte';

/** The item whose page was left for the list (`open` goes from it to null); null otherwise. */
export class CameFrom {
  left = $state<string | null>(null);
  private last: string | null = null;

  constructor(open: () => string | null) {
    $effect.pre(() => {
      const now = open();
      untrack(() => {
        this.left = now === null ? this.last : null;
        this.last = now;
      });
    });
  }
}

/**
 * Marks the node where focus arrives (`data-arrival`, which App.svelte looks for) while `arrival`
 * holds, and focuses it, unless the person has moved on (focus on something other than the page
 * or its title).
 */
export function arriveHere(node: HTMLElement, arrival: boolean): { update(next: boolean): void } {
  const arrive = (now: boolean) => {
    node.toggleAttribute('data-arrival', now);
    const active = document.activeElement;
    if (now && (!active || active === document.body || active.matches('main h1'))) node.focus();
  };
  arrive(arrival);
  return { update: arrive };
}
