import type { TargetInfo } from '../../aws/target.js';
import { lineWidth, truncateLine, type Line } from '../text/lines.js';
import { style } from '../theme.js';

/**
 * The two header lines: the lab and the score, then where the work goes. The target line
 * is never cut short of its kind and account, so nobody mistakes real AWS for the sandbox.
 */
export function headerLines(
  title: string,
  target: TargetInfo,
  earned: number,
  possible: number,
  width: number,
): Line[] {
  const bar = progressBar(earned, possible, Math.min(20, Math.max(6, Math.floor(width / 8))));
  const scoreText: Line = [{ text: ` ${earned}/${possible} `, style: style.strong }, ...bar];
  const titleRoom = Math.max(10, width - lineWidth(scoreText) - 1);
  const titleLine = truncateLine([{ text: title, style: style.strong }], titleRoom);
  const pad = Math.max(1, width - lineWidth(titleLine) - lineWidth(scoreText));
  return [
    [...titleLine, { text: ' '.repeat(pad) }, ...scoreText],
    truncateLine(targetLine(target), width),
  ];
}

export function targetLine(target: TargetInfo): Line {
  switch (target.kind) {
    case 'sandbox':
      return [
        { text: ' SANDBOX ', style: { inverse: true, color: 'green', bold: true } },
        { text: ` account ${target.account} · ${target.region}` },
        ...(target.endpoint ? [{ text: ` · ${target.endpoint}` }] : []),
        { text: ' · offline, nothing is billed', style: style.muted },
      ];
    case 'endpoint':
      return [
        { text: ' LOCAL ENDPOINT ', style: { inverse: true, color: 'cyan', bold: true } },
        { text: ` ${target.endpoint ?? ''} · account ${target.account} · ${target.region}` },
      ];
    case 'aws':
      return [
        { text: ' REAL AWS ', style: { inverse: true, color: 'red', bold: true } },
        { text: ' account ' },
        { text: target.account, style: style.warning },
        { text: ` · ${target.region}` },
        ...(target.profile ? [{ text: ` · profile ${target.profile}` }] : []),
        { text: ' · changes are real and may cost money', style: style.warning },
      ];
  }
}

/** A bar of `width` cells and the percentage, e.g. ██████░░░░ 60%. */
export function progressBar(earned: number, possible: number, width: number): Line {
  const ratio = possible > 0 ? Math.min(1, earned / possible) : 0;
  const filled = Math.round(ratio * width);
  return [
    { text: '█'.repeat(filled), style: style.passed },
    { text: '░'.repeat(width - filled), style: style.muted },
    { text: ` ${Math.round(ratio * 100)}%`.padStart(5) },
  ];
}
