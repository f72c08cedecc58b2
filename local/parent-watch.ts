/**
 * Notices when whatever launched this process is gone. `npx dcs-migrate emulator` runs as npm → `sh -c` → node:
 * a SIGTERM to npx ends npm and the shell without passing the signal on (this process is re-parented and keeps
 * its redis-servers running), and a SIGKILL to npx leaves the shell waiting on us. redis-server cannot watch
 * for either, so a foreground command watches its parent and, through `sh -c` and npm, the launchers above it
 * (up to the first process that is neither, e.g. the user's shell), and stops when one of them ends.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Watched {
  pid: number;
  /** Start time from /proc (clock ticks since boot), so a reused pid does not pass for the process we watch. */
  startTime: string | undefined;
  description: string;
}

function procStat(pid: number): { ppid: number; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)", which may itself hold spaces: state, ppid, …, starttime (field 22 of the whole line).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function procArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** `sh -c …` (as npm runs a bin or script) or npm / npx itself (npm sets its title to `npm exec …`). */
export function isLauncher(argv: readonly string[]): boolean {
  const [first = '', second = ''] = argv;
  if (['sh', 'bash', 'dash', 'zsh'].includes(path.basename(first)) && second === '-c') return true;
  if (/^(npm|npx)( |$)/.test(first) || ['npm', 'npx'].includes(path.basename(first))) return true;
  return argv.slice(0, 2).some((arg) => /(^|\/)(npm|npx)-cli\.js$/.test(arg));
}

/** The program's name only: its arguments may hold a secret (`--instance id:password`). */
function describeProcess(pid: number): string {
  const program = path.basename(procArgv(pid)[0]?.split(' ')[0] ?? '');
  return program ? `${program} (pid ${pid})` : `pid ${pid}`;
}

/** The parent, then each launcher's parent while the process above is a launcher (Linux; just the parent elsewhere). */
function launchers(): Watched[] {
  const watched: Watched[] = [];
  let pid = process.ppid;
  while (pid > 1 && watched.length < 8) {
    watched.push({ pid, startTime: procStat(pid)?.startTime, description: describeProcess(pid) });
    if (!isLauncher(procArgv(pid))) break;
    pid = procStat(pid)?.ppid ?? 0;
  }
  return watched;
}

function gone(entry: Watched): boolean {
  if (entry.startTime === undefined) {
    try {
      process.kill(entry.pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return procStat(entry.pid)?.startTime !== entry.startTime;
}

/**
 * Calls `onGone` once when the parent or a launcher above it exits (checked every `intervalMs`); returns a function
 * that stops watching. Watches nothing when started as an orphan (parent pid 1, e.g. under a container's init).
 */
export function watchLaunchers(onGone: (description: string) => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const watched = launchers();
  if (watched.length === 0) return () => {};
  const timer = setInterval(() => {
    const ended = process.ppid !== parent ? watched[0] : watched.find(gone);
    if (!ended) return;
    clearInterval(timer);
    onGone(`${ended === watched[0] ? 'its parent' : 'its launcher'} ${ended.description} exited`);
  }, intervalMs);
  // Watching must not keep the process alive by itself.
  timer.unref();
  return () => clearInterval(timer);
}
