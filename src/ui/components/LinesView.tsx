import { Box, Text } from 'ink';
import { lineText, type Line } from '../text/lines.js';

/** Renders lines that are already laid out: one Ink row each, never rewrapped. */
export function LinesView({ lines }: { lines: Line[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, row) => (
        <Text key={row} wrap="truncate">
          {lineText(line) === ''
            ? ' '
            : line.map((span, i) => (
                <Text key={i} {...(span.style ?? {})}>
                  {span.text}
                </Text>
              ))}
        </Text>
      ))}
    </Box>
  );
}
