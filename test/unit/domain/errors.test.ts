import { describe, expect, it } from 'vitest';
import {
  CaseNotFoundError,
  CollectionsError,
  ConcurrentUpdateError,
  ConfigurationError,
  InvalidRequestError,
  LivemodeMismatchError,
  MessageInFlightError,
  SignatureVerificationError,
  UnsupportedEventError,
} from '../../../shared/domain/errors.ts';

describe('CollectionsError taxonomy', () => {
  it.each([
    [SignatureVerificationError, 400, true],
    [InvalidRequestError, 400, true],
    [UnsupportedEventError, 400, true],
    [LivemodeMismatchError, 400, true],
    [CaseNotFoundError, 404, true],
    [ConcurrentUpdateError, 409, true],
    [MessageInFlightError, 409, true],
    [ConfigurationError, 500, false],
    [CollectionsError, 500, false],
  ])('%o answers %i and exposes its message: %s', (ErrorClass, statusCode, expose) => {
    // Act
    const error = new ErrorClass('what went wrong', { cause: new Error('root cause') });

    // Assess
    expect(error).toBeInstanceOf(CollectionsError);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.statusCode).toBe(statusCode);
    expect(error.expose).toBe(expose);
    expect(error.cause).toEqual(new Error('root cause'));
  });
});
