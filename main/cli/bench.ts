/** `bench-embed`: embedding throughput per provider and batch size, and text latency. */
import { UserError } from '../core/errors.js';
import { benchmarkEmbedding } from '../models/benchmark.js';
import { ModelStore } from '../models/store.js';
import { PROVIDERS, type ProviderPreference } from '../models/session.js';
import { stringOption, type Command, type CommandContext } from './command.js';
import { MODEL_OPTIONS } from './common.js';

function positiveInts(context: CommandContext, name: string, fallback: string): number[] {
  const values = (stringOption(context, name) ?? fallback).split(',').map(Number);
  if (values.some((n) => !Number.isInteger(n) || n < 0)) throw new UserError('bad-input', `--${name} takes whole numbers, e.g. --${name} ${fallback}.`);
  return values;
}

export const benchEmbed: Command = {
  name: 'bench-embed',
  args: '',
  summary: 'Measure image throughput (img/s) per provider and batch size, and text latency (ms/query).',
  options: {
    ...MODEL_OPTIONS,
    providers: { type: 'string', valueName: 'LIST', description: 'providers to compare (default: cpu,auto); replaces --provider' },
    batch: { type: 'string', valueName: 'LIST', description: 'batch sizes (default: 1,8,32; batch-1 models run one at a time)' },
    images: { type: 'string', valueName: 'N', description: 'images per timed run (default: 64)' },
    queries: { type: 'string', valueName: 'N', description: 'distinct text queries timed (default: 20)' },
    'photo-side': { type: 'string', valueName: 'PX', description: 'long side of the synthetic JPEGs for end-to-end figures; 0 skips (default: 3000)' },
  },
  async run(context) {
    const providers = (stringOption(context, 'providers') ?? 'cpu,auto').split(',') as ProviderPreference[];
    const unknown = providers.find((p) => !(PROVIDERS as readonly string[]).includes(p));
    if (unknown) throw new UserError('bad-input', `Unknown provider "${unknown}". Choose from: ${PROVIDERS.join(', ')}.`);
    const report = await benchmarkEmbedding({
      modelDir: await new ModelStore(context.dataDir).resolve(stringOption(context, 'model')),
      providers,
      batchSizes: positiveInts(context, 'batch', '1,8,32').filter((n) => n > 0),
      images: positiveInts(context, 'images', '64')[0] ?? 64,
      queries: positiveInts(context, 'queries', '20')[0] ?? 20,
      photoSide: positiveInts(context, 'photo-side', '3000')[0] ?? 3000,
      log: context.log,
    });
    const lines = [
      `${report.model} (${report.dim}-d, ${report.imageSize}px input)`,
      'provider          batch   model img/s   end-to-end img/s',
      ...report.rows.map(
        (r) =>
          `${`${r.requestedProvider}->${r.provider}`.padEnd(18)}${String(r.batchSize).padStart(5)}${r.modelImagesPerSecond.toFixed(1).padStart(14)}${(r.endToEndImagesPerSecond?.toFixed(1) ?? '-').padStart(19)}`,
      ),
      ...report.text.map((t) => `text ${t.requestedProvider}->${t.provider}: ${t.msPerQueryP50.toFixed(2)} ms/query p50, ${t.msPerQueryP95.toFixed(2)} ms p95, ${t.msCachedQuery.toFixed(3)} ms cached`),
    ];
    return { json: report, text: lines.join('\n') };
  },
};
