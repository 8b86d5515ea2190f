import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { type Call, fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';

const template = fixtures.template();

function setup() {
  const api = fakeApi({
    'GET /api/v2/models': () => fixtures.modelList([]),
    'GET /api/v2/templates': () => ({ items: [template] }),
    'POST /api/v2/models': ({ body }: Call) =>
      fixtures.model({ model_uid: (body as { model_uid?: string }).model_uid ?? 'derived' }),
    'POST /api/v2/templates/qwen-chat/deploy': () => fixtures.model({ model_uid: 'from-tpl' }),
    'GET /api/v2/models/local-one': () => apiDetail('local-one'),
    'GET /api/v2/models/from-tpl': () => apiDetail('from-tpl'),
  });
  renderApp({ route: '/models', fetch: api.fetch, sessions: sessionAs('operator') });
  return { api, user: userEvent.setup() };
}
const apiDetail = (uid: string) => fixtures.modelDetail({ model_uid: uid });

describe('load model dialog', () => {
  it('creates a local model with its path, engine and uid (manual tab)', async () => {
    const { api, user } = setup();
    await user.click(await screen.findByRole('button', { name: 'Load model' }));
    const dialog = await screen.findByRole('dialog', { name: 'Load a model' });
    await user.click(within(dialog).getByRole('radio', { name: 'Local path' }));
    await user.type(within(dialog).getByLabelText(/Model name/), 'my-model');
    await user.click(within(dialog).getByRole('button', { name: 'Create model' }));
    expect(
      await within(dialog).findByText('A local model needs the directory of its weights'),
    ).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText(/Model path/), '/models/my-model');
    await user.type(within(dialog).getByLabelText(/Model UID/), 'local-one');
    await user.click(within(dialog).getByRole('button', { name: 'Create model' }));
    expect(await api.sentOnce('POST', '/api/v2/models')).toEqual({
      model_name: 'my-model',
      model_source: 'local',
      model_path: '/models/my-model',
      model_uid: 'local-one',
      engine_type: 'vllm',
      replicas: 1,
      auto_start: true,
      resources: { gpu_count: 1 },
    });
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/models/local-one'));
  });

  it('deploys from a template (from template tab)', async () => {
    const { api, user } = setup();
    await user.click(await screen.findByRole('button', { name: 'Load model' }));
    const dialog = await screen.findByRole('dialog', { name: 'Load a model' });
    await user.click(within(dialog).getByRole('tab', { name: 'From template' }));
    await user.click(await within(dialog).findByPlaceholderText('Pick a template'));
    await user.click(await screen.findByRole('option', { name: /Qwen chat/ }));
    expect(within(dialog).getByText('Qwen/Qwen2.5-7B-Instruct')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Replicas')).toHaveValue('2');
    await user.click(within(dialog).getByRole('button', { name: 'Deploy template' }));
    await waitFor(() =>
      expect(api.callsTo('POST', '/api/v2/templates/qwen-chat/deploy')[0]?.body).toEqual({
        replicas: 2,
        auto_start: true,
      }),
    );
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/models/from-tpl'));
  });
});
