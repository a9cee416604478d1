/**
 * A check re-checks, on its side, the filter pattern it sent to CloudWatch Logs, because an
 * emulator may ignore it (moto matches everything when a pattern starts with anything but a
 * letter or a quote). The matching itself is CloudWatch's, in src/log-filter-pattern.ts.
 */
import { hasUnclosedQuote, isStructuredPattern } from '../../src/log-filter-pattern.js';

export {
  compileTermPattern as compileLogFilter,
  isStructuredPattern,
  type MessageMatcher,
} from '../../src/log-filter-pattern.js';

/** Why the pattern cannot be used, or undefined when labwright can match it. */
export function filterPatternProblem(pattern: string): string | undefined {
  if (isStructuredPattern(pattern)) {
    return 'JSON and space-delimited filter patterns are not supported: labwright re-checks every event itself, and matches terms, "quoted phrases", ?any and -excluded terms';
  }
  return hasUnclosedQuote(pattern) ? 'the filter pattern has an unclosed quote' : undefined;
}
