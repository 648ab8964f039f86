/**
 * The most results one search answers. Apart from the schema in options.ts, which holds it too:
 * the window asks for pages this large, and importing the schema would bring zod into its bundle,
 * whose check for `Function` breaks the window's CSP.
 */
export const MAX_PAGE_SIZE = 1000;
