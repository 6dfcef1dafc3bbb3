declare module 'asl-validator' {
  /** Validates an Amazon States Language definition (asl-validator 4). */
  export default function aslValidator(
    definition: unknown,
    options?: { readonly checkArn?: boolean; readonly checkPaths?: boolean },
  ): { readonly isValid: boolean; readonly errors: readonly unknown[] };
}
