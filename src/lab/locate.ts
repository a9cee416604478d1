import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Path } from './path.js';

/** The line and column of the node at `at`, or of its nearest existing ancestor. */
export function locate(
  doc: Document,
  lines: LineCounter,
  at: Path,
  preferKey: boolean,
): { line: number; col: number } {
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
