#!/usr/bin/env node
import 'reflect-metadata';
import { MODULES } from '../modules';
import { runCliProcess } from './cli-process';

runCliProcess(MODULES);
