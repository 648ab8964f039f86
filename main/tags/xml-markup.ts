/**
 * Note [Searching past comments]: the sidecar merge (xmp.ts) finds elements with regular
 * expressions, which would also find them inside a comment, a CDATA section or a processing
 * instruction, where they are only text: Lumen would then put its keywords into a person's
 * comment, which no XMP reader sees, and never notice. So every search runs over a copy of the
 * document in which those spans are spaces of the same length: an offset found there is the same
 * offset in the document, and the edits are made in the document, so the spans stay byte for byte.
 * Outside them, `<` only ever starts markup in well-formed XML, so finding where they start needs
 * no parser (a DOCTYPE could hold more, but the well-formedness check refuses one).
 */

/** Where a piece of the document is: `start` up to, not including, `end`. */
export interface Span {
  start: number;
  end: number;
}

/** A document as stored, and what its searches read (Note [Searching past comments]). */
export interface XmlText {
  text: string;
  /** `text` with every span of `opaque` blanked to spaces. */
  markup: string;
  /** Comments, CDATA sections and processing instructions, in document order. */
  opaque: readonly Span[];
}

const OPENING = /<!--|<!\[CDATA\[|<\?/g;
const CLOSING: Readonly<Record<string, string>> = { '<!--': '-->', '<![CDATA[': ']]>', '<?': '?>' };

/** `text`, with its comments, CDATA sections and processing instructions found; one left open runs to the end. */
export function xmlText(text: string): XmlText {
  const opaque: Span[] = [];
  let markup = '';
  let from = 0;
  const opening = new RegExp(OPENING);
  for (let match = opening.exec(text); match; match = opening.exec(text)) {
    const closing = CLOSING[match[0]] as string;
    const closed = text.indexOf(closing, match.index + match[0].length);
    const end = closed === -1 ? text.length : closed + closing.length;
    opaque.push({ start: match.index, end });
    markup += text.slice(from, match.index) + ' '.repeat(end - match.index);
    from = opening.lastIndex = end;
  }
  return { text, markup: markup + text.slice(from), opaque };
}
