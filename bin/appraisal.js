#!/usr/bin/env node
// Entry point of the `appraisal` command: runs the compiled CLI (built by `npm ci` through `prepare`).
import '../dist/src/cli/main.js';
