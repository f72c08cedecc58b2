import type { Emulator } from '../../emulator/index.js';

/** The requests the emulator received since request number `before` (`emu.requests().length` then) for `operations`. */
export function callsSince(emu: Emulator, before: number, ...operations: string[]) {
  return emu
    .requests()
    .slice(before)
    .filter((request) => operations.includes(request.operation ?? ''));
}
