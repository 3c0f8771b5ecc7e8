import type { AnyTool } from '../mcp/tool.js';
import { applicationWriteTools } from './application-writes.js';
import { applicationTools } from './applications.js';
import { userWriteTools } from './user-writes.js';
import { userTools } from './users.js';
import { whoami } from './whoami.js';

/** Every tool the server offers, in tools/list order. A new Casdoor resource adds its files and entries here. */
export const TOOLS: readonly AnyTool[] = [whoami, ...applicationTools, ...applicationWriteTools, ...userTools, ...userWriteTools];
