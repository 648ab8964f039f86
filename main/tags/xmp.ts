/**
 * Tags as keywords in XMP sidecar files, where digiKam and darktable read them: `dc:subject`
 * (flat keywords) and `lr:hierarchicalSubject` (`Lumen|dog`). Lightroom reads a sidecar only for
 * a raw file; of a JPEG, PNG or TIFF it reads only the metadata inside the file, which Lumen
 * never writes.
 *
 * Note [Sidecar merge]: the original photo is never opened for writing. A sidecar that exists is
 * edited in place as text, not rebuilt: only the items of the two keyword bags change, and
 * everything else (ratings, labels, edit history, other namespaces, formatting) stays byte for
 * byte. Keywords Lumen wrote are recognisable by their `Lumen|` hierarchical entry, so a tag the
 * person later rejected is taken out again, while keywords they typed themselves (including one
 * that was there before Lumen tagged the same thing) are never removed. A file that does not look like XMP is left alone and reported, never overwritten.
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
import { codeOf, isDiskFull, messageOf } from '../core/errors.js';
import { forbiddenCharacter, wellFormedError } from './xml-check.js';

export type SidecarStyle = 'jpg.xmp' | 'xmp';
export const SIDECAR_STYLES: readonly SidecarStyle[] = ['jpg.xmp', 'xmp'];

/** Parent of Lumen's keywords in lr:hierarchicalSubject; also how Lumen knows its own keywords. */
export const HIERARCHY_ROOT = 'Lumen';

const NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  lr: 'http://ns.adobe.com/lightroom/1.0/',
} as const;

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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A sidecar's text exactly as stored: bytes that are not UTF-8 (a sidecar some older program wrote
 * in Latin-1) throw rather than turn into U+FFFD, which a merge would write back (Note [Sidecar
 * merge]); a byte order mark stays.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const hierarchical = (tag: string) => `${HIERARCHY_ROOT}|${tag}`;

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
    ...bag(tags.map(hierarchical), '    '),
    '   </lr:hierarchicalSubject>',
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
    '',
  ].join('\n');
}

/** The prefix a document binds to namespace `uri`, if any. */
function prefixOf(xml: string, uri: string): string | undefined {
  const match = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${escapeRegExp(uri)}["']`).exec(xml);
  return match?.[1];
}

interface BagEdit {
  /** Where the property element is, or null when the document has none. */
  span: { start: number; end: number } | null;
  /** Each item element, verbatim, with its text. */
  items: Array<{ raw: string; text: string }>;
}

/** Finds `<prefix:local>` and the rdf:li items of its container. */
function findBag(xml: string, prefix: string, local: string, rdf: string): BagEdit | 'unreadable' {
  const name = `${escapeRegExp(prefix)}:${local}`;
  const element = new RegExp(`<${name}(\\s[^>]*)?(/>|>([\\s\\S]*?)</${name}\\s*>)`).exec(xml);
  if (!element) return { span: null, items: [] };
  const body = element[3] ?? '';
  const li = new RegExp(`<${escapeRegExp(rdf)}:li(\\s[^>]*)?(/>|>([\\s\\S]*?)</${escapeRegExp(rdf)}:li\\s*>)`, 'g');
  const items: BagEdit['items'] = [];
  for (const match of body.matchAll(li)) {
    const text = match[3] ?? '';
    // An item with markup inside (a qualified value) is kept verbatim but never matched.
    items.push({ raw: match[0], text: text.includes('<') ? '\u0000' : unescapeXml(text).trim() });
  }
  if (items.length === 0 && body.trim() && !new RegExp(`<${escapeRegExp(rdf)}:(Bag|Seq|Alt)\\b`).test(body)) return 'unreadable';
  return { span: { start: element.index, end: element.index + element[0].length }, items };
}

function renderProperty(prefix: string, local: string, rdf: string, items: readonly string[], indent: string): string {
  const inner = `${indent} `;
  return [
    `<${prefix}:${local}>`,
    `${inner}<${rdf}:Bag>`,
    ...items.map((item) => `${inner} ${item}`),
    `${inner}</${rdf}:Bag>`,
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
function topLevelDescriptions(xml: string, rdf: string): Description[] {
  const startOrEnd = new RegExp(`<(/?)${escapeRegExp(rdf)}:Description\\b[^>]*?(/?)>`, 'g');
  const found: Description[] = [];
  let depth = 0;
  for (const match of xml.matchAll(startOrEnd)) {
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

/**
 * Puts `tags` into an existing sidecar's keyword bags and takes out Lumen's keywords that are not
 * in `tags` any more (Note [Sidecar merge]).
 */
export function mergeSidecar(xml: string, tags: readonly string[]): MergeResult {
  const rdf = prefixOf(xml, NS.rdf);
  if (!rdf) return { error: 'it has no RDF data, so it is not an XMP sidecar' };
  const descriptions = topLevelDescriptions(xml, rdf);
  if (descriptions.length === 0) return { error: 'it has no rdf:Description element' };

  let dc = prefixOf(xml, NS.dc);
  let lr = prefixOf(xml, NS.lr);
  const subject = dc ? findBag(xml, dc, 'subject', rdf) : { span: null, items: [] };
  const hierarchy = lr ? findBag(xml, lr, 'hierarchicalSubject', rdf) : { span: null, items: [] };
  if (subject === 'unreadable' || hierarchy === 'unreadable') return { error: 'its keyword list is not an rdf:Bag' };

  const wanted = new Set(tags.map((tag) => tag.toLowerCase()));
  const ownPrefix = `${HIERARCHY_ROOT.toLowerCase()}|`;
  // Lumen's earlier keywords: the leaves of its `Lumen|...` entries.
  const ours = new Set(hierarchy.items.filter((item) => item.text.toLowerCase().startsWith(ownPrefix)).map((item) => item.text.slice(ownPrefix.length).toLowerCase()));
  const stale = (tag: string) => ours.has(tag) && !wanted.has(tag);

  const keptSubjects = subject.items.filter((item) => !stale(item.text.toLowerCase()));
  const presentSubjects = new Set(keptSubjects.map((item) => item.text.toLowerCase()));
  const addSubjects = tags.filter((tag) => !presentSubjects.has(tag.toLowerCase()));
  const keptHierarchy = hierarchy.items.filter((item) => {
    const text = item.text.toLowerCase();
    return !(text.startsWith(ownPrefix) && stale(text.slice(ownPrefix.length)));
  });
  const presentHierarchy = new Set(keptHierarchy.map((item) => item.text.toLowerCase()));
  // A keyword the person already had stays theirs: no `Lumen|` entry, so Lumen never removes it.
  const theirs = new Set(subject.items.map((item) => item.text.toLowerCase()).filter((text) => !ours.has(text)));
  const addHierarchy = tags
    .filter((tag) => !theirs.has(tag.toLowerCase()))
    .map(hierarchical)
    .filter((entry) => !presentHierarchy.has(entry.toLowerCase()));
  const changed =
    addSubjects.length > 0 || addHierarchy.length > 0 || keptSubjects.length !== subject.items.length || keptHierarchy.length !== hierarchy.items.length;
  if (!changed) return { xml, changed: false };

  // A prefix the document never binds gets declared; `dc`/`lr` unless those mean something else.
  dc ??= /xmlns:dc\s*=/.test(xml) ? 'lumendc' : 'dc';
  lr ??= /xmlns:lr\s*=/.test(xml) ? 'lumenlr' : 'lr';
  const li = (text: string) => `<${rdf}:li>${escapeXml(text)}</${rdf}:li>`;
  const subjectItems = [...keptSubjects.map((item) => item.raw), ...addSubjects.map(li)];
  const hierarchyItems = [...keptHierarchy.map((item) => item.raw), ...addHierarchy.map(li)];

  // Edits are applied from the end of the document backwards, so earlier offsets stay valid.
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const indentAt = (offset: number) => /[ \t]*$/.exec(xml.slice(xml.lastIndexOf('\n', offset - 1) + 1, offset))?.[0] ?? '   ';
  const missing: Array<{ prefix: string; uri: string; text: string }> = [];
  for (const [edit, prefix, uri, local, items] of [
    [subject, dc, NS.dc, 'subject', subjectItems],
    [hierarchy, lr, NS.lr, 'hierarchicalSubject', hierarchyItems],
  ] as const) {
    if (edit.span) edits.push({ ...edit.span, text: renderProperty(prefix, local, rdf, items, indentAt(edit.span.start)) });
    else missing.push({ prefix, uri, text: renderProperty(prefix, local, rdf, items, '   ') });
  }
  if (missing.length > 0) {
    // Into the top-level Description already holding one of the bags, else the first one (Note [Top-level Descriptions]).
    const holder = [subject.span, hierarchy.span].find((span) => span !== null);
    const target = [...descriptions].reverse().find((description) => holder && description.index < holder.start) ?? (descriptions[0] as Description);
    const openEnd = target.index + target.tag.length;
    const openTag = target.selfClosing ? target.tag.slice(0, -2).trimEnd() : target.tag.slice(0, -1);
    // A declaration on another Description is out of scope here; one on rdf:RDF or above is not.
    const inScope = (prefix: string) =>
      new RegExp(`xmlns:${escapeRegExp(prefix)}\\s*=`).test(openTag) ||
      [...xml.matchAll(new RegExp(`<([\\w.-]+:[\\w.-]+)[^>]*\\sxmlns:${escapeRegExp(prefix)}\\s*=`, 'g'))].some((match) => match[1] !== `${rdf}:Description`);
    const declarations = missing.filter((property) => !inScope(property.prefix)).map((property) => `\n    xmlns:${property.prefix}="${property.uri}"`);
    const inserted = missing.map((property) => `\n   ${property.text}`).join('');
    const close = target.selfClosing ? `\n  </${rdf}:Description>` : '';
    edits.push({ start: target.index, end: openEnd, text: `${openTag}${declarations.join('')}>${inserted}${close}` });
  }
  let result = xml;
  for (const edit of edits.sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return { xml: result, changed: true };
}

export type SidecarOutcome = 'written' | 'unchanged' | { skipped: string };

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
    if (codeOf(error) !== 'ENOENT') return { skipped: `cannot read ${file}: ${messageOf(error)}` };
  }
  let text: string;
  if (existing === null) {
    if (tags.length === 0) return 'unchanged';
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
    return { skipped: `cannot write ${file}: ${messageOf(error)}` };
  } finally {
    ownTemporaries.delete(temp);
  }
  return 'written';
}
