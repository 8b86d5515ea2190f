import { notifications } from '@mantine/notifications';
import { errorMessage } from '../api/errors.ts';

/** A green toast for a done action. */
export function notifySuccess(message: string, title?: string): void {
  notifications.show({ color: 'teal', message, ...(title ? { title } : {}) });
}

/** A red toast carrying the server's message. */
export function notifyError(err: unknown, title = 'Action failed'): void {
  notifications.show({ color: 'red', title, message: errorMessage(err), autoClose: 8000 });
}
