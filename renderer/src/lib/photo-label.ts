/**
 * A photo as a list of photos names it to a screen reader: its file name first (tests and screen
 * readers find a photo by the start of its name), then the day it was taken, which tells apart
 * the many photos of one name ("screenshot.jpg", "IMG_0001.JPG"). The grid's tiles and the
 * viewer's strip of similar photos use it, so a photo is named alike wherever it is listed.
 */
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function photoLabel(name: string | undefined, takenAt: number | undefined): string {
  return `${name ?? 'Photo'}${takenAt === undefined ? '' : `, ${dateFormat.format(new Date(takenAt))}`}`;
}
