import type { Context } from 'aws-lambda';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Builds the handler and its clients on the first invocation of the container and reuses them
 * afterwards. Lambda entry points use it so that importing a function module (as the local
 * runtime and the tests do) reads no environment and creates no client.
 */
export function lazyHandler<E, R>(build: () => Handler<E, R>): Handler<E, R> {
  let built: Handler<E, R> | undefined;
  return (event, context) => {
    built ??= build();
    return built(event, context);
  };
}
