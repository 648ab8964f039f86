/**
 * Cancels an image's load when its element leaves the page (Note [Thumbnails scrolled past] in
 * PhotoGrid.svelte). Chromium goes on loading an image taken out of the page; one whose `src` is
 * removed gives up its request, queued or on its way, and fires no `error` (setting `src` to ''
 * would fire one, and the photo would be taken for one that has no preview).
 *
 * Note [Images let go]: the element has left the page when this runs, and Chromium keeps an image
 * whose `src` is removed after that (with its tile and listeners) for as long as the page lives:
 * scrolling through 19,000 photos kept 200,000 nodes. Moved into a document of its own first, the
 * image is let go.
 */
export function cancelLoadOnRemove(image: HTMLImageElement): { destroy(): void } {
  return {
    destroy: () => {
      document.implementation.createHTMLDocument('').adoptNode(image);
      image.removeAttribute('src');
    },
  };
}
