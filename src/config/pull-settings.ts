import { resolve } from 'node:path';

/** What `switchboard pull` needs: where models go, and the hub's address and token (HF_ENDPOINT, HF_TOKEN, as Hugging Face's own tools read them). */
export function pullSettings(env: NodeJS.ProcessEnv = process.env): { modelsDir: string; hfEndpoint: string; hfToken: string | undefined } {
  const dataDir = env.SWITCHBOARD_DATA_DIR || './data';
  return {
    modelsDir: resolve(dataDir, 'models'),
    hfEndpoint: env.HF_ENDPOINT || 'https://huggingface.co',
    hfToken: env.HF_TOKEN || undefined,
  };
}
