import { Box, Text, useInput } from 'ink';
import { useSpinner } from '../use-spinner.js';

/** The first frame: shown at once while the lab loads and the target is reached. */
export function Splash({ message, onQuit }: { message: string; onQuit: () => void }) {
  const spinner = useSpinner(true);
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) onQuit();
  });
  return (
    <Box flexDirection="column">
      <Text bold>labwright</Text>
      <Text>
        <Text color="cyan">{spinner}</Text> {message}
      </Text>
    </Box>
  );
}
