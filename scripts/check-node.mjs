// Riposte runs on Node.js 22 (the Lambda runtime). `npm ci` installs it as the `node`
// devDependency and npm scripts put it first on PATH; this guard catches an install made
// with --ignore-scripts, where scripts would silently fall back to the system Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `riposte: Node.js ${process.versions.node} is running, 22 or later is required.\n` +
      'Run `npm ci` (without --ignore-scripts) so node_modules/.bin/node is installed, then use npm scripts or npx.',
  );
  process.exit(1);
}
