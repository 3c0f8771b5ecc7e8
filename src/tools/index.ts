import type { AnyTool } from '../mcp/tool.js';
import { applicationTools } from './applications.js';

/** Every tool the server offers. A new Casdoor resource adds one file and one entry here. */
export const TOOLS: readonly AnyTool[] = [...applicationTools];
