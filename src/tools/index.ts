import type { AnyTool } from '../mcp/tool.js';
import { applicationWriteTools } from './application-writes.js';
import { applicationTools } from './applications.js';
import { userWriteTools } from './user-writes.js';
import { userTools } from './users.js';
import { whoami } from './whoami.js';
import { groupTools } from './groups.js';
import { organizationTools } from './organizations.js';
import { permissionTools } from './permissions.js';
import { providerTools } from './providers.js';
import { roleTools } from './roles.js';
import { tokenTools } from './tokens.js';

/** Every tool the server offers, in tools/list order. A new Casdoor resource adds its files and entries here. */
export const TOOLS: readonly AnyTool[] = [
  whoami, ...applicationTools, ...applicationWriteTools, ...userTools, ...userWriteTools,
  ...organizationTools, ...roleTools, ...permissionTools, ...providerTools, ...tokenTools, ...groupTools,
];
