// Module hooks that refuse the nats client: an app started with them proves that without NATS_URL it never loads it.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'nats' || specifier.startsWith('nats/'))
    throw new Error(`the nats client was loaded (by ${context.parentURL})`);
  return nextResolve(specifier, context);
}
