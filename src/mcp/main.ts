#!/usr/bin/env node
import 'reflect-metadata';
import { MODULES } from '../modules';
import { serveOwnerMcp } from './mcp-process';

void serveOwnerMcp(MODULES);
