import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { type Call, fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';
import { variantOptions } from './gguf-variant-select.tsx';
import { defaultEngineFor, toImportInput } from './import-modal.tsx';

const KIB = 1024;
const variants = [
  { name: 'tiny-F16.gguf', quant: 'F16', files: ['tiny-F16.gguf'], size: 64 * KIB, default: false },
  { name: 'tiny-Q4_K_M.gguf', quant: 'Q4_K_M', files: ['tiny-Q4_K_M.gguf'], size: 24 * KIB, default: true },
  {
    name: 'tiny-Q8_0-00001-of-00002.gguf',
    quant: 'Q8_0',
    files: ['tiny-Q8_0-00001-of-00002.gguf', 'tiny-Q8_0-00002-of-00002.gguf'],
    size: 32 * KIB,
    default: false,
  },
];
const RULE =
  'without a file or quantisation the first present of Q4_K_M, Q8_0 is loaded, else the smallest variant';

const item = (id: string, tags: string[] = []) => ({
  id,
  source: 'huggingface',
  name: id.split('/')[1],
  author: id.split('/')[0],
  task: 'text-generation',
  size: 120 * KIB,
  downloads: 10,
  likes: 1,
  updated_at: '2025-01-02T03:04:05.000Z',
  tags,
  library: null,
});

const detail = (id: string, withVariants = true) => ({
  ...item(id),
  revision: 'main',
  sha: null,
  files: [],
  total_size: 120 * KIB,
  gated: false,
  gguf_variants: withVariants ? variants : [],
  gguf_default: withVariants ? 'tiny-Q4_K_M.gguf' : null,
  gguf_default_rule: RULE,
});

const cachedGguf = {
  model_name: 'org/tiny-GGUF',
  source: 'huggingface',
  revision: 'main',
  size_bytes: 24 * KIB,
  total_bytes: 24 * KIB,
  node_count: 1,
  complete_nodes: 1,
  nodes: [
    {
      node_id: 'n1',
      size_bytes: 24 * KIB,
      complete: true,
      last_used_at: null,
      path: '/c',
      name_hash: 'h1',
      gguf_files: ['tiny-Q4_K_M.gguf'],
    },
  ],
  last_used_at: null,
  gguf_files: ['tiny-Q4_K_M.gguf'],
  models: [],
};

function setup(route: string) {
  const api = fakeApi({
    'GET /api/v2/cache/summary': () => ({ items: [cachedGguf], total_bytes: 24 * KIB, node_count: 1 }),
    'GET /api/v2/models': () => fixtures.modelList([]),
    'GET /api/v2/templates': () => ({ items: [] }),
    'GET /api/v2/catalog/search': ({ query }: Call) => ({
      provider: query.get('provider'),
      query: '',
      page: 1,
      limit: 20,
      items: [item('org/tiny-GGUF', ['gguf']), item('org/plain')],
      has_more: false,
    }),
    'GET /api/v2/catalog/models/huggingface/org/tiny-GGUF': () => detail('org/tiny-GGUF'),
    'GET /api/v2/catalog/models/huggingface/org/plain': () => detail('org/plain', false),
    'POST /api/v2/catalog/import': ({ body }: Call) => {
      const m = fixtures.model({ model_uid: (body as { model_uid: string }).model_uid });
      return { model: m, warnings: [] };
    },
    'POST /api/v2/models': ({ body }: Call) =>
      fixtures.model({ model_uid: (body as { model_uid?: string }).model_uid ?? 'derived' }),
    'GET /api/v2/models/tiny-q8': () => fixtures.modelDetail({ model_uid: 'tiny-q8' }),
  });
  renderApp({ route, fetch: api.fetch, sessions: sessionAs('operator') });
  return { api, user: userEvent.setup() };
}

describe('GGUF variant choice', () => {
  it('pure helpers: options start with the default rule; GGUF repos default to llama.cpp', () => {
    const opts = variantOptions({ gguf_variants: variants, gguf_default: 'tiny-Q4_K_M.gguf' });
    expect(opts.map((o) => o.value)).toEqual([
      '',
      'tiny-F16.gguf',
      'tiny-Q4_K_M.gguf',
      'tiny-Q8_0-00001-of-00002.gguf',
    ]);
    expect(opts[0]?.label).toBe('Default: Q4_K_M · tiny-Q4_K_M.gguf · 24.0 KiB');
    expect(opts[3]?.label).toContain('(2 parts)');
    expect(defaultEngineFor({ id: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF', tags: [] })).toBe('llamacpp');
    expect(defaultEngineFor({ id: 'org/x', tags: ['GGUF'] })).toBe('llamacpp');
    expect(defaultEngineFor({ id: 'org/x', tags: [] })).toBe('vllm');
    const base = { model_uid: '', replicas: 1, auto_start: true, gguf_file: 'a.gguf' };
    expect(
      toImportInput({ id: 'o/x', source: 'huggingface' }, { ...base, engine_type: 'vllm' }),
    ).not.toHaveProperty('gguf_file');
    expect(
      toImportInput({ id: 'o/x', source: 'huggingface' }, { ...base, engine_type: 'llamacpp' }),
    ).toMatchObject({
      gguf_file: 'a.gguf',
    });
  });

  it('downloaded models show which GGUF files are cached', async () => {
    setup('/catalog');
    const row = await screen.findByTestId('downloaded-row-org/tiny-GGUF');
    expect(within(row).getByTestId('gguf-files')).toHaveTextContent('GGUF: tiny-Q4_K_M.gguf');
  });

  it('the import form lists the variants and sends the chosen file', async () => {
    const { api, user } = setup('/catalog');
    await screen.findByTestId('search-results');
    await user.click(screen.getByRole('button', { name: 'Download org/tiny-GGUF' }));
    const dialog = await screen.findByRole('dialog', { name: 'Download model' });
    expect(within(dialog).getByRole('textbox', { name: 'Engine' })).toHaveValue('llama.cpp');
    const select = await within(dialog).findByRole('textbox', { name: 'GGUF variant' });
    expect(select).toHaveValue('Default: Q4_K_M · tiny-Q4_K_M.gguf · 24.0 KiB');
    expect(within(dialog).getByText(/Only this file is downloaded/)).toHaveTextContent(RULE);
    await user.click(select);
    await user.click(
      await screen.findByRole('option', { name: /Q8_0 · tiny-Q8_0-00001-of-00002\.gguf \(2 parts\)/ }),
    );
    await user.clear(within(dialog).getByLabelText('Model UID'));
    await user.type(within(dialog).getByLabelText('Model UID'), 'tiny-q8');
    await user.click(within(dialog).getByRole('button', { name: 'Download' }));
    expect(await api.sentOnce('POST', '/api/v2/catalog/import')).toEqual({
      provider: 'huggingface',
      model_id: 'org/tiny-GGUF',
      model_uid: 'tiny-q8',
      engine_type: 'llamacpp',
      replicas: 1,
      auto_start: true,
      gguf_file: 'tiny-Q8_0-00001-of-00002.gguf',
    });
  });

  it('the import form warns when llama.cpp is picked for a repository without GGUF files', async () => {
    const { user } = setup('/catalog');
    await screen.findByTestId('search-results');
    await user.click(screen.getByRole('button', { name: 'Download org/plain' }));
    const dialog = await screen.findByRole('dialog', { name: 'Download model' });
    expect(within(dialog).getByRole('textbox', { name: 'Engine' })).toHaveValue('vLLM');
    expect(within(dialog).queryByRole('textbox', { name: 'GGUF variant' })).toBeNull();
    await user.click(within(dialog).getByRole('textbox', { name: 'Engine' }));
    await user.click(await screen.findByRole('option', { name: 'llama.cpp' }));
    expect(
      await within(dialog).findByText(/has no \.gguf file: llama\.cpp cannot load it/),
    ).toBeInTheDocument();
  });

  it('the load dialog offers the variants of the typed repository for llama.cpp', async () => {
    const { api, user } = setup('/models');
    await user.click(await screen.findByRole('button', { name: 'Load model' }));
    const dialog = await screen.findByRole('dialog', { name: 'Load a model' });
    await user.type(within(dialog).getByLabelText(/Repository/), 'org/tiny-GGUF');
    await user.click(within(dialog).getByRole('textbox', { name: 'Engine' }));
    await user.click(await screen.findByRole('option', { name: 'llama.cpp' }));
    const select = await within(dialog).findByRole('textbox', { name: 'GGUF variant' });
    await user.click(select);
    await user.click(await screen.findByRole('option', { name: /^F16 · tiny-F16\.gguf/ }));
    await user.type(within(dialog).getByLabelText(/Model UID/), 'tiny-q8');
    await user.click(within(dialog).getByRole('button', { name: 'Create model' }));
    expect(await api.sentOnce('POST', '/api/v2/models')).toMatchObject({
      model_name: 'org/tiny-GGUF',
      model_source: 'huggingface',
      engine_type: 'llamacpp',
      gguf_file: 'tiny-F16.gguf',
      model_uid: 'tiny-q8',
    });
  });
});
