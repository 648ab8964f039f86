import { describe, expect, it } from 'vitest';
import { cameraName } from '../../main/core/camera.js';

describe('a camera’s name', () => {
  it('says the maker once: the model alone where it repeats the maker’s name, the make first where it does not', () => {
    expect(cameraName('Canon', 'Canon EOS 400D DIGITAL')).toBe('Canon EOS 400D DIGITAL');
    expect(cameraName('NIKON CORPORATION', 'NIKON D750')).toBe('NIKON D750');
    expect(cameraName('Apple', 'iPhone 12')).toBe('Apple iPhone 12');
    expect(cameraName(' FUJIFILM ', 'X-T3')).toBe('FUJIFILM X-T3');
    expect(cameraName(null, 'X-T3')).toBe('X-T3');
    expect(cameraName('Sony', null)).toBe('Sony');
    expect(cameraName(null, null)).toBeNull();
    expect(cameraName('', '  ')).toBeNull();
  });
});
