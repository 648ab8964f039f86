import type { Timeline } from './api.js';

/**
 * Note [Verdicts keep the page's order]: the engine lists a tag's confirmed photos first, so a
 * photo confirmed in the viewer over the tag's page (or from its selection) would jump to the
 * top, taking the viewer's Next, and the grid's focus once it closes, back there. After a verdict the
 * photos still there keep their places; one that joins (a rejection withdrawn) goes before the
 * photo that follows it in the engine's order, which is where it was. The next visit, or
 * tagging run, shows the engine's order.
 */
export function inPlace(before: Timeline, after: Timeline): Timeline {
  const at = new Map(after.ids.map((id, i) => [id, i]));
  const had = new Set(before.ids);
  /** Each photo still there, with the photos joining just before it. */
  const groups: Array<[number, number[]]> = [];
  let joining: number[] = [];
  for (const id of after.ids) {
    if (!had.has(id)) joining.push(id);
    else {
      groups.push([id, joining]);
      joining = [];
    }
  }
  const joiningBefore = new Map(groups);
  const ids = [...before.ids.filter((id) => at.has(id)).flatMap((id) => [...(joiningBefore.get(id) ?? []), id]), ...joining];
  const pick = <T>(values: T[]): T[] => ids.map((id) => values[at.get(id) as number] as T);
  return { ids, ratios: pick(after.ratios), takenAt: pick(after.takenAt), names: pick(after.names), folderIds: pick(after.folderIds), versions: pick(after.versions) };
}
