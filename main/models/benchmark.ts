/**
 * Measures embedding throughput: model-only image throughput per provider and batch size,
 * end-to-end (decode + embed) throughput on synthetic camera-sized JPEGs, and text latency per
 * query. Numbers are measured on the machine it runs on, never asserted.
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { ClipModel } from './clip.js';
import type { Logger, ProviderPreference } from './session.js';

export interface EmbedBenchOptions {
  modelDir: string;
  providers: ProviderPreference[];
  batchSizes: number[];
  /** Images per timed run. */
  images: number;
  /** Distinct queries timed one by one. */
  queries: number;
  /** Side of the synthetic JPEGs for the end-to-end figure (0 skips it). */
  photoSide: number;
  log: Logger;
}

export interface EmbedBenchRow {
  requestedProvider: ProviderPreference;
  provider: string;
  batchSize: number;
  modelImagesPerSecond: number;
  endToEndImagesPerSecond: number | null;
}

export interface EmbedBenchReport {
  model: string;
  dim: number;
  imageSize: number;
  rows: EmbedBenchRow[];
  text: Array<{ requestedProvider: ProviderPreference; provider: string; msPerQueryP50: number; msPerQueryP95: number; msCachedQuery: number }>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** Random, noisy JPEGs of a camera-like size: decode cost comparable to real photos. */
async function syntheticPhotos(count: number, side: number): Promise<Buffer[]> {
  const width = side;
  const height = Math.round((side * 3) / 4);
  const photos: Buffer[] = [];
  for (let i = 0; i < Math.min(count, 16); i++) {
    photos.push(
      await sharp({ create: { width, height, channels: 3, background: { r: (i * 37) % 255, g: (i * 91) % 255, b: (i * 53) % 255 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
  }
  return Array.from({ length: count }, (_, i) => photos[i % photos.length] as Buffer);
}

export async function benchmarkEmbedding(options: EmbedBenchOptions): Promise<EmbedBenchReport> {
  const photos = options.photoSide > 0 ? await syntheticPhotos(options.images, options.photoSide) : [];
  const report: EmbedBenchReport = { model: '', dim: 0, imageSize: 0, rows: [], text: [] };
  for (const requestedProvider of options.providers) {
    const model = await ClipModel.load(options.modelDir, { provider: requestedProvider, log: options.log });
    try {
      const providers = await model.providers();
      const size = model.spec.image.preprocessing.size;
      Object.assign(report, { model: model.id, dim: model.dim, imageSize: size });
      const tensors = Array.from({ length: options.images }, () => Float32Array.from({ length: 3 * size * size }, () => Math.random() * 4 - 2));
      for (const batchSize of options.batchSizes) {
        await model.embedTensors(tensors.slice(0, batchSize));
        let start = performance.now();
        for (let i = 0; i < tensors.length; i += batchSize) await model.embedTensors(tensors.slice(i, i + batchSize));
        const modelImagesPerSecond = tensors.length / ((performance.now() - start) / 1000);
        let endToEndImagesPerSecond: number | null = null;
        if (photos.length > 0) {
          start = performance.now();
          for await (const result of model.embedImages(photos, { batchSize })) {
            if ('error' in result) throw result.error;
          }
          endToEndImagesPerSecond = photos.length / ((performance.now() - start) / 1000);
        }
        const row = { requestedProvider, provider: providers.image, batchSize, modelImagesPerSecond, endToEndImagesPerSecond };
        options.log(`${requestedProvider} (${providers.image}) batch ${batchSize}: ${modelImagesPerSecond.toFixed(1)} img/s model-only, ${endToEndImagesPerSecond?.toFixed(1) ?? '-'} img/s end to end`);
        report.rows.push(row);
      }
      await model.embedText('warm-up query');
      const timings: number[] = [];
      for (let i = 0; i < options.queries; i++) {
        const start = performance.now();
        await model.embedText(`a photo of thing number ${i} at the beach`);
        timings.push(performance.now() - start);
      }
      const cachedStart = performance.now();
      await model.embedText('a photo of thing number 0 at the beach');
      const msCachedQuery = performance.now() - cachedStart;
      timings.sort((a, b) => a - b);
      const text = { requestedProvider, provider: providers.text, msPerQueryP50: percentile(timings, 0.5), msPerQueryP95: percentile(timings, 0.95), msCachedQuery };
      options.log(`${requestedProvider} (${providers.text}) text: ${text.msPerQueryP50.toFixed(2)} ms/query p50, ${text.msPerQueryP95.toFixed(2)} p95, cached ${msCachedQuery.toFixed(3)} ms`);
      report.text.push(text);
    } finally {
      await model.dispose();
    }
  }
  return report;
}
