/**
 * A camera's name from its EXIF make and model, as people say it. Many makers repeat their name
 * in the model ("Canon" + "Canon EOS 400D DIGITAL", "NIKON CORPORATION" + "NIKON D750"): then the
 * model alone says it; otherwise the make comes first ("Apple" + "iPhone 12").
 */
export function cameraName(make: string | null, model: string | null): string | null {
  const [maker, named] = [make?.trim() ?? '', model?.trim() ?? ''];
  const brand = maker.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (named && brand && named.toLowerCase().startsWith(brand)) return named;
  return [maker, named].filter(Boolean).join(' ') || null;
}
