/** CPU time from Linux's /proc/<pid>/stat, for the benches that report CPU beside wall time. */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat, numbered as proc(5) numbers them (field 1 is the pid). */
function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces: the fields after it start past its closing parenthesis.
  return ['', '', '', ...text.slice(text.lastIndexOf(')') + 2).split(' ')];
}

const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

/** CPU (user + system, all its threads) a process has used so far, in ms. */
export function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  return ms(Number(fields[14]) + Number(fields[15])); // utime + stime
}

/** A meter of the CPU this process's finished children used since the meter last read, in ms. */
export function childCpuMeter(): () => number {
  let seen = 0;
  return () => {
    const fields = statFields(process.pid);
    const total = ms(Number(fields[16]) + Number(fields[17])); // cutime + cstime
    const delta = total - seen;
    seen = total;
    return delta;
  };
}
