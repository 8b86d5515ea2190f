import { Button, Code, Stack } from '@mantine/core';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorState } from './error-state.tsx';

interface State {
  error: Error | null;
}

/**
 * Keeps a bug in one page from blanking the whole console: the page shows what broke and a way back,
 * the shell (navigation, user menu) stays usable. Reset by remounting (the shell keys it by path).
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('console page crashed', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Stack>
        <ErrorState title="This page ran into a problem" error={error} />
        {error.stack ? (
          <Code block fz="xs" mah={240} style={{ overflow: 'auto' }}>
            {error.stack.split('\n').slice(0, 8).join('\n')}
          </Code>
        ) : null}
        <div>
          <Button variant="light" onClick={() => window.location.reload()}>
            Reload the console
          </Button>
        </div>
      </Stack>
    );
  }
}
