// Entry of the SQLite store's writer thread (see sqlite-writer-thread.ts): a worker starts
// without the host's TypeScript loader, so it registers tsx's own before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-writer-worker.ts');
