/** Runs the tests that need no Temporal or MongoDB (client ↔ emulator over real HTTP) without starting the stack. */
const base = require('../../jest.config.js');
const integration = base.projects.find((p) => p.displayName === 'integration');
module.exports = {
  rootDir: '../..',
  projects: [{ ...integration, rootDir: '../..', displayName: 'nostack', globalSetup: undefined, globalTeardown: undefined }],
};
