/** The error `act` throws; the test fails when it throws nothing. */
export function thrownBy(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
