/**
 * The sample app end to end without the Prisma CLI: the fake Bubble server, a dictionary introspected
 * from it, the generator's manifest built from that dictionary, and its tables created in a database.
 */
import { startFakeBubble, type FakeBubble, type FakeBubbleOptions } from '../../../runtime/fake-bubble/index.js';
import { createBubbleClient, createGate, type BubbleClient } from '../../../runtime/bubble/index.js';
import { introspect } from '../../../runtime/introspect/index.js';
import { buildManifest } from '../../../generator/manifest/build.js';
import type { Manifest } from '../../../core/manifest/schema.js';

export async function startSampleApp(options: FakeBubbleOptions): Promise<{ fake: FakeBubble; manifest: Manifest }> {
  const fake = await startFakeBubble(options);
  const { dictionary } = await introspect({ client: client(fake, 0, 4), sample: 50 });
  const { manifest } = buildManifest(dictionary, {
    generatedBy: 'test',
    dictionaryHash: 'test',
    modelsFile: 'bubble.prisma',
    schemaDir: '.',
    dictionary: 'dictionary.json',
  });
  return { fake, manifest };
}

/** A client with a private gate (tests must not share the per-app gate across cases). */
export function client(fake: FakeBubble, rateLimitRpm: number, concurrency: number): BubbleClient {
  return createBubbleClient({
    appUrl: fake.url,
    token: fake.token,
    rateLimitRpm,
    maxInFlight: concurrency,
    gate: createGate(rateLimitRpm, concurrency),
  });
}
