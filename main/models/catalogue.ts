/**
 * Models a person can pick. Sizes are approximate (the downloader shows the exact total from the
 * Hub before it starts); quality figures are Immich's published English retrieval benchmark.
 *
 * Note [Default model]: ViT-B-32 trained on LAION-2B scores 77.6 % on Immich's benchmark against
 * 69.9 % for OpenAI's weights at the same compute, so it is the default.
 */
import { kindLimit, type DownloadLimits } from './download-policy.js';
import type { ModelLayout } from './folder.js';

export interface CatalogueEntry {
  /** Folder name in the model store and the id `--model` accepts. */
  id: string;
  name: string;
  repo: string;
  layout: ModelLayout;
  approxBytes: number;
  quality: string;
  languages: string;
  licence: string;
  /** Dynamic batch: several photos per inference call, which GPUs need to be fast. */
  dynamicBatch: boolean;
}

const MB = 1_000_000;

export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    id: 'ViT-B-32__laion2b-s34b-b79k',
    name: 'CLIP ViT-B/32 (LAION-2B)',
    repo: 'immich-app/ViT-B-32__laion2b-s34b-b79k',
    layout: 'immich',
    approxBytes: 605 * MB,
    quality: 'Good quality per compute (77.6% on Immich’s benchmark); fast on any laptop. Recommended.',
    languages: 'English',
    licence: 'MIT',
    dynamicBatch: false,
  },
  {
    id: 'clip-vit-base-patch32',
    name: 'CLIP ViT-B/32 (OpenAI)',
    repo: 'Xenova/clip-vit-base-patch32',
    layout: 'hf',
    approxBytes: 605 * MB,
    quality: 'OpenAI’s original weights (69.9%); dynamic batch, the fastest choice on a GPU.',
    languages: 'English',
    licence: 'MIT',
    dynamicBatch: true,
  },
  {
    id: 'XLM-Roberta-Base-ViT-B-32__laion5b_s13b_b90k',
    name: 'Multilingual CLIP ViT-B/32 (XLM-RoBERTa)',
    repo: 'immich-app/XLM-Roberta-Base-ViT-B-32__laion5b_s13b_b90k',
    layout: 'immich',
    approxBytes: 1470 * MB,
    quality: 'Search in about 100 languages at ViT-B/32 image cost; larger text model.',
    languages: 'Multilingual (about 100 languages)',
    licence: 'MIT',
    dynamicBatch: false,
  },
  {
    id: 'ViT-B-16-SigLIP2__webli',
    name: 'SigLIP 2 ViT-B/16',
    repo: 'immich-app/ViT-B-16-SigLIP2__webli',
    layout: 'immich',
    approxBytes: 1500 * MB,
    quality: 'Higher quality (84.9% on Immich’s benchmark); about 3x the compute of ViT-B/32 per photo.',
    languages: 'English (some multilingual ability)',
    licence: 'Apache-2.0',
    dynamicBatch: false,
  },
];

export const DEFAULT_MODEL_ID = 'ViT-B-32__laion2b-s34b-b79k';

export function findCatalogueEntry(id: string): CatalogueEntry | undefined {
  return CATALOGUE.find((entry) => entry.id === id || entry.repo === id);
}

/** The repository files a model needs: configs, tokenizers and full-precision graphs. */
export function isModelFile(layout: ModelLayout, file: string): boolean {
  if (layout === 'immich') {
    return /^(config\.json|visual\/(model\.onnx(_data)?|preprocess_cfg\.json)|textual\/(model\.onnx(_data)?|[^/]+\.json))$/.test(file);
  }
  return /^(config\.json|preprocessor_config\.json|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|onnx\/(vision|text)_model\.onnx(_data)?)$/.test(file);
}

/** How much more than its expected size a catalogue model's files may be (Note [Download limits] in download-policy.ts). */
export const MOST_ABOVE_EXPECTED = 1.5;

/**
 * What a catalogue model's download may hold (Note [Download limits] in download-policy.ts): half as
 * much again as its expected size, file by file and in all, and no file above its kind's cap.
 */
export function downloadLimits(entry: CatalogueEntry): DownloadLimits {
  const totalBytes = Math.round(entry.approxBytes * MOST_ABOVE_EXPECTED);
  return { totalBytes, fileBytes: (file) => Math.min(kindLimit(file), totalBytes) };
}
