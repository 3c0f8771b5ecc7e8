import { z } from 'zod';
import { isInputRequired } from '../mcp/input-required.js';
import { ToolError, type ToolContext } from '../mcp/tool.js';

/**
 * What every write tool shares: dry runs, the list of changes an update makes, and the confirmation
 * a delete needs (elicitation when the client can ask its user, else confirm + the name repeated).
 */

export const dryRun = z
  .boolean()
  .optional()
  .describe('true: preview, write nothing');

// old and new may be any JSON value. Declared as properties they would be bare `{}` schemas (strict
// clients warn on those), and six-way type unions cost 1.5 KB of tools/list, so they are described.
export const Change = z.object({ field: z.string() }).passthrough().describe('{field, old, new}: a column, its value before and after');
export type Change = { field: string; old: unknown; new: unknown };

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The fields of `patch` whose value differs from `shown`: the object as the caller may see it (masked
 * for a caller who may not see secrets), in patch order. Comparing against the stored value instead
 * would make a dry run an oracle: an unchanged field left out confirms a guess of a masked value.
 * Secret fields are reported as changed without either value.
 */
export function changesOf(shown: Record<string, unknown>, patch: Record<string, unknown>, secret: ReadonlySet<string>): Change[] {
  const out: Change[] = [];
  const shownOld = shown;
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined || same(value, shown[field])) continue;
    out.push(secret.has(field) ? { field, old: '(secret)', new: '(changed)' } : { field, old: shownOld[field] ?? null, new: value });
  }
  return out;
}

/**
 * Object text (a display name, a client id) as it may appear in a question put to a human: control,
 * format and separator characters (line breaks, bidi overrides) become spaces, the length is capped,
 * and the result is quoted, so an object cannot write its own lines into the question.
 */
export function quoted(text: unknown, max = 60): string {
  const flat = String(text ?? '').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat);
}

/** The confirmation arguments of every delete tool. */
export const confirmFields = {
  confirm: z
    .boolean()
    .optional()
    .describe('true, with name: delete (a client that can ask its user still does)'),
  name: z.string().optional().describe('The id\'s part after "/", repeated'),
  dry_run: dryRun,
};

export const DeleteOutput = z.object({
  deleted: z.boolean(),
  id: z.string(),
  organization: z.string(),
  dryRun: z.boolean().optional(),
  wouldDelete: z.record(z.string(), z.unknown()).optional(),
  howToConfirm: z.string().optional(),
  reason: z.string().optional(),
});
export type DeleteOutput = z.infer<typeof DeleteOutput>;

export interface DeletionTarget {
  /** "application" or "user", for messages. */
  kind: string;
  id: string;
  /** The name the caller must repeat. */
  name: string;
  organization: string;
  /** What would be deleted, as the caller may see it (no secrets). */
  preview: Record<string, unknown>;
  /** The question put to the human when the client supports elicitation. */
  question: string;
}

/**
 * Decides whether a delete may go ahead. Returns undefined to delete, or the result to return
 * instead (nothing deleted). Order: dry run; a wrong name is an error; elicitation whenever the
 * client can ask its user; otherwise confirm with the name repeated; otherwise a preview.
 */
export async function confirmDeletion(
  ctx: ToolContext,
  args: { confirm?: boolean; name?: string; dry_run?: boolean },
  target: DeletionTarget,
): Promise<DeleteOutput | undefined> {
  const base = { deleted: false, id: target.id, organization: target.organization, wouldDelete: target.preview };
  const howToConfirm = `call again with confirm: true and name: ${JSON.stringify(target.name)}`;
  if (args.dry_run) return { ...base, dryRun: true };
  if (args.confirm === true && args.name !== target.name) {
    throw new ToolError(
      `name ${JSON.stringify(args.name ?? '')} does not match ${target.kind} ${target.id}; nothing was deleted. To delete it, ${howToConfirm}`,
    );
  }
  // A client that can ask its user always does: confirm + name must not let an agent (or a prompt
  // injected into it) skip a human who is there to be asked.
  if (!ctx.canElicit) {
    if (args.confirm === true) return undefined;
    return { ...base, howToConfirm, reason: `deleting ${target.id} needs confirmation; nothing was deleted` };
  }
  let outcome;
  try {
    outcome = await ctx.elicit(target.question, {
      type: 'object',
      properties: {
        confirm: { type: 'boolean', title: `Delete ${quoted(target.id)}`, description: 'Check to delete it. This cannot be undone.', default: false },
      },
      required: ['confirm'],
    });
  } catch (err) {
    // 2026 era: the question travels back in the result (input_required); the retry brings the answer.
    if (ctx.signal.aborted || isInputRequired(err)) throw err;
    // No answer (timeout, or the client failed): nothing is deleted, and no hint to get around the user.
    return { ...base, reason: `the user could not be asked to confirm (${err instanceof Error ? err.message : 'no answer'}); nothing was deleted` };
  }
  if (outcome.action === 'accept' && outcome.content?.confirm === true) return undefined;
  // The human said no: do not tell the agent how to get around them.
  const said = outcome.action === 'accept' ? 'did not confirm' : outcome.action === 'decline' ? 'declined' : 'cancelled';
  return { ...base, reason: `the user ${said} the deletion; nothing was deleted. Do not retry unless the user asks again` };
}
