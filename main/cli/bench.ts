/** `bench-embed`: embedding throughput per provider and batch size, and text latency. */
import { PROVIDER_ADVICE } from '../core/cli-advice.js';
import { UserError } from '../core/errors.js';
import { parseProvider } from '../engine/model-host.js';
import { stringOption, type Command } from './command.js';
import { MODEL_OPTIONS, numberListOption, numberOption } from './common.js';

/** The engine's advice names --provider, which this command replaces with --providers: it says its own option, as the app says its own words (Note [App wording] in app/rpc.ts). */
function withOwnOption(error: unknown): never {
  if (error instanceof UserError && error.message.includes(PROVIDER_ADVICE)) {
    throw new UserError(error.code, error.message.replace(PROVIDER_ADVICE, 'Use --providers with auto or cpu, or both: --providers cpu,auto.'), { cause: error });
  }
  throw error;
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
    const report = await context.engine().benchmarkEmbedding({
      providers: (stringOption(context, 'providers') ?? 'cpu,auto').split(',').map(parseProvider),
      batchSizes: numberListOption(context, 'batch', '1,8,32', 1),
      images: numberOption(context, 'images', 64, { min: 1, integer: true }),
      queries: numberOption(context, 'queries', 20, { min: 1, integer: true }),
      photoSide: numberOption(context, 'photo-side', 3000, { min: 0, integer: true }),
      log: context.log,
    }).catch(withOwnOption);
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
