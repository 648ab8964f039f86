/**
 * Reading a CLIP model folder: which of the two real-world layouts it is, and every setting its
 * config files carry, validated, into one `ModelSpec` the rest of the runtime uses.
 *
 * Note [Two layouts]: Immich's repositories (`config.json`, `visual/`, `textual/`) and Hugging
 * Face exports for transformers.js (`config.json`, `preprocessor_config.json`, `onnx/`) describe
 * the same things with different names. Everything layout-specific ends here; tensor names and
 * element types are read later from the ONNX graphs themselves (see session.ts), never guessed.
 */
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { codeOf, UserError, messageOf } from '../core/errors.js';

export type ModelLayout = 'immich' | 'hf';
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';
/** `shortest`: resize the short side to the size, then centre-crop. `squash`: resize to the square. */
export type ResizeMode = 'shortest' | 'squash';
export type TextClean = 'none' | 'canonicalize';

export interface ImagePreprocessing {
  size: number;
  mean: [number, number, number];
  std: [number, number, number];
  interpolation: Interpolation;
  resizeMode: ResizeMode;
}

export interface ModelSpec {
  /** Folder name; catalogue ids are folder names in the model store. */
  id: string;
  dir: string;
  layout: ModelLayout;
  dim: number;
  /** Temperature the model was trained with (CLIP's is 100); tagging uses it for softmax. */
  logitScale: number;
  image: { modelPath: string; preprocessing: ImagePreprocessing };
  text: {
    modelPath: string;
    tokenizerPath: string;
    tokenizerConfigPath: string;
    contextLength: number;
    clean: TextClean;
  };
}

const CLIP_LOGIT_SCALE = 100;

/**
 * Note [Impossible settings]: a config with settings no model can have (a std of 0 divides every
 * pixel by zero; a 0 or 100000 px input; a context too short for start and end tokens) used to
 * load, and then "indexed" every photo as NaN. Such values are refused when the folder is read,
 * naming the file and the field, before any photo is touched. Values are finite by zod's own
 * rule (JSON's 1e999 parses as Infinity and is refused as not a number).
 */
const MAX_IMAGE_SIZE = 4096;
const MIN_CONTEXT = 2;
const TOO_SHORT_CONTEXT = `must be at least ${MIN_CONTEXT} tokens`;
const triple = z.tuple([z.number(), z.number(), z.number()]);
const positive = z.number().positive('must be a positive number (pixels are divided by it)');
const stdTriple = z.tuple([positive, positive, positive]);
const imageSide = z.number().int().min(1, `must be between 1 and ${MAX_IMAGE_SIZE} pixels`).max(MAX_IMAGE_SIZE, `must be between 1 and ${MAX_IMAGE_SIZE} pixels`);
const contextLength = z.number().int().min(MIN_CONTEXT, TOO_SHORT_CONTEXT);

const immichConfig = z.object({
  embed_dim: z.number().int().positive(),
  logit_scale: z.number().positive().optional(),
  vision_cfg: z.object({ image_size: z.union([z.number().int(), z.tuple([z.number().int(), z.number().int()])]) }).loose(),
  text_cfg: z
    .object({
      context_length: contextLength.default(77),
      tokenizer_kwargs: z.object({ clean: z.string().optional() }).loose().optional(),
    })
    .loose(),
}).loose();

const immichPreprocess = z.object({
  size: z.union([imageSide, z.array(imageSide).min(1).max(2)]),
  mean: triple,
  std: stdTriple,
  interpolation: z.enum(['bicubic', 'bilinear', 'nearest', 'lanczos']).default('bicubic'),
  resize_mode: z.enum(['shortest', 'squash', 'longest']).default('shortest'),
}).loose();

const hfConfig = z.object({
  projection_dim: z.number().int().positive(),
  logit_scale: z.number().positive().optional(),
  text_config: z.object({ max_position_embeddings: contextLength.optional() }).loose().optional(),
}).loose();

const hfSize = z.union([imageSide, z.object({ shortest_edge: imageSide }).loose(), z.object({ height: imageSide, width: imageSide }).loose()]);
const hfPreprocess = z.object({
  do_resize: z.boolean().default(true),
  size: hfSize,
  do_center_crop: z.boolean().default(true),
  crop_size: hfSize.optional(),
  image_mean: triple,
  image_std: stdTriple,
  resample: z.number().int().default(3),
}).loose();

// Often 1e30 ("no limit") in transformers' configs; only the lower bound means anything.
const tokenizerConfig = z.object({ model_max_length: z.number().min(MIN_CONTEXT, TOO_SHORT_CONTEXT).optional() }).loose();

/** PIL's resampling filter codes, as transformers' preprocessor configs store them. */
const PIL_RESAMPLE: Record<number, Interpolation> = { 0: 'nearest', 1: 'lanczos', 2: 'bilinear', 3: 'bicubic' };

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function requireFile(dir: string, relative: string): Promise<string> {
  const file = path.join(dir, relative);
  if (!(await exists(file))) {
    throw new UserError(
      'model-invalid',
      `Model folder ${dir} is missing ${relative}. Download the model again or import a complete folder.`,
    );
  }
  return file;
}

async function readJson<T>(dir: string, relative: string, schema: z.ZodType<T>): Promise<T> {
  const file = await requireFile(dir, relative);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError('model-invalid', `${file} is not valid JSON (${messageOf(error)}). Download the model again.`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(top level)';
    throw new UserError('model-invalid', `${file} has an unexpected ${where}: ${issue?.message}. Download the model again, or choose another model.`);
  }
  return parsed.data;
}

function squareSize(size: number | number[] | { shortest_edge: number } | { height: number; width: number }): number {
  if (typeof size === 'number') return size;
  if (Array.isArray(size)) return size[0] as number;
  if ('shortest_edge' in size) return size.shortest_edge;
  return Math.min(size.height, size.width);
}

/**
 * Refuses a model folder that is not there, or is a file, with `advice` on what to name instead.
 * One out of reach (no permission) passes: reading it says why it cannot be read.
 */
export async function requireModelFolder(dir: string, advice: string): Promise<void> {
  const found = await stat(dir).catch((error: unknown) => (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR' ? null : undefined));
  if (found === null || found?.isDirectory() === false) {
    throw new UserError('model-missing', `Model folder ${dir} ${found ? 'is a file, not a folder' : 'does not exist'}. ${advice}`);
  }
}

export async function detectLayout(dir: string): Promise<ModelLayout> {
  await requireModelFolder(dir, 'Pass a model folder or a catalogue id (see `lumen models list`).');
  if (await exists(path.join(dir, 'visual'))) return 'immich';
  if (await exists(path.join(dir, 'onnx'))) return 'hf';
  // A folder of neither layout was named by mistake (bad input); one of a layout with parts
  // missing or broken is a damaged model ('model-invalid').
  throw new UserError(
    'bad-input',
    `${dir} is not a CLIP model folder: expected visual/ and textual/ (Immich layout) or onnx/ (Hugging Face layout).`,
  );
}

async function loadImmich(dir: string): Promise<ModelSpec> {
  const config = await readJson(dir, 'config.json', immichConfig);
  const pre = await readJson(dir, 'visual/preprocess_cfg.json', immichPreprocess);
  const tokenizerCfgPath = await requireFile(dir, 'textual/tokenizer_config.json');
  await readJson(dir, 'textual/tokenizer_config.json', tokenizerConfig);
  if (pre.resize_mode === 'longest') {
    throw new UserError('model-invalid', `${dir} asks for resize_mode "longest" (letterboxing), which this app does not support yet.`);
  }
  return {
    id: path.basename(dir),
    dir,
    layout: 'immich',
    dim: config.embed_dim,
    logitScale: config.logit_scale ?? CLIP_LOGIT_SCALE,
    image: {
      modelPath: await requireFile(dir, 'visual/model.onnx'),
      preprocessing: {
        size: squareSize(pre.size),
        mean: pre.mean,
        std: pre.std,
        interpolation: pre.interpolation,
        resizeMode: pre.resize_mode,
      },
    },
    text: {
      modelPath: await requireFile(dir, 'textual/model.onnx'),
      tokenizerPath: await requireFile(dir, 'textual/tokenizer.json'),
      tokenizerConfigPath: tokenizerCfgPath,
      contextLength: config.text_cfg.context_length,
      clean: config.text_cfg.tokenizer_kwargs?.clean === 'canonicalize' ? 'canonicalize' : 'none',
    },
  };
}

async function loadHf(dir: string): Promise<ModelSpec> {
  const config = await readJson(dir, 'config.json', hfConfig);
  const pre = await readJson(dir, 'preprocessor_config.json', hfPreprocess);
  const tokCfg = await readJson(dir, 'tokenizer_config.json', tokenizerConfig);
  const squash = typeof pre.size === 'object' && 'height' in pre.size && !pre.do_center_crop;
  const size = pre.do_center_crop && pre.crop_size ? squareSize(pre.crop_size) : squareSize(pre.size);
  const interpolation = PIL_RESAMPLE[pre.resample];
  if (!interpolation) {
    throw new UserError('model-invalid', `${dir}/preprocessor_config.json asks for resample=${pre.resample}, which is not a known filter.`);
  }
  // The text tower's position table bounds the context; the tokenizer may allow more.
  const contextLength = Math.min(config.text_config?.max_position_embeddings ?? 77, tokCfg.model_max_length ?? 77);
  return {
    id: path.basename(dir),
    dir,
    layout: 'hf',
    dim: config.projection_dim,
    // `logit_scale_init_value` is the value training started from, not the trained one.
    logitScale: config.logit_scale ?? CLIP_LOGIT_SCALE,
    image: {
      modelPath: await requireFile(dir, 'onnx/vision_model.onnx'),
      preprocessing: { size, mean: pre.image_mean, std: pre.image_std, interpolation, resizeMode: squash ? 'squash' : 'shortest' },
    },
    text: {
      modelPath: await requireFile(dir, 'onnx/text_model.onnx'),
      tokenizerPath: await requireFile(dir, 'tokenizer.json'),
      tokenizerConfigPath: await requireFile(dir, 'tokenizer_config.json'),
      contextLength,
      clean: 'none',
    },
  };
}

/** Reads and validates a model folder of either layout. Throws `UserError` naming what is wrong. */
export async function readModelFolder(dir: string): Promise<ModelSpec> {
  const resolved = path.resolve(dir);
  const layout = await detectLayout(resolved);
  return layout === 'immich' ? loadImmich(resolved) : loadHf(resolved);
}
