// Entry of the sandbox's worker thread (see isolated-sandbox.ts): a worker starts without the
// host's TypeScript loader, so it registers tsx's own before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./sandbox-worker.ts');
