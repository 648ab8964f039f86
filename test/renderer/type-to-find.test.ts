/** Type to find in a list (renderer/src/lib/type-to-find.ts), on its own: the keys typed and when, to the item they name. */
import { describe, expect, it } from 'vitest';
import { TypeToFind } from '../../renderer/src/lib/type-to-find.js';

const NAMES = ['beach', 'Birthday', 'bird', 'cat', 'Beagle', 'dog'];

describe('type to find', () => {
  it('moves to the next item a letter begins, in any case, around the end of the list', () => {
    const find = new TypeToFind();
    expect(find.next('c', NAMES, 0, 0)).toBe(3);
    expect(find.next('B', NAMES, 3, 1000)).toBe(4);
    expect(find.next('b', NAMES, 4, 2000)).toBe(0);
  });

  it('steps through the items a letter begins as it is typed again and again', () => {
    const find = new TypeToFind();
    expect([find.next('b', NAMES, 0, 0), find.next('b', NAMES, 1, 100), find.next('b', NAMES, 2, 200), find.next('b', NAMES, 4, 300)]).toEqual([1, 2, 4, 0]);
  });

  it('reads letters typed in quick succession as one name, staying on an item that still matches', () => {
    const find = new TypeToFind();
    expect(find.next('b', NAMES, 3, 0)).toBe(4);
    expect(find.next('e', NAMES, 4, 100)).toBe(4);
    expect(find.next('a', NAMES, 4, 200)).toBe(4);
    expect(find.next('c', NAMES, 4, 300)).toBe(0);
    // After a pause, the next letter starts a name anew.
    expect(find.next('d', NAMES, 0, 1500)).toBe(5);
  });

  it('finds nothing for keys that are no letter to find by, nor for a name no item begins', () => {
    const find = new TypeToFind();
    expect(find.next('ArrowDown', NAMES, 0, 0)).toBeNull();
    expect(find.next(' ', NAMES, 0, 0)).toBeNull();
    expect(find.next('z', NAMES, 0, 0)).toBeNull();
    expect(find.next('a', [], -1, 5000)).toBeNull();
  });
});
