import { Route, Routes } from 'react-router';
import { RequireAdmin, RequireAuth } from './auth/require-auth.tsx';
import { ConsoleShell } from './components/app-shell.tsx';
import { AuditPage } from './features/activity/audit-page.tsx';
import { EventsPage } from './features/activity/events-page.tsx';
import { ApiKeysPage } from './features/admin/api-keys-page.tsx';
import { UsersPage } from './features/admin/users-page.tsx';
import { CatalogPage } from './features/catalog/catalog-page.tsx';
import { LoginPage } from './features/login/login-page.tsx';
import { NotFoundPage } from './features/login/not-found-page.tsx';
import { ModelDetailPage } from './features/models/model-detail-page.tsx';
import { ModelsPage } from './features/models/models-page.tsx';
import { NodeDetailPage } from './features/nodes/node-detail-page.tsx';
import { NodesPage } from './features/nodes/nodes-page.tsx';
import { OverviewPage } from './features/overview/overview-page.tsx';
import { PlaygroundPage } from './features/playground/playground-page.tsx';
import { TemplatesPage } from './features/templates/templates-page.tsx';

/** Every page of the console. All but /login need a session. */
export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <ConsoleShell />
          </RequireAuth>
        }
      >
        <Route index element={<OverviewPage />} />
        <Route path="models" element={<ModelsPage />} />
        <Route path="models/:uid" element={<ModelDetailPage />} />
        <Route path="catalog" element={<CatalogPage />} />
        <Route path="playground" element={<PlaygroundPage />} />
        <Route path="templates" element={<TemplatesPage />} />
        <Route path="nodes" element={<NodesPage />} />
        <Route path="nodes/:nodeId" element={<NodeDetailPage />} />
        <Route path="events" element={<EventsPage />} />
        <Route
          path="audit"
          element={
            <RequireAdmin>
              <AuditPage />
            </RequireAdmin>
          }
        />
        <Route
          path="users"
          element={
            <RequireAdmin>
              <UsersPage />
            </RequireAdmin>
          }
        />
        <Route
          path="api-keys"
          element={
            <RequireAdmin>
              <ApiKeysPage />
            </RequireAdmin>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
