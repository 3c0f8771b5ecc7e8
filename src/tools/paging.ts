import { z } from 'zod';

/** The paging arguments of every list tool; `noun` names what a page holds ("Users"). */
export const pageArgs = (noun: string) => ({
  page: z.number().int().min(1).max(100_000).default(1).describe('Page number, from 1'),
  pageSize: z.number().int().min(1).max(100).default(20).describe(`${noun} per page (at most 100)`),
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
