/** A horizontal bar of `width` cells for a rate in 0..1, in eighths of a cell for precision. */
export function bar(rate: number, width: number): string {
  const eighths = Math.round(Math.min(1, Math.max(0, rate)) * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  const partialGlyph = partial ? (PARTIAL[partial] ?? '') : '';
  return '█'.repeat(full) + partialGlyph + '·'.repeat(width - full - (partial ? 1 : 0));
}

const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

export function formatPercent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}
