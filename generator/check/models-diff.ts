/**
 * A short, readable summary of how a models file on disk differs from what the dictionary renders:
 * the CI check's failure message. Compares top-level blocks (models, enums) by name, then the
 * fields of changed blocks by their first word.
 */

interface Block {
  name: string;
  lines: string[];
}

/** `model X {` / `enum X {` blocks by name; text outside blocks is collected under ''. */
function blocksOf(text: string): Map<string, Block> {
  const blocks = new Map<string, Block>();
  let current: Block | null = null;
  const loose: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const open = /^\s*(model|enum|view|type)\s+(\S+)\s*\{/.exec(line);
    if (current === null && open !== null) {
      current = { name: `${open[1]} ${open[2]}`, lines: [] };
      continue;
    }
    if (current !== null) {
      if (/^\s*\}\s*$/.test(line)) {
        blocks.set(current.name, current);
        current = null;
      } else {
        current.lines.push(line.trim());
      }
      continue;
    }
    loose.push(line.trim());
  }
  blocks.set('', { name: '', lines: loose.filter((l) => l !== '') });
  return blocks;
}

/** Field (or attribute) lines of a block keyed by their first word; comments and blanks skipped. */
function membersOf(block: Block): Map<string, string> {
  const members = new Map<string, string>();
  for (const line of block.lines) {
    if (line === '' || line.startsWith('//')) continue;
    const word = line.split(/\s+/)[0]!;
    members.set(word.startsWith('@@') ? line : word, line);
  }
  return members;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line per difference, at most `limit` lines; empty string when the texts are equal. */
export function summariseModelsDiff(onDisk: string, expected: string, limit = 12): string {
  if (onDisk === expected) return '';
  const before = blocksOf(onDisk);
  const after = blocksOf(expected);
  const lines: string[] = [];
  for (const [name, block] of after) {
    if (name === '') continue;
    const old = before.get(name);
    if (old === undefined) {
      lines.push(`+ ${name} (missing from the file)`);
      continue;
    }
    if (old.lines.join('\n') === block.lines.join('\n')) continue;
    const was = membersOf(old);
    const now = membersOf(block);
    const added = [...now.keys()].filter((k) => !was.has(k));
    const removed = [...was.keys()].filter((k) => !now.has(k));
    const changed = [...now.keys()].filter((k) => was.has(k) && was.get(k) !== now.get(k));
    const parts = [
      ...(added.length > 0
        ? [`${plural(added.length, 'field')} missing (${added.slice(0, 3).join(', ')}${added.length > 3 ? ', …' : ''})`]
        : []),
      ...(removed.length > 0
        ? [`${plural(removed.length, 'field')} not expected (${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ', …' : ''})`]
        : []),
      ...(changed.length > 0
        ? [`${plural(changed.length, 'field')} changed (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', …' : ''})`]
        : []),
    ];
    lines.push(`~ ${name}: ${parts.length > 0 ? parts.join('; ') : 'comments or order differ'}`);
  }
  for (const name of before.keys()) {
    if (name !== '' && !after.has(name)) lines.push(`- ${name} (not expected)`);
  }
  if (lines.length === 0) lines.push('~ comments, order or whitespace differ');
  return lines.length > limit ? [...lines.slice(0, limit), `… and ${lines.length - limit} more`].join('\n') : lines.join('\n');
}
