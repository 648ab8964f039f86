import { cp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClipModel } from '../../main/models/clip.js';
import { FLOAT, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_NODE, GRAPH_OUTPUT, INT32, MODEL_GRAPH, initializerPieces, model, node, readNode, readTensor, valueInfo } from '../../main/models/onnx-graph.js';
import { bytesField, readFields } from '../../main/models/protobuf.js';
import { rewriteTextGraph, type QueryGraphOptions } from '../../main/models/query-graph.js';
import { TextGraphs } from '../../main/models/text-graphs.js';
import { HF_MODEL, IMMICH_MODEL, cosine, tempDir } from '../helpers/fixtures.js';

const CONTEXT = 16;
const TEXTS = ['a red star', 'a photo of a blue circle on a white background', 'x'];
const quiet = () => {};

async function embed(session: ort.InferenceSession, ids: number[], length: number): Promise<Float32Array> {
  const padded = new Int32Array(length);
  padded.set(ids.slice(0, length));
  const outputs = await session.run({ text: new ort.Tensor('int32', padded, [1, length]) });
  return outputs['embedding']?.data as Float32Array;
}

/**
 * A text tower that is not causal: every position, padding included, adds to the embedding
 * (embedding = (ids + 1) x W), so running a text at its own length changes it.
 */
function notCausalTower(dim: number): Uint8Array {
  const initializer = (name: string, dims: number[], values: Float32Array) => [...Buffer.concat(initializerPieces(name, FLOAT, dims, new Uint8Array(values.buffer)))];
  const weights = Float32Array.from({ length: CONTEXT * dim }, (_, i) => Math.sin(i + 1));
  return model(
    [
      ...node('Cast', ['text'], 'float', { attributes: { to: FLOAT } }),
      ...node('Add', ['float', 'one'], 'shifted'),
      ...node('MatMul', ['shifted', 'weights'], 'embedding'),
      ...initializer('one', [], Float32Array.of(1)),
      ...initializer('weights', [CONTEXT, dim], weights),
      ...bytesField(GRAPH_INPUT, valueInfo('text', INT32, [1, CONTEXT])),
      ...bytesField(GRAPH_OUTPUT, valueInfo('embedding', FLOAT, [1, dim])),
    ],
    17,
  );
}

/** How many nodes of each operator a graph has; MatMuls by a weight (an initializer) apart, as `MatMul by weight`. */
function operators(graph: Uint8Array): Record<string, number> {
  const fields = readFields(readFields(graph).find((field) => field.number === MODEL_GRAPH)?.bytes as Uint8Array);
  const weights = new Set(fields.filter((field) => field.number === GRAPH_INITIALIZER).map((field) => readTensor(field.bytes as Uint8Array).name));
  const counts: Record<string, number> = {};
  for (const field of fields.filter((each) => each.number === GRAPH_NODE)) {
    const { opType, inputs } = readNode(field);
    const kind = opType === 'MatMul' && weights.has(inputs[1] ?? '') ? 'MatMul by weight' : opType;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

const FIXTURE_TEXT_GRAPH = path.join(IMMICH_MODEL, 'textual', 'model.onnx');

describe('query graphs (Notes [Short texts], [Eight-bit text tower], [Short graphs kept])', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(async () => {
    await scratch.cleanup();
  });

  it("frees the fixture's static text length: texts at their own length embed as padded ones do", async () => {
    const rewritten = Buffer.concat(rewriteTextGraph(await readFile(FIXTURE_TEXT_GRAPH), CONTEXT, { freeLength: true, eightBit: false }) ?? []);
    expect(operators(rewritten)).not.toHaveProperty('DynamicQuantizeMatMul');
    const [before, after] = await Promise.all([ort.InferenceSession.create(FIXTURE_TEXT_GRAPH), ort.InferenceSession.create(rewritten)]);
    expect(after.inputMetadata[0]).toMatchObject({ name: 'text', shape: [1, 'sequence'] });
    const model = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu' });
    for (const text of TEXTS) {
      const ids = await model.tokenize(text);
      const padded = await embed(before, ids, CONTEXT);
      expect(cosine(await embed(after, ids, ids.length), padded)).toBeGreaterThan(0.99999);
      // Padded, the rewritten graph is the original.
      expect(cosine(await embed(after, ids, CONTEXT), padded)).toBeGreaterThan(0.99999);
    }
    await Promise.all([before.release(), after.release(), model.dispose()]);
  });

  it('puts every MatMul weight in 8 bits, close to the original', async () => {
    const original = await readFile(FIXTURE_TEXT_GRAPH);
    const rewritten = Buffer.concat(rewriteTextGraph(original, CONTEXT, { freeLength: true, eightBit: true }) ?? []);
    const { 'MatMul by weight': weights = 0, MatMul: attention } = operators(original);
    expect(weights).toBeGreaterThan(0);
    // Attention's products of two activations stay as they are.
    expect(operators(rewritten)).toMatchObject({ DynamicQuantizeMatMul: weights, MatMul: attention });
    expect(operators(rewritten)).not.toHaveProperty('MatMul by weight');
    const [before, after] = await Promise.all([ort.InferenceSession.create(original), ort.InferenceSession.create(rewritten)]);
    const model = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu' });
    for (const text of TEXTS) {
      const ids = await model.tokenize(text);
      expect(cosine(await embed(after, ids, ids.length), await embed(before, ids, CONTEXT))).toBeGreaterThan(0.995);
    }
    await Promise.all([before.release(), after.release(), model.dispose()]);
  });

  it('leaves alone what it cannot rewrite: a length already free, another context, not ONNX', async () => {
    const dynamic = await readFile(path.join(HF_MODEL, 'onnx', 'text_model.onnx'));
    expect(rewriteTextGraph(dynamic, CONTEXT, { freeLength: true, eightBit: false })).toBeNull();
    // A graph whose length is free still gets its weights in 8 bits.
    expect(operators(Buffer.concat(rewriteTextGraph(dynamic, CONTEXT, { freeLength: true, eightBit: true }) ?? []))).not.toHaveProperty('MatMul by weight');
    const graph = await readFile(FIXTURE_TEXT_GRAPH);
    expect(rewriteTextGraph(graph, 77, { freeLength: true, eightBit: false })).toBeNull();
    expect(rewriteTextGraph(graph, CONTEXT, { freeLength: false, eightBit: false })).toBeNull();
    expect(rewriteTextGraph(graph.subarray(0, graph.length / 2), CONTEXT, { freeLength: true, eightBit: true })).toBeNull();
    expect(rewriteTextGraph(Buffer.from('not a graph at all, just text'), CONTEXT, { freeLength: true, eightBit: true })).toBeNull();
  });

  it('checks a query graph once, keeps it for the next start, and embeds texts on it as the original does', async () => {
    const graphs = new TextGraphs(path.join(scratch.dir, 'graphs'), quiet);
    const plain = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu' });
    const model = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs });
    const plan = await model.startedTextSessionPlan();
    const checked = graphs.verified(FIXTURE_TEXT_GRAPH, CONTEXT) as string;
    expect(path.dirname(checked)).toBe(graphs.dir);
    // The next start runs the checked graph as ONNX Runtime saved it (Note [Runtime graphs]).
    expect(plan.modelPath).toBe(`${checked.slice(0, -'.onnx'.length)}.${ort.env.versions.common}.ort`);
    expect((await readdir(graphs.dir)).map((name) => path.extname(name)).sort()).toEqual(['.ok', '.onnx', '.ort']);
    expect(operators(await readFile(checked))).toHaveProperty('DynamicQuantizeMatMul');
    const [fast, exact] = await Promise.all([model.embedTexts(TEXTS), plain.embedTexts(TEXTS)]);
    fast.forEach((vector, i) => expect(cosine(vector, exact[i] as Float32Array)).toBeGreaterThan(0.995));
    // The next start finds it settled: nothing written or checked, the saved graph, the same embeddings.
    const attempt = vi.fn(async () => 'checked');
    expect(await graphs.settle(FIXTURE_TEXT_GRAPH, CONTEXT, attempt)).toBeNull();
    expect(attempt).not.toHaveBeenCalled();
    const again = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs });
    expect((await again.startedTextSessionPlan()).modelPath).toBe(plan.modelPath);
    (await again.embedTexts(TEXTS)).forEach((vector, i) => expect(cosine(vector, fast[i] as Float32Array)).toBeGreaterThan(0.99999));
    await Promise.all([plain.dispose(), model.dispose(), again.dispose()]);
  });

  it('falls back from 8 bits to full precision, then to 8 bits at the fixed length, then to the model\'s own graph, as the check decides', async () => {
    const graphs = new TextGraphs(path.join(scratch.dir, 'graphs'), quiet);
    const tried: string[] = [];
    const record = (variant: QueryGraphOptions) => tried.push(`${variant.freeLength ? 'own length' : 'fixed length'}, ${variant.eightBit ? '8 bits' : 'full precision'}`);
    const kept = await graphs.settle(FIXTURE_TEXT_GRAPH, CONTEXT, async (graph, variant) => (record(variant), variant.eightBit ? null : graph));
    expect(tried).toEqual(['own length, 8 bits', 'own length, full precision']);
    expect(kept).toBe(graphs.verified(FIXTURE_TEXT_GRAPH, CONTEXT));
    expect(operators(await readFile(kept as string))).not.toHaveProperty('DynamicQuantizeMatMul');

    // None passes: the model keeps its own graph, and is not tried again.
    const folder = path.join(scratch.dir, 'model');
    await cp(IMMICH_MODEL, folder, { recursive: true });
    const own = path.join(folder, 'textual', 'model.onnx');
    tried.length = 0;
    expect(await graphs.settle(own, CONTEXT, async (_graph, variant) => (record(variant), null))).toBeNull();
    expect(tried).toEqual(['own length, 8 bits', 'own length, full precision', 'fixed length, 8 bits']);
    expect(graphs.verified(own, CONTEXT)).toBeNull();
    const attempt = vi.fn(async () => 'checked');
    expect(await graphs.settle(own, CONTEXT, attempt)).toBeNull();
    expect(attempt).not.toHaveBeenCalled();
  });

  it('a tower that is not causal keeps its fixed length, and may still take 8 bits', async () => {
    const folder = path.join(scratch.dir, 'not-causal');
    await cp(IMMICH_MODEL, folder, { recursive: true });
    const original = path.join(folder, 'textual', 'model.onnx');
    await writeFile(original, notCausalTower(64));
    const graphs = new TextGraphs(path.join(scratch.dir, 'graphs'), quiet);
    const model = await ClipModel.load(folder, { provider: 'cpu', textGraphs: graphs });
    expect((await model.startedTextSessionPlan()).modelPath).toBe(graphs.verified(original, CONTEXT, { runtime: true }));
    const graph = graphs.verified(original, CONTEXT) as string;
    expect(operators(await readFile(graph))).toMatchObject({ DynamicQuantizeMatMul: 1 });
    const session = await ort.InferenceSession.create(graph);
    expect(session.inputMetadata[0]).toMatchObject({ shape: [1, CONTEXT] });
    await session.release();
    const plain = await ClipModel.load(folder, { provider: 'cpu' });
    const [fast, padded] = await Promise.all([model.embedTexts(TEXTS), plain.embedTexts(TEXTS)]);
    fast.forEach((vector, i) => expect(cosine(vector, padded[i] as Float32Array)).toBeGreaterThan(0.995));
    await Promise.all([model.dispose(), plain.dispose()]);
  });

  it('a saved runtime graph that does not load is run from the graph it was saved from, and saved again', async () => {
    const graphs = new TextGraphs(path.join(scratch.dir, 'graphs'), quiet);
    const first = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs });
    const saved = (await first.startedTextSessionPlan()).modelPath;
    const expected = await first.embedTexts(TEXTS);
    await first.dispose();
    await writeFile(saved, 'damaged');
    const logged: string[] = [];
    const damaged = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs, log: (line) => logged.push(line) });
    (await damaged.embedTexts(TEXTS)).forEach((vector, i) => expect(cosine(vector, expected[i] as Float32Array)).toBeGreaterThan(0.99999));
    expect(logged).toEqual([expect.stringMatching(/^The saved text graph of .* did not load .*; using the graph it was saved from, and saving it again\.$/)]);
    expect((await damaged.startedTextSessionPlan()).modelPath).toBe(saved);
    await damaged.dispose();
    const again = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs, log: (line) => logged.push(line) });
    (await again.embedTexts(TEXTS)).forEach((vector, i) => expect(cosine(vector, expected[i] as Float32Array)).toBeGreaterThan(0.99999));
    expect(logged).toHaveLength(1);
    await again.dispose();
  });

  it('saves no runtime graph where it may not write, for a GPU provider, or from a graph that does not load; a failure costs only the speed', async () => {
    const readOnly = new TextGraphs(path.join(scratch.dir, 'graphs'), quiet, () => false);
    const writer = new TextGraphs(readOnly.dir, quiet);
    const checked = await writer.settle(FIXTURE_TEXT_GRAPH, CONTEXT, async (graph) => graph);
    await readOnly.saveRuntimeGraph(FIXTURE_TEXT_GRAPH, CONTEXT);
    expect(readOnly.verified(FIXTURE_TEXT_GRAPH, CONTEXT, { runtime: true })).toBe(checked);
    // Another runtime's saved graph goes when this one saves its own.
    const older = `${(checked as string).slice(0, -'.onnx'.length)}.1.0.0.ort`;
    await writeFile(older, 'another runtime');
    const bytes = await readFile(checked as string);
    await writeFile(checked as string, 'damaged');
    const logged: string[] = [];
    await new TextGraphs(readOnly.dir, (line) => logged.push(line)).saveRuntimeGraph(FIXTURE_TEXT_GRAPH, CONTEXT);
    expect(logged).toEqual([expect.stringMatching(/^Could not save the text graph ready to run in .*; the first search after a start is a little slower\.$/)]);
    expect(writer.verified(FIXTURE_TEXT_GRAPH, CONTEXT, { runtime: true })).toBe(checked);
    await writeFile(checked as string, bytes);
    await writer.saveRuntimeGraph(FIXTURE_TEXT_GRAPH, CONTEXT);
    expect((await readdir(writer.dir)).sort()).toEqual([path.basename(checked as string, '.onnx') + '.ok', path.basename(checked as string), path.basename(writer.verified(FIXTURE_TEXT_GRAPH, CONTEXT, { runtime: true }) as string)].sort());
    expect(writer.verified(FIXTURE_TEXT_GRAPH, CONTEXT, { runtime: true })).not.toBe(older);
    // A text tower on a GPU provider starts from the checked graph, and saves nothing.
    await rm(writer.verified(FIXTURE_TEXT_GRAPH, CONTEXT, { runtime: true }) as string);
    const elsewhere = await ClipModel.load(IMMICH_MODEL, { provider: process.platform === 'darwin' ? 'dml' : 'coreml', textGraphs: writer, log: () => {}, logProbe: () => {} });
    expect(elsewhere.textSessionPlan.modelPath).toBe(checked);
    await expect(elsewhere.embedTexts(TEXTS)).rejects.toMatchObject({ code: 'bad-input' });
    await elsewhere.dispose();
    expect((await readdir(writer.dir)).filter((name) => name.endsWith('.ort'))).toEqual([]);
  });

  it('a query graph damaged after its check costs only its speed, and is made again at the next start', async () => {
    const graphs = new TextGraphs(path.join(scratch.dir, 'graphs'), quiet);
    const first = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs });
    await first.startedTextSessionPlan();
    await first.dispose();
    // Both the checked graph and the runtime graph saved from it.
    const graph = graphs.verified(FIXTURE_TEXT_GRAPH, CONTEXT) as string;
    await writeFile(graph, 'damaged');
    await writeFile(graphs.verified(FIXTURE_TEXT_GRAPH, CONTEXT, { runtime: true }) as string, 'damaged');
    const logged: string[] = [];
    const damaged = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs, log: (line) => logged.push(line) });
    const plain = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu' });
    const [own, padded] = await Promise.all([damaged.embedTexts(TEXTS), plain.embedTexts(TEXTS)]);
    own.forEach((vector, i) => expect(cosine(vector, padded[i] as Float32Array)).toBeGreaterThan(0.99999));
    expect(logged).toEqual([expect.stringMatching(/^The saved text graph .* did not load/), expect.stringMatching(/did not load .*making it again at the next start\.$/)]);
    expect(await readdir(graphs.dir)).toEqual([]);
    const again = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs });
    await again.startedTextSessionPlan();
    expect(graphs.verified(FIXTURE_TEXT_GRAPH, CONTEXT)).toBe(graph);
    await Promise.all([damaged.dispose(), plain.dispose(), again.dispose()]);
  });

  it('keeps its query graph when the provider asked for cannot start at all: the graph was not to blame', async () => {
    const graphs = new TextGraphs(path.join(scratch.dir, 'graphs'), quiet);
    const first = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu', textGraphs: graphs });
    await first.embedTexts(TEXTS);
    await first.dispose();
    const made = await readdir(graphs.dir);
    expect(made.map((name) => path.extname(name)).sort()).toEqual(['.ok', '.onnx', '.ort']);
    // Core ML exists only on macOS: on any other machine it cannot start.
    const elsewhere = await ClipModel.load(IMMICH_MODEL, { provider: process.platform === 'darwin' ? 'dml' : 'coreml', textGraphs: graphs, log: () => {}, logProbe: () => {} });
    await expect(elsewhere.embedTexts(TEXTS)).rejects.toMatchObject({ code: 'bad-input' });
    await elsewhere.dispose();
    expect(await readdir(graphs.dir)).toEqual(made);
  });

  it('writes one graph per model version, only where it may write, and a failed write costs only the speed', async () => {
    const folder = path.join(scratch.dir, 'model');
    await cp(IMMICH_MODEL, folder, { recursive: true });
    const graphFile = path.join(folder, 'textual', 'model.onnx');
    const dir = path.join(scratch.dir, 'graphs');
    const accept = async (graph: string) => graph;
    expect(await new TextGraphs(dir, quiet, () => false).settle(graphFile, CONTEXT, accept)).toBeNull();
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);

    const graphs = new TextGraphs(dir, quiet);
    let first = await graphs.settle(graphFile, CONTEXT, accept);
    // What a crash in the middle of a write left is removed by the next write.
    await writeFile(`${first as string}.999999999-0123abcd.tmp`, 'half a graph');
    await graphs.forget(graphFile, CONTEXT);
    first = await graphs.settle(graphFile, CONTEXT, accept);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(graphs.verified(graphFile, CONTEXT)).toBe(first);
    // A new version of the model (downloaded again) gets its own graph; the old one's go.
    await utimes(graphFile, new Date(), new Date(Date.now() + 60_000));
    expect(graphs.verified(graphFile, CONTEXT)).toBeNull();
    const second = await graphs.settle(graphFile, CONTEXT, accept);
    expect(second).not.toBe(first);
    expect((await readdir(dir)).sort()).toEqual([`${path.basename(second as string, '.onnx')}.ok`, path.basename(second as string)]);

    const logged: string[] = [];
    await writeFile(path.join(scratch.dir, 'a-file'), '');
    const unwritable = new TextGraphs(path.join(scratch.dir, 'a-file', 'graphs'), (line) => logged.push(line));
    const model = await ClipModel.load(folder, { provider: 'cpu', textGraphs: unwritable });
    expect((await model.startedTextSessionPlan()).modelPath).toBe(graphFile);
    expect(await model.embedTexts(TEXTS)).toHaveLength(TEXTS.length);
    expect(logged).toEqual([expect.stringMatching(/^Could not save a faster text graph in \S*a-file\S* \(.*\); searches use the model's own, a little slower\.$/)]);
    await model.dispose();
  });
});
