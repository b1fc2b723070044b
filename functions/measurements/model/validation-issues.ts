import type { z } from 'zod';

/** One problem in a request, named by the dotted path of the offending value (`entries.1.startDate`). */
export interface ValidationIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}
