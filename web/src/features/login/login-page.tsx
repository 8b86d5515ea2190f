import {
  Alert,
  Anchor,
  Button,
  Card,
  Center,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconClockExclamation } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { errorMessage } from '../../api/errors.ts';
import { useApi, useSession, useSessionStore } from '../../auth/context.tsx';
import { Logo } from '../../components/logo.tsx';

/** Only same-app paths are followed after login (no open redirect through `?next=`). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export function LoginPage() {
  const api = useApi();
  const sessions = useSessionStore();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const form = useForm({
    initialValues: { username: '', password: '' },
    validate: {
      username: (v) => (v.trim() ? null : 'Enter your username'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });
  const login = useMutation({
    mutationFn: (v: { username: string; password: string }) => api.auth.login(v.username.trim(), v.password),
    onSuccess: (res) => {
      // The token stays in the HttpOnly cookie the login set; only who and until when is kept here.
      sessions.set({ expires_at: res.expires_at, username: res.username, role: res.role });
      void navigate(next, { replace: true });
    },
  });

  if (session) return <Navigate to={next} replace />;
  const expired = sessions.endReason() === 'expired';

  return (
    <Center
      mih="100vh"
      p="md"
      style={{
        background:
          'radial-gradient(1200px 600px at 20% 0%, rgba(121,80,242,.18), transparent), var(--nb-page-bg)',
      }}
    >
      <Card withBorder shadow="md" radius="lg" p={36} w={420}>
        <Stack gap="lg">
          <Stack gap={6} align="center">
            <Logo size={40} />
            <Title order={3} fw={600} mt="xs">
              Sign in to the console
            </Title>
            <Text c="dimmed" size="sm" ta="center">
              Manage models, nodes and access of your Nebula cluster.
            </Text>
          </Stack>
          {expired && !login.isError ? (
            <Alert
              color="yellow"
              variant="light"
              icon={<IconClockExclamation size={18} />}
              data-testid="session-expired"
            >
              Your session expired. Sign in again to continue.
            </Alert>
          ) : null}
          {login.isError ? (
            <Alert
              color="red"
              variant="light"
              icon={<IconAlertTriangle size={18} />}
              data-testid="login-error"
            >
              {errorMessage(login.error)}
            </Alert>
          ) : null}
          <form onSubmit={form.onSubmit((v) => login.mutate(v))}>
            <Stack gap="md">
              <TextInput
                label="Username"
                autoComplete="username"
                autoFocus
                {...form.getInputProps('username')}
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                {...form.getInputProps('password')}
              />
              <Button type="submit" fullWidth size="md" loading={login.isPending}>
                Sign in
              </Button>
            </Stack>
          </form>
          <Text size="xs" c="dimmed" ta="center">
            The first start prints the admin password once; admins create other users. CLI:{' '}
            <Anchor component="span" size="xs" ff="monospace">
              nebula auth login
            </Anchor>
            .
          </Text>
        </Stack>
      </Card>
    </Center>
  );
}
