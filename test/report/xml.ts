/**
 * A strict XML 1.0 well-formedness check, enough for the SVG we emit and strict where it matters:
 * one root element, balanced and properly nested tags, quoted attributes without duplicates, no raw
 * `<` or `&` in text or attributes, only known or numeric entities, only characters XML allows.
 * Returns the problems found (empty = well-formed) and the element count.
 */
const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;

export function checkXml(text: string): { errors: string[]; elements: Map<string, number> } {
  const errors: string[] = [];
  const elements = new Map<string, number>();
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const ok = cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
    if (!ok) errors.push(`character U+${cp.toString(16)} is not allowed in XML`);
  }
  const checkText = (s: string, where: string): void => {
    for (let k = s.indexOf('&'); k !== -1; k = s.indexOf('&', k + 1)) {
      if (!ENTITY.test(s.slice(k))) errors.push(`bad entity in ${where}: ${s.slice(k, k + 12)}`);
    }
    if (s.includes('<')) errors.push(`raw < in ${where}`);
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end === -1) errors.push('unterminated XML declaration');
    i = end + 2;
  }
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt === -1 ? text.slice(i) : text.slice(i, lt);
    if (stack.length === 0 && chunk.trim() !== '') errors.push(`text outside the root element: ${chunk.trim().slice(0, 20)}`);
    checkText(chunk, 'text');
    if (lt === -1) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end === -1) {
        errors.push('unterminated comment');
        break;
      }
      i = end + 3;
      continue;
    }
    const gt = text.indexOf('>', lt);
    if (gt === -1) {
      errors.push('unterminated tag');
      break;
    }
    const tag = text.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) errors.push(`closing </${name}> does not match <${open ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = NAME.exec(body);
    if (!nameMatch) {
      errors.push(`bad tag name: <${tag.slice(0, 20)}`);
      continue;
    }
    const name = nameMatch[0];
    elements.set(name, (elements.get(name) ?? 0) + 1);
    let rest = body.slice(name.length);
    const seen = new Set<string>();
    while (rest.trim() !== '') {
      const m = /^\s+([A-Za-z_:][A-Za-z0-9_.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(rest);
      if (!m) {
        errors.push(`bad attribute syntax in <${name}: ${rest.slice(0, 30)}`);
        break;
      }
      const attr = m[1]!;
      if (seen.has(attr)) errors.push(`duplicate attribute ${attr} on <${name}>`);
      seen.add(attr);
      checkText(m[3] ?? m[4] ?? '', `attribute ${attr}`);
      rest = rest.slice(m[0].length);
    }
    if (stack.length === 0) roots += 1;
    if (!selfClosing) stack.push(name);
  }
  if (stack.length > 0) errors.push(`unclosed elements: ${stack.join(', ')}`);
  if (roots !== 1) errors.push(`expected exactly one root element, found ${roots}`);
  return { errors, elements };
}
