/**
 * How bench-instructions.ts and a measuring child of bench.ts agree on where the measured work starts and
 * ends: the child is given a file prefix in `WINDOW_SIGNAL_ENV`, writes `<prefix>.ready` just before its
 * clocks start and `<prefix>.done` just after they stop, and waits for `<prefix>.go` and `<prefix>.resume`
 * in between, while the parent turns its counting on and off.
 */
export const WINDOW_SIGNAL_ENV = 'BENCH_WINDOW_SIGNAL';

export const WindowEvent = { READY: 'ready', GO: 'go', DONE: 'done', RESUME: 'resume' } as const;
export type WindowEvent = typeof WindowEvent[keyof typeof WindowEvent];

/** The file that signals `event` for a child given `prefix`. */
export const windowFile = (prefix: string, event: WindowEvent) => `${prefix}.${event}`;
