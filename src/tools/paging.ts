import { z } from 'zod';

/** The paging arguments of every list tool; their bounds and defaults say all, so no descriptions. */
export const pageArgs = () => ({
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(100).default(20),
});

/** What every list tool returns beside its items. */
export const pageFields = {
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  hasMore: z.boolean(),
};

export function pageInfo(args: { page: number; pageSize: number }, total: number): z.infer<z.ZodObject<typeof pageFields>> {
  return { total, page: args.page, pageSize: args.pageSize, hasMore: args.page * args.pageSize < total };
}
