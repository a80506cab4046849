import { fileURLToPath } from 'node:url';

/** The git-ignored folder scripts/fetch-models.sh fills; tests use the real models, never mocks. */
export const MODELS_DIR = fileURLToPath(new URL('../../models', import.meta.url));

export const fixture = (path: string): string => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
