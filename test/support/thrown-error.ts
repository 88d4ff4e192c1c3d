/** Runs `act` and returns the error it threw synchronously, failing the test when it threw none. */
export function errorThrownBy(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected an Error, got ${String(error)}`);
  }
  throw new Error('expected an error, nothing was thrown');
}
