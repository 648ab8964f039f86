/** A tag vocabulary of the fixture model's shapes, in the templates its captions use. */
import type { Vocabulary } from '../../main/tags/vocabulary.js';
import { SHAPES } from '../helpers/fixtures.js';

export const SHAPE_TEMPLATES = ['a photo of a {}.', 'a picture of a {}.', 'an image of a {}.', 'a {}.'];

export function shapesVocabulary(): Vocabulary {
  return { templates: [...SHAPE_TEMPLATES], tags: SHAPES.map((shape) => ({ name: shape, prompts: [shape] })) };
}
