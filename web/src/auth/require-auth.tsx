import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { usePermissions, useSession } from './context.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { IconLock } from '@tabler/icons-react';

/** Sends people without a (live) session to the login page, remembering where they were going. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

/** Pages for admins only: others get a plain explanation (the server refuses them anyway). */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const { isAdmin } = usePermissions();
  if (!isAdmin) {
    return (
      <EmptyState
        icon={<IconLock size={28} />}
        title="Admins only"
        description="Your role cannot see this page. Ask an admin if you need access."
      />
    );
  }
  return <>{children}</>;
}
