import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { LabEntry } from '../../lab/discover.js';
import { glyph } from '../theme.js';

/** Chooses a lab when there are several: arrows or j/k, enter; q quits. */
export function LabMenu({
  labs,
  onChoose,
  onQuit,
}: {
  labs: LabEntry[];
  onChoose: (lab: LabEntry) => void;
  onQuit: () => void;
}) {
  const [selected, setSelected] = useState(0);
  // The selection as of the last key, not the last render: down then enter, typed fast,
  // opens the lab the student moved to.
  const current = useRef(0);
  const select = (index: number) => {
    current.current = Math.max(0, Math.min(labs.length - 1, index));
    setSelected(current.current);
  };
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) onQuit();
    else if (key.upArrow || input === 'k') select(current.current - 1);
    else if (key.downArrow || input === 'j') select(current.current + 1);
    else if (key.return) {
      const lab = labs[current.current];
      if (lab) onChoose(lab);
    } else if (/^[1-9]$/.test(input) && labs[Number(input) - 1]) onChoose(labs[Number(input) - 1]!);
  });
  return (
    <Box flexDirection="column">
      <Text bold color="cyan">
        Choose a lab
      </Text>
      <Text> </Text>
      {labs.map((lab, i) => (
        <Text key={lab.id} wrap="truncate" inverse={i === selected}>
          {i === selected ? glyph.pointer : ' '} {i + 1}. <Text bold>{lab.title}</Text>{' '}
          <Text dimColor>({lab.id})</Text>
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor>↑↓ choose · enter open · q quit</Text>
    </Box>
  );
}
