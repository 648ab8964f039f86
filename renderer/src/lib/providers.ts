/** Names people recognise for onnxruntime's execution providers and the app's preferences. */
const LABELS: Record<string, string> = {
  auto: 'Automatic (fastest available)',
  gpu: 'Any GPU',
  cpu: 'CPU',
  webgpu: 'WebGPU',
  dml: 'DirectML (Windows GPUs)',
  coreml: 'Core ML (Apple)',
  cuda: 'CUDA (NVIDIA GPUs)',
};

export function providerLabel(name: string): string {
  return LABELS[name] ?? name;
}

/** Whether a preference can run here: `auto` and `gpu` choose among the available ones. */
export function isChoiceAvailable(choice: string, available: readonly string[]): boolean {
  if (choice === 'auto') return true;
  if (choice === 'gpu') return available.some((name) => name !== 'cpu');
  return available.includes(choice);
}
