/**
 * Runs Prisma text through Prisma's own formatter (`formatSchema` from @prisma/internals, WASM), so
 * the models file is exactly what `prisma format` leaves.
 */
import internals from '@prisma/internals';

/**
 * The formatter's time grows faster than linearly with the text it gets (≈3 s for 200 models of 50
 * fields in one call, ≈0.5 s in chunks of about 150 lines), and it formats each top-level block on its own (blank line
 * between blocks), so blocks are formatted in chunks and joined. The tests check that formatting the
 * joined text once more changes nothing.
 */
const CHUNK_LINES = 150;

/** Formats top-level blocks (models, enums, comment headers) and joins them with one blank line. */
export async function formatPrismaBlocks(blocks: readonly string[], fileName = 'bubble.prisma'): Promise<string> {
  const chunks: string[] = [];
  let current: string[] = [];
  let lines = 0;
  for (const block of blocks) {
    current.push(block);
    lines += block.split('\n').length;
    if (lines >= CHUNK_LINES) {
      chunks.push(current.join('\n\n'));
      current = [];
      lines = 0;
    }
  }
  if (current.length > 0) chunks.push(current.join('\n\n'));
  const formatted: string[] = [];
  for (const chunk of chunks) formatted.push(await formatPrisma(chunk, fileName));
  return formatted.join('\n');
}

/** One call of Prisma's formatter. */
export async function formatPrisma(text: string, fileName = 'bubble.prisma'): Promise<string> {
  const result = await internals.formatSchema({ schemas: [[fileName, text]] });
  const first = result[0];
  if (first === undefined) throw new Error('Prisma formatter returned no output');
  return first[1];
}
