import type { CheckContext, CheckOutcome } from '../define.js';
import { failed } from '../support/outcome.js';
import { roleNameOf } from './role-ref.js';

/** The verdict when the role is not there, naming what was looked for and where. */
export function missingRole(ctx: CheckContext, ref: string): CheckOutcome {
  const name = roleNameOf(ref);
  return failed(`no role named ${name} in account ${ctx.target.account}`, {
    role: name,
    account: ctx.target.account,
  });
}
