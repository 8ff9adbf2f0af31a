/** Stops what global-setup started (containers, or the local stack if it was not already running). */
export default async function globalTeardown(): Promise<void> {
  const teardown = globalThis.__chorusTeardown;
  if (teardown) await teardown();
}
