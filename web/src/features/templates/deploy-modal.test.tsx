import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';

describe('deploy a template', () => {
  it('keeps what is typed and sends the uid, replicas and start choice', async () => {
    const api = fakeApi({
      'GET /api/v2/templates': () => ({ items: [fixtures.template()] }),
      'POST /api/v2/templates/qwen-chat/deploy': () => fixtures.model({ model_uid: 'my-qwen' }),
      'GET /api/v2/models/my-qwen': () => fixtures.modelDetail({ model_uid: 'my-qwen' }),
    });
    renderApp({ route: '/templates', fetch: api.fetch, sessions: sessionAs('operator') });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Deploy' }));
    const dialog = await screen.findByRole('dialog', { name: 'Deploy Qwen chat' });
    expect(within(dialog).getByLabelText('Replicas')).toHaveValue('2');
    await user.type(within(dialog).getByLabelText('Model UID'), 'Bad_UID');
    expect(within(dialog).getByRole('button', { name: 'Deploy' })).toBeDisabled();
    await user.clear(within(dialog).getByLabelText('Model UID'));
    await user.type(within(dialog).getByLabelText('Model UID'), 'my-qwen');
    await user.clear(within(dialog).getByLabelText('Replicas'));
    await user.type(within(dialog).getByLabelText('Replicas'), '3');
    await user.click(within(dialog).getByRole('switch', { name: 'Start right away' }));
    expect(within(dialog).getByLabelText('Model UID')).toHaveValue('my-qwen');
    await user.click(within(dialog).getByRole('button', { name: 'Deploy' }));
    expect(await api.sentOnce('POST', '/api/v2/templates/qwen-chat/deploy')).toEqual({
      model_uid: 'my-qwen',
      replicas: 3,
      auto_start: false,
    });
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/models/my-qwen'));
  });
});
