import { installSourceMappedStackTraces } from './source-mapped-stack-traces';

// Injected ahead of every bundle's own code by esbuild (lib/constructs/service-function.ts), so
// every stack trace a function formats is mapped to the TypeScript sources on demand.
installSourceMappedStackTraces();
