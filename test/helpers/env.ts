// What the integration global setup started, as seen from a test worker.
export function testStack(): { temporalAddress: string; namespace: string; mongodbUri: string; dataDir: string } {
  const { TEST_TEMPORAL_ADDRESS, TEST_TEMPORAL_NAMESPACE, TEST_MONGODB_URI, TEST_DATA_DIR } = process.env;
  if (!TEST_TEMPORAL_ADDRESS || !TEST_MONGODB_URI || !TEST_DATA_DIR) {
    throw new Error('The integration stack is not running: run these tests through `npm test` or `jest --selectProjects integration`.');
  }
  return { temporalAddress: TEST_TEMPORAL_ADDRESS, namespace: TEST_TEMPORAL_NAMESPACE ?? 'default', mongodbUri: TEST_MONGODB_URI, dataDir: TEST_DATA_DIR };
}

let counter = 0;
/** A unique ID per test run and call, so tests never share workflows, task queues or databases. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
