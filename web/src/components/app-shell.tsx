import {
  ActionIcon,
  AppShell,
  Avatar,
  Badge,
  Burger,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
  UnstyledButton,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBox,
  IconBooks,
  IconChevronDown,
  IconCpu,
  IconDots,
  IconKey,
  IconLayoutDashboard,
  IconListDetails,
  IconLogout,
  IconMessageChatbot,
  IconMoon,
  IconShieldCheck,
  IconSun,
  IconTemplate,
  IconUsers,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { useApi, usePermissions, useSession, useSessionStore } from '../auth/context.tsx';
import { PageErrorBoundary } from './error-boundary.tsx';
import { Logo } from './logo.tsx';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  admin?: boolean;
}

const MAIN: NavItem[] = [
  { to: '/', label: 'Overview', icon: <IconLayoutDashboard size={18} /> },
  { to: '/models', label: 'Models', icon: <IconBox size={18} /> },
  { to: '/playground', label: 'Playground', icon: <IconMessageChatbot size={18} /> },
  { to: '/templates', label: 'Templates', icon: <IconTemplate size={18} /> },
  { to: '/nodes', label: 'Nodes', icon: <IconCpu size={18} /> },
  { to: '/events', label: 'Events', icon: <IconListDetails size={18} /> },
];

/** Seed 004: the Model Catalog lives under "More", next to (not instead of) Models. */
const MORE: NavItem[] = [
  { to: '/catalog', label: 'Model Catalog', icon: <IconBooks size={18} /> },
  { to: '/audit', label: 'Audit log', icon: <IconShieldCheck size={18} />, admin: true },
  { to: '/api-keys', label: 'API keys', icon: <IconKey size={18} />, admin: true },
  { to: '/users', label: 'Users', icon: <IconUsers size={18} />, admin: true },
];

function isActive(pathname: string, to: string): boolean {
  return to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
}

const ROLE_COLOR = { viewer: 'gray', operator: 'blue', admin: 'violet' } as const;

function UserMenu() {
  const session = useSession();
  const sessions = useSessionStore();
  const api = useApi();
  // The server ends the session (routers refuse it too) and clears the HttpOnly cookie, which page
  // scripts cannot; the console goes back to login whatever the answer.
  const logout = () =>
    void api.auth
      .logout()
      .catch(() => undefined)
      .finally(() => sessions.clear('logout'));
  if (!session) return null;
  return (
    <Menu position="bottom-end" width={220} withArrow>
      <Menu.Target>
        <UnstyledButton data-testid="user-menu" aria-label="Account">
          <Group gap={8} wrap="nowrap">
            <Avatar size={30} radius="xl" color="violet">
              {session.username.slice(0, 2).toUpperCase()}
            </Avatar>
            <div style={{ lineHeight: 1.1 }}>
              <Text size="sm" fw={600}>
                {session.username}
              </Text>
              <Badge size="xs" variant="light" color={ROLE_COLOR[session.role]} data-testid="user-role">
                {session.role}
              </Badge>
            </div>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Signed in as {session.username}</Menu.Label>
        <Menu.Item leftSection={<IconLogout size={16} />} color="red" onClick={logout}>
          Log out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function ColorSchemeToggle() {
  const { colorScheme, toggleColorScheme } = useMantineColorScheme();
  return (
    <Tooltip label={colorScheme === 'dark' ? 'Light mode' : 'Dark mode'}>
      <ActionIcon variant="default" size="lg" onClick={toggleColorScheme} aria-label="Toggle color scheme">
        {colorScheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

/** The console's frame: sidebar navigation, header with the user, role and logout, and the page. */
export function ConsoleShell() {
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  const { isAdmin } = usePermissions();
  const more = MORE.filter((i) => !i.admin || isAdmin);
  const moreActive = more.some((i) => isActive(pathname, i.to));

  const link = (item: NavItem) => (
    <NavLink
      key={item.to}
      component={RouterLink}
      to={item.to}
      label={item.label}
      leftSection={item.icon}
      active={isActive(pathname, item.to)}
      onClick={close}
      variant="light"
      style={{ borderRadius: 8 }}
    />
  );

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" />
            <Logo />
          </Group>
          <Group gap="md">
            <ColorSchemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          {MAIN.map(link)}
          <NavLink
            label="More"
            leftSection={<IconDots size={18} />}
            defaultOpened={moreActive}
            childrenOffset={12}
            data-testid="nav-more"
            style={{ borderRadius: 8 }}
          >
            {more.map(link)}
          </NavLink>
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="sm" py={6}>
            Nebula control plane
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <div style={{ maxWidth: 1680, margin: '0 auto' }}>
          <PageErrorBoundary key={pathname}>
            <Outlet />
          </PageErrorBoundary>
        </div>
      </AppShell.Main>
    </AppShell>
  );
}
