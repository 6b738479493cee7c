// One lint pass for the whole tree: typescript-eslint's type-aware rules (a promise nobody
// awaits, or one handed to a callback that ignores it, is an error), React's rules of hooks,
// and Next's own checks on app/ and components/.
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig([
  globalIgnores([
    ".next/",
    "node_modules/",
    "test-results/",
    "playwright-report/",
    "bench/results/",
    "data/",
    "next-env.d.ts",
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A leading `_` marks a name that a fixed signature forces on us.
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
      // Off on purpose: an `async` method with no `await` is how a synchronous implementation
      // keeps a Promise-returning seam (Store, Scheduler, a route handler) honest, since a throw
      // inside it becomes a rejection the caller already handles. Dropping `async` to please the
      // rule would turn those rejections into synchronous throws.
      "@typescript-eslint/require-await": "off",
      // A name bound late (declared first, assigned once its value exists) but read by a closure
      // written before that assignment stays `let`: as a `const` the closure would read it in
      // the temporal dead zone.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // Rejecting with a value typed any or unknown is how a promise passes on an abort signal's
      // reason or an error it caught, as only-throw-error already allows for `throw`; a literal
      // that is not an Error is still refused.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    files: ["**/*.test.ts"],
    rules: {
      // Vitest's asymmetric matchers (`expect.any(Number)`,
      // `expect.stringMatching(/x/)`) are typed `any` by design, and tests place them in object
      // literals on every other line; the other no-unsafe-* rules stay on for tests.
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
  {
    // The .mjs files (start scripts, worker shims, tool configs) are outside tsconfig (allowJs is
    // off), so they get the syntactic rules only.
    files: ["**/*.{js,mjs,cjs}"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, "@next/next": nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      "react-hooks/rules-of-hooks": "error",
      // An error, not the plugin's default warning: a stale closure in a live view is a bug,
      // and `eslint .` fails CI on errors only.
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    // Sizes a reader takes in at once: a file of at most ~500 lines of code, a function that fits
    // a screen. The sandbox (a simulated network with tables of data) and test suites are exempt.
    files: ["**/*.{ts,tsx}"],
    ignores: ["server/sandbox/**", "**/*.test.ts", "**/*.spec.ts", "**/*-conformance.ts"],
    rules: {
      "max-lines": ["error", { max: 500, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
]);
