/**
 * FilterLogEvents' filter pattern, matched as CloudWatch Logs matches terms and phrases
 * (src/log-filter-pattern.ts). JSON and space-delimited patterns, and an unclosed phrase, are
 * refused rather than silently matching everything.
 */
import {
  compileTermPattern,
  hasUnclosedQuote,
  isStructuredPattern,
  type MessageMatcher,
} from '../../log-filter-pattern.js';
import { AwsError } from '../types.js';

export type EventMatcher = MessageMatcher;

export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const source = pattern ?? '';
  if (isStructuredPattern(source)) {
    throw new AwsError(
      'InvalidParameterException',
      'Invalid filter pattern: JSON and space-delimited filter patterns are not supported by the labwright sandbox',
    );
  }
  if (hasUnclosedQuote(source))
    throw new AwsError('InvalidParameterException', 'Invalid filter pattern');
  return compileTermPattern(source);
}
