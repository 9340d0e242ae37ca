// The browser tests' helpers, in one import.
export { chromiumMissing, launchBrowser, newPage, CHROMIUM, type PageOptions } from './browser.js';
export { assertNoConsoleErrors, consoleErrors, watchConsoleErrors } from './console-errors.js';
export { startConsoleApp, type ConsoleApp } from './console-app.js';
export { screenshot, ARTIFACTS } from './screenshot.js';
export { signIn } from './sign-in.js';
