/** Tags, the template editor's preview and evaluation, and albums, as the contract shapes them for the app. */
import type { EvaluationInfo, LabelledReportInfo, PhotoTagsInfo, RefinementInfo, TagInfo, TagPreviewInfo, Timeline } from '../../preload/contract.js';
import type { RefinementReport } from '../tags/index.js';
import type { LabelledReport, PhotoTags, TagCount, Tags } from '../tags/index.js';
import { CARD_PHOTOS } from '../tags/albums.js';
import type { TagPreview } from '../tags/preview.js';
import { namesAfterRenames } from '../tags/renamed-verdicts.js';
import { unmeasuredVerdictsText, type UnmeasuredWords } from '../tags/unmeasured-verdicts.js';
import { parseVocabulary, withTemplates, type Vocabulary } from '../tags/vocabulary.js';
import type { Storage } from '../storage/storage.js';
import type { TagRename } from '../storage/tag-store.js';
import { aspectRatio, photoInfo } from './photo-info.js';


/** Every tag of the vocabulary (and any a person added by hand), with counts and a few photos. */
export async function tagList(tags: Tags, storage: Storage): Promise<TagInfo[]> {
  const samples = new Map<string, number[]>();
  for (const { tag, photoId } of storage.tags.samples(CARD_PHOTOS)) samples.set(tag, [...(samples.get(tag) ?? []), photoId]);
  return listTags(await tags.vocabulary.get(), tags.verdicts.counts(), samples);
}

/** The tags of `vocabulary`, on no photo yet: the list before a library (Note [Before a library] in calls.ts). */
export function tagListWithoutPhotos(vocabulary: Vocabulary): TagInfo[] {
  return listTags(vocabulary, [], new Map());
}

function listTags(vocabulary: Vocabulary, tagCounts: readonly TagCount[], samples: ReadonlyMap<string, number[]>): TagInfo[] {
  const counts = new Map(tagCounts.map((count) => [count.tag, count]));
  const names = [...vocabulary.tags.map((tag) => tag.name), ...[...counts.keys()].filter((name) => !vocabulary.tags.some((tag) => tag.name === name))];
  return names.map((name) => {
    const inVocabulary = vocabulary.tags.find((tag) => tag.name === name);
    const count = counts.get(name);
    return {
      name,
      enabled: inVocabulary !== undefined && inVocabulary.enabled !== false,
      inVocabulary: inVocabulary !== undefined,
      photos: count?.photos ?? 0,
      confirmed: count?.confirmed ?? 0,
      rejected: count?.rejected ?? 0,
      samples: samples.get(name) ?? [],
    };
  });
}

/** No photos, as a grid's timeline. */
export const NO_PHOTOS: Timeline = { ids: [], ratios: [], takenAt: [], names: [], folderIds: [], versions: [] };

/** Photos by id as the grid lays them out (in the given order). */
export function timelineOf(storage: Storage, photoIds: readonly number[]): Timeline {
  const rows = storage.photos.rows(photoIds).map(photoInfo);
  return { ids: rows.map((row) => row.id), ratios: rows.map((row) => aspectRatio(row.width, row.height)), takenAt: rows.map((row) => row.takenAt), names: rows.map((row) => row.name), folderIds: rows.map((row) => row.folderId), versions: rows.map((row) => row.version) };
}

export function photoTagsInfo(photo: PhotoTags): PhotoTagsInfo {
  return { photoId: photo.photoId, tags: photo.tags.map(({ tag, source, score }) => ({ tag, source, score })), rejected: photo.rejected };
}

export function previewInfo(storage: Storage, preview: TagPreview): TagPreviewInfo {
  const photos = (imageIds: number[]) => storage.photos.representatives(imageIds, undefined).map(photoInfo);
  return {
    tag: preview.tag,
    photos: photos(preview.images.map((image) => image.imageId)),
    count: preview.count,
    gained: photos(preview.gained),
    lost: photos(preview.lost),
    gainedCount: preview.gainedCount,
    lostCount: preview.lostCount,
    milliseconds: preview.milliseconds,
  };
}

function reportInfo(report: LabelledReport): LabelledReportInfo {
  const { photos, confirmed, rejected, accuracy, precision, recall, top1, top5, perTag } = report;
  return { photos, confirmed, rejected, accuracy, precision, recall, top1, top5, perTag };
}

export function refinementInfo(report: RefinementReport): RefinementInfo {
  const figures = (side: RefinementReport['zeroShot']) => (side ? { precision: side.precision, recall: side.recall } : null);
  return { tag: report.tag, status: report.status, reason: report.reason, confirmed: report.confirmed, rejected: report.rejected, zeroShot: figures(report.zeroShot), refined: figures(report.refined) };
}

/**
 * The editor's evaluation: the edited vocabulary against the saved one and against itself with a
 * single template, on the person's verdicts; and each refined tag's cross-validated figures.
 * `renames`: the tags the edit renames, whose verdicts count for their new names, and whose rows
 * are named so on both sides (Note [Verdicts under new names] in main/tags/renamed-verdicts.ts).
 */
export async function evaluation(tags: Tags, draft: unknown, modelId: string, renames: readonly TagRename[] = []): Promise<EvaluationInfo> {
  const edited: Vocabulary = parseVocabulary(draft, 'The edited vocabulary');
  const saved = await tags.vocabulary.get();
  const template = edited.templates[0];
  const nameNow = namesAfterRenames(renames);
  const editedReport = reportInfo(await tags.evaluateLabelled(edited, undefined, renames));
  const savedReport = reportInfo(await tags.evaluateLabelled(saved));
  return {
    edited: editedReport,
    saved: { ...savedReport, perTag: renamedRows(savedReport.perTag, nameNow) },
    singleTemplate: template === undefined || edited.templates.length < 2 ? null : { template, report: reportInfo(await tags.evaluateLabelled(withTemplates(edited, [template]), undefined, renames)) },
    refinements: tags.refinements.reports(modelId).map(refinementInfo),
    unmeasured: editedReport.confirmed + editedReport.rejected === 0 ? unmeasuredVerdictsText(tags.verdicts.counts().map((count) => ({ ...count, tag: nameNow(count.tag) })), edited, APP_WORDS) : null,
  };
}

/**
 * The saved vocabulary's rows by the edit's names. A renamed tag's row wins over a tag of its new
 * name the edit dropped: the edit's row of that name is the renamed tag's.
 */
function renamedRows(perTag: LabelledReportInfo['perTag'], nameNow: (savedName: string) => string): LabelledReportInfo['perTag'] {
  const renamed = (name: string) => nameNow(name) !== name;
  const rows = Object.entries(perTag).sort(([a], [b]) => Number(renamed(a)) - Number(renamed(b)));
  return Object.fromEntries(rows.map(([name, row]) => [nameNow(name), row]));
}

/** The app's terms for why no verdict was measured (Note [Verdicts not measured]). */
const APP_WORDS: UnmeasuredWords = {
  count: (n, singular) => `${n.toLocaleString('en')} ${n === 1 ? singular : `${singular}s`}`,
  none: 'No confirmed or rejected tags yet. Confirm or reject tags in the viewer, then evaluate again.',
  addTags: (tags) => (tags === 1 ? 'Add that tag to the vocabulary to measure its verdicts.' : 'Add those tags to the vocabulary to measure them.'),
  index: 'see Settings',
  quote: (name) => `“${name}”`,
};
