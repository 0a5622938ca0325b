/**
 * The companies whose callbacks the stack stores (CDK context `companyIds`, consume's
 * `COMPANY_IDS`, the local stack's `--companies`): plain text rules with no I/O, so the CDK app
 * validates the context with the same rules the function applies.
 */

/** Parses a comma-separated list of 百应 company ids; throws an Error naming `what` on a bad entry. */
export const parseCompanyIds = (text: string, what: string): string[] => {
  const ids = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const id of ids) {
    if (!/^\d+$/.test(id)) throw new Error(`${what}: "${id}" is not a 百应 company id (digits only)`);
  }
  // 百应 ids are numbers: `007` and `7` are one company, as the records store them.
  return [...new Set(ids.map((id) => id.replace(/^0+(?=\d)/, '')))];
};
