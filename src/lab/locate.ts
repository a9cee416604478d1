import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Path } from './path.js';

/**
 * The line and column of the node at `at`, or of its nearest existing ancestor. With `text` and
 * `source`, a string value spanning lines (a `|` or `>` block) is located at the first place
 * the text occurs in it, so a problem on line 12 of instructions points at line 12.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  at: Path,
  preferKey: boolean,
  text?: { find: string; source: string },
): { line: number; col: number } {
  if (text) {
    const node = doc.getIn(at, true) as Node | undefined;
    const block = node && isScalar(node) && String(node.type).startsWith('BLOCK_');
    if (block && node.range) {
      const [start, end] = node.range;
      const offset = text.source.slice(start, end).indexOf(text.find);
      if (offset > 0) return lines.linePos(start + offset);
    }
  }
  for (let depth = at.length; depth >= 0; depth--) {
    const prefix = at.slice(0, depth);
    if (preferKey && depth === at.length && depth > 0) {
      const parent = depth === 1 ? doc.contents : doc.getIn(prefix.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => isScalar(item.key) && item.key.value === prefix[prefix.length - 1],
        );
        const range = (pair?.key as Node | undefined)?.range;
        if (range) return lines.linePos(range[0]);
      }
    }
    const node = (prefix.length === 0 ? doc.contents : doc.getIn(prefix, true)) as Node | undefined;
    if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range)
      return lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}
