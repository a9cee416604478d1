import { describe, expect, it } from 'vitest';
import { interpolate, parseVarAssignment, referencedVars } from '../../src/lab/vars.js';

describe('lab variables', () => {
  it('fills ${name} everywhere in a document, keys included', () => {
    expect(
      interpolate(
        { Resource: 'arn:aws:s3:::${bucket}/*', list: ['${bucket}'], '${key}': 1 },
        { bucket: 'b', key: 'k' },
      ),
    ).toEqual({ Resource: 'arn:aws:s3:::b/*', list: ['b'], k: 1 });
  });

  it('keeps $${NAME} as a literal ${NAME}, for shell commands', () => {
    expect(interpolate('echo $${HOME} ${who}', { who: 'me' })).toBe('echo ${HOME} me');
    expect(referencedVars('echo $${HOME} ${who}')).toEqual(['who']);
  });

  it('refuses an undefined variable rather than leaving it in', () => {
    expect(() => interpolate('${nope}', {})).toThrow('undefined variable ${nope}');
  });

  it('parses --var name=value, values with = and spaces included', () => {
    expect(parseVarAssignment('bucket=my-bucket-42')).toEqual(['bucket', 'my-bucket-42']);
    expect(parseVarAssignment('q=a=b c')).toEqual(['q', 'a=b c']);
    expect(parseVarAssignment('=x')).toBeUndefined();
    expect(parseVarAssignment('no-equals')).toBeUndefined();
  });
});
