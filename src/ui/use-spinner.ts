import { useEffect, useState } from 'react';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner frame that advances while `active`; still otherwise, so idle screens do not redraw. */
export function useSpinner(active: boolean): string {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setFrame((n) => (n + 1) % frames.length), 100);
    return () => clearInterval(timer);
  }, [active]);
  return frames[frame] ?? '⠋';
}
