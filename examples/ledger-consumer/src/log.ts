export type Log = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export const errorText = (error: unknown) =>
  error instanceof Error ? error.message : String(error);
