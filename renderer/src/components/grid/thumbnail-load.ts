/**
 * Cancels an image's load when its element leaves the page (Note [Thumbnails scrolled past] in
 * PhotoGrid.svelte). Chromium goes on loading an image taken out of the page; one whose `src` is
 * removed gives up its request, queued or on its way, and fires no `error` (setting `src` to ''
 * would fire one, and the photo would be taken for one that has no preview).
 */
export function cancelLoadOnRemove(image: HTMLImageElement): { destroy(): void } {
  return { destroy: () => image.removeAttribute('src') };
}
