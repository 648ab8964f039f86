/**
 * Tags as keywords in XMP sidecar files, where digiKam and darktable read them: `dc:subject`
 * (flat keywords) and `lr:hierarchicalSubject` (`Lumen|dog`), and digiKam's own `digiKam:TagsList`
 * (`Lumen/dog`) where a sidecar has one (Note [digiKam's tag list]). Lightroom reads a sidecar only
 * for a raw file; of a JPEG, PNG or TIFF it reads only the metadata inside the file, which Lumen
 * never writes.
 *
 * Note [Sidecar merge]: the original photo is never opened for writing. A sidecar that exists is
 * edited in place as text, not rebuilt: only the items of the keyword lists change, and
 * everything else (ratings, labels, edit history, other namespaces, formatting) stays byte for
 * byte. Keywords Lumen wrote are recognisable by their `Lumen|` (or `Lumen/`) hierarchical entry,
 * so a tag the person later rejected, or deleted, is taken out again on the photo's next export,
 * while keywords they typed themselves (including one that was there before Lumen tagged the same
 * thing) are never removed (Note [Shared flat keywords]). A file that does not look like XMP is
 * left alone and reported, never overwritten.
 * Writes go to a temporary file that is renamed over the sidecar, so a crash leaves the old one
 * (Note [Replacing a sidecar]).
 *
 * Note [Only well-formed sidecars]: a tag holding a character XML 1.0 cannot hold at all (NUL and
 * other controls, lone surrogates, U+FFFE) would make the sidecar unreadable, the person's own
 * included; escaping cannot help, as not even `&#0;` is allowed. Such a tag is refused before
 * anything is built, and every sidecar is read back from its temporary file and checked to be
 * well-formed XML (xml-check.ts) before it replaces the old one; one that is not (a merge into
 * a sidecar some other program damaged) leaves the old file as it was, and is reported.
 *
 * Note [Stale temporary files]: a process killed between writing a temporary file and renaming
 * it leaves `<sidecar>.<8 hex digits>.tmp` behind. The first write into a folder in each process
 * removes such files there (except this process's own, still being written), so the next export
 * cleans up after a killed one without any caller's help, at one listing per folder.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { escapeRegExp } from '../core/escape-regexp.js';
import { codeOf, isDiskFull } from '../core/errors.js';
import { whyUnreadable } from '../core/photo-file.js';
import { forbiddenCharacter, wellFormedError } from './xml-check.js';
import { xmlText, type Span, type XmlText } from './xml-markup.js';

export type SidecarStyle = 'jpg.xmp' | 'xmp';
export const SIDECAR_STYLES: readonly SidecarStyle[] = ['jpg.xmp', 'xmp'];

/** Parent of Lumen's keywords in lr:hierarchicalSubject; also how Lumen knows its own keywords. */
export const HIERARCHY_ROOT = 'Lumen';

const NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  lr: 'http://ns.adobe.com/lightroom/1.0/',
  digiKam: 'http://www.digikam.org/ns/1.0/',
} as const;

/** A hierarchical keyword list: Lumen's entries in it are `Lumen<separator>tag`. */
interface KeywordTree {
  uri: string;
  /** The prefix a new list is declared with, when the document binds none to `uri`. */
  prefix: string;
  local: string;
  separator: string;
  /** Whether a sidecar without the list gets one (Note [digiKam's tag list]). */
  createdWhenMissing: boolean;
}

/**
 * Note [digiKam's tag list]: digiKam keeps its tags in `digiKam:TagsList` (an rdf:Seq of paths
 * such as `Places/Lisbon`) and, where a sidecar has that list, reads it before the other keyword
 * lists; so Lumen's tags go there too (`Lumen/dog`) and leave it by the same rules as
 * `lr:hierarchicalSubject`. A sidecar without one does not get one: the apps that read the other
 * lists read those already, and digiKam falls back to them too.
 * A tag named `sky/sea` is written as `Lumen/sky/sea`, which digiKam shows as `sea` under
 * `Lumen/sky`. digiKam has no escape for `/` and turns the Lightroom list's `|` into `/` too, so
 * it would show the tag so from there as well; left out of this list, the tag would only be
 * missing in digiKam, which reads this list alone where it has entries.
 */
const LIGHTROOM_TREE: KeywordTree = { uri: NS.lr, prefix: 'lr', local: 'hierarchicalSubject', separator: '|', createdWhenMissing: true };
const DIGIKAM_TREE: KeywordTree = { uri: NS.digiKam, prefix: 'digiKam', local: 'TagsList', separator: '/', createdWhenMissing: false };
const KEYWORD_TREES: readonly KeywordTree[] = [LIGHTROOM_TREE, DIGIKAM_TREE];

/**
 * `photo.jpg.xmp` (darktable, digiKam) or `photo.xmp` (digiKam reads it too; Lightroom writes it
 * for a raw file, so it may be a raw file's: Note [Whose sidecar] in xmp-export.ts).
 */
export function sidecarPath(photo: string, style: SidecarStyle): string {
  if (style === 'jpg.xmp') return `${photo}.xmp`;
  const parsed = path.parse(photo);
  return path.join(parsed.dir, `${parsed.name}.xmp`);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The character a reference names; a reference beyond Unicode stays as written (the well-formedness check refuses it). */
function character(reference: string, code: number): string {
  return code <= 0x10ffff ? String.fromCodePoint(code) : reference;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (reference, hex: string) => character(reference, Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (reference, dec: string) => character(reference, Number(dec)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * A sidecar's text exactly as stored: bytes that are not UTF-8 (a sidecar some older program wrote
 * in Latin-1) throw rather than turn into U+FFFD, which a merge would write back (Note [Sidecar
 * merge]); a byte order mark stays.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Lumen's entry for `tag` in a keyword tree. */
const treeEntry = (tree: KeywordTree, tag: string) => `${HIERARCHY_ROOT}${tree.separator}${tag}`;

/** The tag of Lumen's entry `text` of `tree`, lower-cased, or null for an entry of the person's or another app's. */
function lumenTagOf(tree: KeywordTree, text: string): string | null {
  const own = treeEntry(tree, '').toLowerCase();
  return text.toLowerCase().startsWith(own) ? text.slice(own.length).toLowerCase() : null;
}

/** A fresh sidecar holding `tags`. */
export function buildSidecar(tags: readonly string[]): string {
  const bag = (items: string[], indent: string) => [`${indent}<rdf:Bag>`, ...items.map((item) => `${indent} <rdf:li>${escapeXml(item)}</rdf:li>`), `${indent}</rdf:Bag>`];
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    `<x:xmpmeta xmlns:x="${NS.x}" x:xmptk="Lumen">`,
    ` <rdf:RDF xmlns:rdf="${NS.rdf}">`,
    `  <rdf:Description rdf:about=""`,
    `    xmlns:dc="${NS.dc}"`,
    `    xmlns:lr="${NS.lr}">`,
    '   <dc:subject>',
    ...bag([...tags], '    '),
    '   </dc:subject>',
    '   <lr:hierarchicalSubject>',
    ...bag(tags.map((tag) => treeEntry(LIGHTROOM_TREE, tag)), '    '),
    '   </lr:hierarchicalSubject>',
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
    '',
  ].join('\n');
}

/** The prefix a document (its `markup`: Note [Searching past comments]) binds to namespace `uri`, if any. */
function prefixOf(markup: string, uri: string): string | undefined {
  const match = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${escapeRegExp(uri)}["']`).exec(markup);
  return match?.[1];
}

/** An RDF container: a keyword list is a Bag, digiKam's a Seq (Note [digiKam's tag list]). */
type Container = 'Bag' | 'Seq' | 'Alt';

interface BagEdit {
  /** Where the property element is, or null when the document has none. */
  span: { start: number; end: number } | null;
  /** The container it holds, kept when it is written again. */
  container: Container;
  /** Each item element, verbatim, with its text. */
  items: Array<{ raw: string; text: string }>;
}

const NO_BAG: BagEdit = { span: null, container: 'Bag', items: [] };

/** The text of an item kept verbatim but never matched: no keyword is NUL (Note [Only well-formed sidecars]). */
const VERBATIM = '\u0000';

/**
 * Finds `<prefix:local>` and the rdf:li items of its container. A comment (or CDATA section,
 * processing instruction) among them is kept as an item too, verbatim, so that writing the list
 * again neither drops it nor turns an item commented out into a keyword (Note [Searching past
 * comments] in xml-markup.ts).
 */
function findBag(doc: XmlText, prefix: string, local: string, rdf: string): BagEdit | 'unreadable' {
  const name = `${escapeRegExp(prefix)}:${local}`;
  const element = new RegExp(`<${name}(\\s[^>]*)?(/>|>([\\s\\S]*?)</${name}\\s*>)`, 'd').exec(doc.markup);
  if (!element) return NO_BAG;
  const [bodyStart, bodyEnd] = element.indices?.[3] ?? [0, 0];
  const body = doc.markup.slice(bodyStart, bodyEnd);
  const li = new RegExp(`<${escapeRegExp(rdf)}:li(\\s[^>]*)?(/>|>([\\s\\S]*?)</${escapeRegExp(rdf)}:li\\s*>)`, 'gd');
  const found: Array<Span & { text: string }> = [];
  for (const match of body.matchAll(li)) {
    const [textStart, textEnd] = match.indices?.[3] ?? [0, 0];
    const text = doc.text.slice(bodyStart + textStart, bodyStart + textEnd);
    // An item with markup inside (a qualified value, a comment) is kept verbatim but never matched.
    found.push({ start: bodyStart + match.index, end: bodyStart + match.index + match[0].length, text: text.includes('<') ? VERBATIM : unescapeXml(text).trim() });
  }
  const container = new RegExp(`<${escapeRegExp(rdf)}:(Bag|Seq|Alt)\\b`).exec(body)?.[1] as Container | undefined;
  if (found.length === 0 && body.trim() && !container) return 'unreadable';
  const inItem = (span: Span) => found.some((item) => item.start <= span.start && span.end <= item.end);
  const asides = doc.opaque.filter((span) => bodyStart <= span.start && span.end <= bodyEnd && !inItem(span)).map((span) => ({ ...span, text: VERBATIM }));
  const items = [...found, ...asides].sort((a, b) => a.start - b.start).map((item) => ({ raw: doc.text.slice(item.start, item.end), text: item.text }));
  return { span: { start: element.index, end: element.index + element[0].length }, container: container ?? 'Bag', items };
}

function renderProperty(prefix: string, local: string, rdf: string, container: Container, items: readonly string[], indent: string): string {
  const inner = `${indent} `;
  return [
    `<${prefix}:${local}>`,
    `${inner}<${rdf}:${container}>`,
    ...items.map((item) => `${inner} ${item}`),
    `${inner}</${rdf}:${container}>`,
    `${indent}</${prefix}:${local}>`,
  ].join('\n');
}

/** The start tag of an rdf:Description, where it is. */
interface Description {
  index: number;
  tag: string;
  selfClosing: boolean;
}

/**
 * The rdf:Description elements that are children of rdf:RDF, the photo's own properties.
 *
 * Note [Top-level Descriptions]: a struct in an array is an rdf:Description too, nested in a
 * property (a face region in `mwg-rs:RegionList`, a Lightroom mask). A keyword bag put there
 * would be a field of the person's face region, which no app reads as the photo's keywords, and
 * which another app rewriting the region may drop; so a missing bag goes only into a top-level
 * Description, one that no other Description encloses.
 */
function topLevelDescriptions(markup: string, rdf: string): Description[] {
  const startOrEnd = new RegExp(`<(/?)${escapeRegExp(rdf)}:Description\\b[^>]*?(/?)>`, 'g');
  const found: Description[] = [];
  let depth = 0;
  for (const match of markup.matchAll(startOrEnd)) {
    const [tag, end, selfClosing] = match;
    if (end) depth--;
    else {
      if (depth === 0) found.push({ index: match.index, tag, selfClosing: selfClosing === '/' });
      if (!selfClosing) depth++;
    }
  }
  return found;
}

export type MergeResult = { xml: string; changed: boolean } | { error: string };

/** A keyword list of the document as it is, and its items after the merge. */
interface ListMerge {
  prefix: string;
  uri: string;
  local: string;
  found: BagEdit;
  items: string[];
}

/**
 * Note [Shared flat keywords]: Lightroom and digiKam put each level of a hierarchical keyword
 * (`Animals|cat`) into dc:subject too (`Animals`, `cat`), where it is one entry with Lumen's `cat`.
 * So when Lumen takes its `cat` out (a tag rejected or deleted), it takes out its own `Lumen|cat`
 * and `Lumen/cat` entries, but the flat `cat` only when no other app's hierarchical entry holds
 * that word: otherwise the flat keyword is that app's as well, and stays.
 */
function wordsOfOthers(trees: ReadonlyArray<{ tree: KeywordTree; found: BagEdit }>): Set<string> {
  const words = new Set<string>();
  for (const { tree, found } of trees) {
    for (const item of found.items) {
      if (lumenTagOf(tree, item.text) === null) for (const word of item.text.toLowerCase().split(tree.separator)) words.add(word.trim());
    }
  }
  return words;
}

/**
 * Puts `tags` into an existing sidecar's keyword lists and takes out Lumen's keywords that are not
 * in `tags` any more (Note [Sidecar merge]).
 */
export function mergeSidecar(xml: string, tags: readonly string[]): MergeResult {
  // Every search reads `markup`, every edit is made in `xml` (Note [Searching past comments] in xml-markup.ts).
  const doc = xmlText(xml);
  const { markup } = doc;
  const rdf = prefixOf(markup, NS.rdf);
  if (!rdf) return { error: 'it has no RDF data, so it is not an XMP sidecar' };
  const descriptions = topLevelDescriptions(markup, rdf);
  if (descriptions.length === 0) return { error: 'it has no rdf:Description element' };

  /** The list `local` of namespace `uri`, with the prefix it has, or why it cannot be edited. */
  const find = (uri: string, local: string): { prefix: string | undefined; found: BagEdit } | { error: string } => {
    const prefix = prefixOf(markup, uri);
    // Written as an attribute (`dc:subject="x"`), a list no app writes so: an element beside it would say it twice.
    if (prefix && new RegExp(`<${escapeRegExp(rdf)}:Description\\b[^>]*\\s${escapeRegExp(prefix)}:${local}\\s*=`).test(markup)) {
      return { error: `its keyword list ${prefix}:${local} is an attribute, not an rdf:Bag or rdf:Seq` };
    }
    const found = prefix ? findBag(doc, prefix, local, rdf) : NO_BAG;
    return found === 'unreadable' ? { error: `its keyword list ${prefix}:${local} holds no rdf:Bag or rdf:Seq` } : { prefix, found };
  };
  const subject = find(NS.dc, 'subject');
  if ('error' in subject) return subject;
  const subjectFound = subject.found;
  const treesFound: Array<{ tree: KeywordTree; prefix: string | undefined; found: BagEdit }> = [];
  for (const tree of KEYWORD_TREES) {
    const list = find(tree.uri, tree.local);
    if ('error' in list) return list;
    treesFound.push({ tree, ...list });
  }

  const wanted = new Set(tags.map((tag) => tag.toLowerCase()));
  // Lumen's earlier keywords: the leaves of its `Lumen|...` (or `Lumen/...`) entries.
  const ours = new Set(treesFound.flatMap(({ tree, found }) => found.items.map((item) => lumenTagOf(tree, item.text)).filter((tag) => tag !== null)));
  const stale = (tag: string) => ours.has(tag) && !wanted.has(tag);
  // A stale flat keyword stays when another app's hierarchical keyword holds it (Note [Shared flat keywords]).
  const othersWords = wordsOfOthers(treesFound);
  const flatTakenOut = (word: string) => stale(word) && !othersWords.has(word);

  const keptSubjects = subjectFound.items.filter((item) => !flatTakenOut(item.text.toLowerCase()));
  const presentSubjects = new Set(keptSubjects.map((item) => item.text.toLowerCase()));
  const addSubjects = tags.filter((tag) => !presentSubjects.has(tag.toLowerCase()));
  // A keyword the person already had stays theirs: no `Lumen|` entry, so Lumen never removes it.
  const theirs = new Set(subjectFound.items.map((item) => item.text.toLowerCase()).filter((text) => !ours.has(text)));
  const li = (text: string) => `<${rdf}:li>${escapeXml(text)}</${rdf}:li>`;

  let changed = addSubjects.length > 0 || keptSubjects.length !== subjectFound.items.length;
  // A prefix the document never binds gets declared: the tree's own unless it means something else.
  const newPrefix = (preferred: string) => (new RegExp(`xmlns:${preferred}\\s*=`).test(markup) ? `lumen${preferred}` : preferred);
  const lists: ListMerge[] = [
    { prefix: subject.prefix ?? newPrefix('dc'), uri: NS.dc, local: 'subject', found: subjectFound, items: [...keptSubjects.map((item) => item.raw), ...addSubjects.map(li)] },
  ];
  for (const { tree, prefix, found } of treesFound) {
    if (!found.span && !tree.createdWhenMissing) continue;
    const kept = found.items.filter((item) => {
      const tag = lumenTagOf(tree, item.text);
      return tag === null || !stale(tag);
    });
    const present = new Set(kept.map((item) => item.text.toLowerCase()));
    const added = tags
      .filter((tag) => !theirs.has(tag.toLowerCase()))
      .map((tag) => treeEntry(tree, tag))
      .filter((entry) => !present.has(entry.toLowerCase()));
    changed ||= added.length > 0 || kept.length !== found.items.length;
    lists.push({ prefix: prefix ?? newPrefix(tree.prefix), uri: tree.uri, local: tree.local, found, items: [...kept.map((item) => item.raw), ...added.map(li)] });
  }
  if (!changed) return { xml, changed: false };

  // Edits are applied from the end of the document backwards, so earlier offsets stay valid.
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const indentAt = (offset: number) => /[ \t]*$/.exec(xml.slice(xml.lastIndexOf('\n', offset - 1) + 1, offset))?.[0] ?? '   ';
  const missing: Array<{ prefix: string; uri: string; text: string }> = [];
  for (const { prefix, uri, local, found, items } of lists) {
    if (found.span) edits.push({ ...found.span, text: renderProperty(prefix, local, rdf, found.container, items, indentAt(found.span.start)) });
    else missing.push({ prefix, uri, text: renderProperty(prefix, local, rdf, found.container, items, '   ') });
  }
  if (missing.length > 0) {
    // Into the top-level Description already holding one of the lists, else the first one (Note [Top-level Descriptions]).
    const holder = lists.map((list) => list.found.span).find((span) => span !== null);
    const target = [...descriptions].reverse().find((description) => holder && description.index < holder.start) ?? (descriptions[0] as Description);
    const openEnd = target.index + target.tag.length;
    const openTag = target.selfClosing ? target.tag.slice(0, -2).trimEnd() : target.tag.slice(0, -1);
    // A declaration on another Description is out of scope here; one on rdf:RDF or above is not.
    const inScope = (prefix: string) =>
      new RegExp(`xmlns:${escapeRegExp(prefix)}\\s*=`).test(openTag) ||
      [...markup.matchAll(new RegExp(`<([\\w.-]+:[\\w.-]+)[^>]*\\sxmlns:${escapeRegExp(prefix)}\\s*=`, 'g'))].some((match) => match[1] !== `${rdf}:Description`);
    const declarations = missing.filter((property) => !inScope(property.prefix)).map((property) => `\n    xmlns:${property.prefix}="${property.uri}"`);
    const inserted = missing.map((property) => `\n   ${property.text}`).join('');
    const close = target.selfClosing ? `\n  </${rdf}:Description>` : '';
    edits.push({ start: target.index, end: openEnd, text: `${openTag}${declarations.join('')}>${inserted}${close}` });
  }
  let result = xml;
  for (const edit of edits.sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return { xml: result, changed: true };
}

/** 'without tags': a photo with no tags and no sidecar, which gets none (counted apart from sidecars left as they were). */
export type SidecarOutcome = 'written' | 'unchanged' | 'without tags' | { skipped: string };

/** Codes for a folder Lumen may not create a file in: its permissions (EACCES), or the system's say (EPERM: privacy settings on macOS, a share's rules). */
const NO_PERMISSION = new Set(['EACCES', 'EPERM']);

/** A folder Lumen may not create a file in: every photo of the folder would fail alike, so it stops the export. */
export class FolderNotWritable extends Error {
  constructor(
    readonly folder: string,
    cause: unknown,
  ) {
    super(`no permission to write in ${folder}`, { cause });
  }
}

/** Whether a failed write is the disk's (full, or read-only) or the folder's, not the sidecar's own. */
export function stopsExport(error: unknown): boolean {
  return isDiskFull(error) || codeOf(error) === 'EROFS' || error instanceof FolderNotWritable;
}

const TEMPORARY = /\.xmp\.[0-9a-f]{8}\.tmp$/;
const sweptFolders = new Map<string, Promise<void>>();
const ownTemporaries = new Set<string>();

/** Removes stale temporary sidecars in `dir`, once per process (Note [Stale temporary files]). */
function sweepOnce(dir: string): Promise<void> {
  let sweep = sweptFolders.get(dir);
  if (!sweep) {
    sweep = readdir(dir).then(
      async (names) => {
        for (const name of names.filter((entry) => TEMPORARY.test(entry))) {
          const file = path.join(dir, name);
          if (!ownTemporaries.has(file) && (await lstat(file).catch(() => null))?.isFile()) await rm(file, { force: true }).catch(() => {});
        }
      },
      () => {},
    );
    sweptFolders.set(dir, sweep);
  }
  return sweep;
}

/**
 * Note [Replacing a sidecar]: renaming a new file over a sidecar replaces the file, not only its
 * text. So a sidecar that is a link (into a synced metadata folder, say) is left alone, since it
 * would become a plain file and the file it points to would never get the keywords; so is one
 * nobody may write, which the person made read-only to keep as it is. The new file gets the old
 * one's permissions (a private sidecar stays private; owner and ACLs are not carried over), and
 * is synced to the disk before the rename, so that after a power cut the sidecar is the old one
 * or the new one, never an empty file.
 */
function whyNotReplaced(info: Stats): string | null {
  if (info.isSymbolicLink()) return 'it is a link, which Lumen never replaces; put a copy of the file it points to in its place if Lumen may add keywords to it';
  if ((info.mode & 0o222) === 0) return 'it is read-only; make it writable if Lumen may add keywords to it';
  return null;
}

/** Writes `text` into the new file `temp`, with `mode` when it will replace a sidecar, synced (Note [Replacing a sidecar]). */
async function writeTemporary(temp: string, text: string, mode: number | undefined): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(temp, 'wx');
  } catch (error) {
    throw NO_PERMISSION.has(codeOf(error) ?? '') ? new FolderNotWritable(path.dirname(temp), error) : error;
  }
  try {
    await handle.writeFile(text);
    // The mode `open` gives is cut by the umask: the old sidecar's is set as it was.
    if (mode !== undefined) await handle.chmod(mode & 0o777);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `tags` into the sidecar at `file`: a new one when none exists (nothing when there are no
 * tags), else merged (Note [Sidecar merge]), never one that is not well-formed XML (Note [Only
 * well-formed sidecars]), never through a link or over a read-only file (Note [Replacing a sidecar]).
 */
export async function writeSidecar(file: string, tags: readonly string[]): Promise<SidecarOutcome> {
  await sweepOnce(path.dirname(file));
  for (const tag of tags) {
    const character = forbiddenCharacter(tag);
    if (character) return { skipped: `the tag ${JSON.stringify(tag)} holds a character (${character}) an XMP sidecar cannot hold; rename the tag` };
  }
  // What is there, a link too (one pointing nowhere reads as no sidecar), and its text.
  let found: Stats | null = null;
  let existing: string | null = null;
  try {
    found = await lstat(file);
    existing = UTF8.decode(await readFile(file));
  } catch (error) {
    if (error instanceof TypeError) return { skipped: `${file} was left alone: it is not UTF-8 text, and rewriting it would change characters it holds` };
    if (codeOf(error) !== 'ENOENT') return { skipped: `cannot read ${file}: ${whyUnreadable(file, error)}` };
  }
  let text: string;
  if (existing === null) {
    if (tags.length === 0) return 'without tags';
    text = buildSidecar(tags);
  } else {
    const merged = mergeSidecar(existing, tags);
    if ('error' in merged) return { skipped: `${file} was left alone: ${merged.error}` };
    if (!merged.changed) return 'unchanged';
    text = merged.xml;
  }
  // Only a sidecar that would change is reported: one already holding the tags is fine as it is.
  const refusal = found && whyNotReplaced(found);
  if (refusal) return { skipped: `${file} was left alone: ${refusal}` };
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  ownTemporaries.add(temp);
  try {
    await writeTemporary(temp, text, found?.mode);
    const problem = wellFormedError(await readFile(temp, 'utf8'));
    if (problem) {
      await rm(temp, { force: true });
      return { skipped: `${file} was left alone: with the tags written in, it would not be well-formed XML (${problem})` };
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    // A disk that is full or read-only, or a folder Lumen may not write in, is not this photo's
    // defect: it stops the export (Note [Disks stop an export] in xmp-export.ts).
    if (stopsExport(error)) throw error;
    return { skipped: `cannot write ${file}: ${whyUnreadable(file, error)}` };
  } finally {
    ownTemporaries.delete(temp);
  }
  return 'written';
}
