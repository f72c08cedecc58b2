/** For `bundleWorkflowCode`: webpack's INFO lines say nothing an operator needs; warnings and errors still show. */
export const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
