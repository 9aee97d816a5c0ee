#!/usr/bin/env node
import { runGeneratorBin } from './main.js';

runGeneratorBin(process.argv.slice(2));
