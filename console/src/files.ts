// Files the person picks or drops, sent as multipart file parts (api.ts gqlWithFiles).

export function isVideo(file: File): boolean {
  return file.type.startsWith('video/') || /\.(mp4|mov|webm|mkv|avi)$/i.test(file.name);
}

/** Splits a list into batches of at most `size` (the server's VISAGE_MAX_BATCH_IMAGES default is 20). */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
