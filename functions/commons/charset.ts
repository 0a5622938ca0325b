/** The charset a Content-Type header declares (lower case), or UTF-8 when it declares none. */
export const charsetOf = (contentType: string | undefined): string => {
  const match = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase() ?? 'utf-8';
};
