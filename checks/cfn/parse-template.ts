/**
 * A CloudFormation template, YAML or JSON, as data: the short-form intrinsics (!Ref, !Sub,
 * !GetAtt, ...) become their long forms ({"Ref": ...}, {"Fn::Sub": ...}), as CloudFormation
 * reads them.
 */
import { LineCounter, parseDocument, type Tags } from 'yaml';

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'ToJsonString',
  'Length',
];

function longForm(tag: string, value: unknown): Record<string, unknown> {
  if (tag === 'Ref' || tag === 'Condition') return { [tag]: value };
  // !GetAtt Role.Arn is the scalar shorthand of {"Fn::GetAtt": ["Role", "Arn"]}.
  if (tag === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${tag}`]: value };
}

const cloudFormationTags: Tags = ['Ref', 'Condition', ...FUNCTIONS].flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => longForm(name, value) },
  {
    tag: `!${name}`,
    collection: 'seq' as const,
    resolve: (value: { toJSON(): unknown }) => longForm(name, value.toJSON()),
  },
  {
    tag: `!${name}`,
    collection: 'map' as const,
    resolve: (value: { toJSON(): unknown }) => longForm(name, value.toJSON()),
  },
]);

export type ParsedTemplate =
  { ok: true; template: Record<string, unknown> } | { ok: false; problems: string[] };

/** Parses template text; problems carry `line:col`, as an editor shows them. */
export function parseTemplate(text: string, file: string): ParsedTemplate {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    customTags: cloudFormationTags,
    lineCounter,
    prettyErrors: false,
  });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return `${file}:${at.line}:${at.col}: ${e.message.split('\n')[0]}`;
      }),
    };
  }
  const template = document.toJSON() as unknown;
  if (!template || typeof template !== 'object' || Array.isArray(template)) {
    return {
      ok: false,
      problems: [`${file}: a template must be a mapping with a Resources section`],
    };
  }
  return { ok: true, template: template as Record<string, unknown> };
}
