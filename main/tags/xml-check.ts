/**
 * A strict check that a document is well-formed XML 1.0 with well-formed namespaces, the way an
 * XMP reader will parse it. It builds nothing: it only says what is wrong, or null.
 *
 * Note [Own XML check]: every sidecar is checked before it replaces the old one (see xmp.ts).
 * No XML parser is a dependency of the app (sax and @xmldom are in node_modules only as build
 * tools' dependencies, so a packaged app would not have them), and a check is much smaller than a
 * parser. What XMP never holds is refused rather than supported: a DOCTYPE (and with it any
 * entity besides the five predefined ones).
 */

/** XML 1.0 `Char`: tab, newline, return, and everything from space up, less surrogates, U+FFFE and U+FFFF. */
const NOT_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME = `[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*`;
const PREDEFINED = new Set(['lt', 'gt', 'amp', 'apos', 'quot']);

/** Where a problem is, for the message: line and column. */
function at(xml: string, offset: number): string {
  const before = xml.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** The first character XML 1.0 does not allow, as `U+XXXX`, or null. */
export function forbiddenCharacter(text: string): string | null {
  const match = NOT_CHAR.exec(text);
  return match ? `U+${(match[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** Checks the references (`&...;`) in character data or an attribute value. */
function referenceError(text: string): string | null {
  for (const match of text.matchAll(/&([^;&<]*)(;?)/g)) {
    const [whole, body = '', semicolon] = match;
    if (!semicolon) return `a bare "&" (write &amp;)`;
    if (PREDEFINED.has(body)) continue;
    const code = /^#x([0-9a-fA-F]+)$/.exec(body)?.[1] ?? /^#([0-9]+)$/.exec(body)?.[1];
    if (code !== undefined) {
      const value = Number.parseInt(code, body.startsWith('#x') ? 16 : 10);
      if (value <= 0x10ffff && forbiddenCharacter(String.fromCodePoint(value)) === null) continue;
      return `${whole} refers to a character XML does not allow`;
    }
    return `${whole} is not a defined entity`;
  }
  return null;
}

interface Open {
  name: string;
  /** Prefixes this element declares, to its children. */
  scope: Map<string, string>;
}

// Sticky: each matches exactly at `lastIndex`, so the document is never copied piece by piece.
/* eslint-disable no-misleading-character-class -- XML's Name ranges hold combining marks on purpose */
const TAG = new RegExp(`<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`, 'uy');
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'gu');
const END_TAG = new RegExp(`</(${NAME})\\s*>`, 'uy');
const PI_TARGET = new RegExp(`<\\?(${NAME})(?:\\s|\\?>)`, 'uy');
/* eslint-enable no-misleading-character-class */

function stickyAt(pattern: RegExp, xml: string, offset: number): RegExpExecArray | null {
  pattern.lastIndex = offset;
  return pattern.exec(xml);
}

function prefixError(name: string, scope: Map<string, string>, isAttribute: boolean): string | null {
  const parts = name.split(':');
  if (parts.length > 2 || parts.some((part) => part === '')) return `the name "${name}" has more than one ":" or an empty part`;
  if (parts.length === 1 || (isAttribute && parts[0] === 'xmlns')) return null;
  const prefix = parts[0] as string;
  return prefix === 'xml' || scope.has(prefix) ? null : `the prefix "${prefix}" of ${name} is not declared`;
}

/** A start tag's problem, or its name, whether it closes itself, its length and its scope. */
function startTag(xml: string, offset: number, parent: Map<string, string>): string | { name: string; empty: boolean; length: number; scope: Map<string, string> } {
  const match = stickyAt(TAG, xml, offset);
  if (!match) return 'a start tag that is not well-formed';
  const [whole, name = '', attributes = '', empty] = match;
  const scope = new Map(parent);
  const seen = new Set<string>();
  const values: Array<[string, string]> = [];
  for (const attribute of attributes.matchAll(ATTRIBUTE)) {
    const key = attribute[1] as string;
    const value = attribute[2] ?? attribute[3] ?? '';
    if (seen.has(key)) return `the attribute ${key} appears twice in <${name}>`;
    seen.add(key);
    if (value.includes('<')) return `a "<" in the value of ${key}`;
    const reference = referenceError(value);
    if (reference) return reference;
    if (key.startsWith('xmlns:')) {
      if (value === '') return `${key} declares an empty namespace`;
      scope.set(key.slice('xmlns:'.length), value);
    }
    values.push([key, value]);
  }
  const problem = prefixError(name, scope, false) ?? values.map(([key]) => prefixError(key, scope, true)).find((error) => error !== null);
  if (problem) return problem;
  return { name, empty: empty === '/', length: whole.length, scope };
}

/** Null when `xml` is a well-formed XML 1.0 document with well-formed namespaces, else what is wrong and where. */
export function wellFormedError(xml: string): string | null {
  const character = forbiddenCharacter(xml);
  if (character) return `the character ${character} at ${at(xml, xml.search(NOT_CHAR))} is not allowed in XML`;
  const start = xml.startsWith('\uFEFF') ? 1 : 0;
  const stack: Open[] = [];
  let roots = 0;
  let offset = start;
  const from = (token: string) => xml.startsWith(token, offset);
  while (offset < xml.length) {
    const fail = (what: string) => `${what} at ${at(xml, offset)}`;
    if (!from('<')) {
      const next = xml.indexOf('<', offset);
      const text = xml.slice(offset, next < 0 ? xml.length : next);
      if (stack.length === 0 && text.trim() !== '') return fail(roots > 0 ? 'text after the root element' : 'text outside the root element');
      if (text.includes(']]>')) return fail('"]]>" in text');
      const reference = referenceError(text);
      if (reference) return fail(reference);
      offset += text.length;
    } else if (from('<!--')) {
      const end = xml.indexOf('-->', offset + 4);
      if (end < 0) return fail('a comment that is not closed');
      const body = xml.slice(offset + 4, end);
      if (body.includes('--') || body.endsWith('-')) return fail('"--" inside a comment');
      offset = end + 3;
    } else if (from('<?')) {
      const end = xml.indexOf('?>', offset + 2);
      const target = stickyAt(PI_TARGET, xml, offset)?.[1];
      if (end < 0 || !target) return fail('a processing instruction that is not well-formed');
      if (target.toLowerCase() === 'xml' && offset !== start) return fail('an XML declaration that is not at the very start');
      offset = end + 2;
    } else if (from('<![CDATA[')) {
      const end = xml.indexOf(']]>', offset);
      if (stack.length === 0) return fail('a CDATA section outside the root element');
      if (end < 0) return fail('a CDATA section that is not closed');
      offset = end + 3;
    } else if (from('<!')) {
      return fail(from('<!DOCTYPE') ? 'a DOCTYPE, which XMP never has' : 'markup that is not well-formed');
    } else if (from('</')) {
      const match = stickyAt(END_TAG, xml, offset);
      const open = stack.pop();
      if (!match) return fail('an end tag that is not well-formed');
      const name = match[1] as string;
      if (!open || open.name !== name) return fail(open ? `</${name}> where </${open.name}> was expected (closing <${open.name}>)` : `</${name}> without a start tag`);
      offset += match[0].length;
    } else {
      const tag = startTag(xml, offset, stack.at(-1)?.scope ?? new Map<string, string>());
      if (typeof tag === 'string') return fail(tag);
      if (stack.length === 0 && roots++ > 0) return fail(`a second root element <${tag.name}>`);
      if (!tag.empty) stack.push({ name: tag.name, scope: tag.scope });
      offset += tag.length;
    }
  }
  if (stack.length > 0) return `<${(stack.at(-1) as Open).name}> is not closed before the end`;
  return roots === 0 ? 'there is no root element' : null;
}
